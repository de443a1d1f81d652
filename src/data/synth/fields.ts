import type { Rng } from './random.ts';
import { fillGaussianNoise } from './random.ts';
import type { Raster } from './raster.ts';
import { gaussianBlur, makeRaster, upsampleGrid } from './raster.ts';

/** A smooth random field in about [-1.7, 1.7] (unit variance at the grid points), `cells` blobs across. */
export function smoothField(width: number, height: number, cells: number, rng: Rng): Raster {
  const gw = Math.max(2, Math.round(cells) + 1);
  const gh = Math.max(2, Math.round((cells * height) / width) + 1);
  const grid = new Float32Array(gw * gh);
  for (let i = 0; i < grid.length; i++) grid[i] = rng.normal(0, 1);
  const out = makeRaster(width, height);
  upsampleGrid(grid, gw, gh, out);
  return out;
}

/**
 * A reticular (net-like) pattern in [0,1]: thin ridges along the zero crossings of band-passed
 * noise, which is how interstitial thickening looks on a radiograph.
 */
export function reticularField(width: number, height: number, scalePx: number, rng: Rng): Raster {
  const a = makeRaster(width, height);
  fillGaussianNoise(a.data, rng.uint32());
  gaussianBlur(a, scalePx);
  // normalise the blurred noise so that the ridge width does not depend on the blur
  let sum2 = 0;
  for (let i = 0; i < a.data.length; i++) sum2 += a.data[i]! * a.data[i]!;
  const inv = 1 / Math.sqrt(sum2 / a.data.length + 1e-12);
  const d = a.data;
  for (let i = 0; i < d.length; i++) {
    const z = Math.abs(d[i]! * inv);
    d[i] = z < 0.25 ? 1 - z / 0.25 : 0;
  }
  return a;
}

/**
 * Deposits a line of `weight` per pixel length from (x0,y0) to (x1,y1) (pixel units) into `out`
 * by stepping along it: thin structures (vessels, bronchi) are drawn as splats and blurred after.
 */
export function splatLine(out: Raster, x0: number, y0: number, x1: number, y1: number, weight: number): void {
  const { width: w, height: h, data } = out;
  const len = Math.hypot(x1 - x0, y1 - y0);
  const steps = Math.max(1, Math.ceil(len * 2));
  const wstep = (weight * len) / steps;
  for (let i = 0; i <= steps; i++) {
    const t = i / steps;
    const x = Math.round(x0 + (x1 - x0) * t);
    const y = Math.round(y0 + (y1 - y0) * t);
    if (x >= 0 && y >= 0 && x < w && y < h) data[y * w + x]! += wstep;
  }
}

/**
 * A branching tree of vessels from (x, y) heading `angle` (radians), drawn with splatLine.
 * Iterative with an explicit stack, so depth never grows the call stack.
 */
export function vesselTree(
  out: Raster,
  rng: Rng,
  x: number,
  y: number,
  angle: number,
  length: number,
  weight: number,
  depth: number,
): void {
  const stack: [number, number, number, number, number, number][] = [[x, y, angle, length, weight, depth]];
  while (stack.length > 0) {
    const [bx, by, ba, bl, bw, bd] = stack.pop()!;
    let cx = bx;
    let cy = by;
    let a = ba;
    const segments = 4;
    for (let s = 0; s < segments; s++) {
      a += rng.normal(0, 0.18);
      const nx = cx + Math.cos(a) * (bl / segments);
      const ny = cy + Math.sin(a) * (bl / segments);
      splatLine(out, cx, cy, nx, ny, bw * (1 - (0.5 * s) / segments));
      if (bd > 0 && s >= 1 && rng.chance(0.45)) {
        stack.push([nx, ny, a + rng.uniform(0.3, 0.8) * (rng.chance(0.5) ? 1 : -1), bl * 0.55, bw * 0.6, bd - 1]);
      }
      cx = nx;
      cy = ny;
    }
  }
}
