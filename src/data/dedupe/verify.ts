/**
 * Pixel-level verification of a candidate pair (docs/dedupe.md). Grey, centred chest images all
 * correlate highly as they are; their high-pass detail (rib and vessel edges, markers) is what
 * tells two images apart. So: the second grid is aligned to the first by a small scale and shift
 * (a border crop becomes a zoom once both are resized to the prepared size), found by coordinate
 * search; both are high-passed (the grid minus a box-blurred copy); the similarity is the
 * Pearson correlation of the two maps inside a margin.
 */
import { THUMB_GRID as GRID } from './signature.ts';

/** Largest scale change searched (± per axis) and largest shift, in grid cells. */
const MAX_SCALE = 0.07;
const MAX_SHIFT = 0.08;


function boxBlur(src: Float64Array, n: number, r: number): Float64Array {
  const tmp = new Float64Array(n * n);
  const out = new Float64Array(n * n);
  const w = 1 / (2 * r + 1);
  for (let y = 0; y < n; y++) {
    for (let x = 0; x < n; x++) {
      let s = 0;
      for (let d = -r; d <= r; d++) s += src[y * n + Math.min(n - 1, Math.max(0, x + d))]!;
      tmp[y * n + x] = s * w;
    }
  }
  for (let y = 0; y < n; y++) {
    for (let x = 0; x < n; x++) {
      let s = 0;
      for (let d = -r; d <= r; d++) s += tmp[Math.min(n - 1, Math.max(0, y + d)) * n + x]!;
      out[y * n + x] = s * w;
    }
  }
  return out;
}

/** The high-pass map of an n × n grey grid (blur radius n/16). */
export function highPass(grid: ArrayLike<number>, n = GRID): Float64Array {
  const src = Float64Array.from(grid);
  const blurred = boxBlur(src, n, Math.max(1, Math.round(n / 16)));
  for (let i = 0; i < src.length; i++) src[i] = src[i]! - blurred[i]!;
  return src;
}

/** The n/2 × n/2 grid of 2 × 2 means. */
export function halved(grid: ArrayLike<number>, n = GRID): Float64Array {
  const h = n / 2;
  const out = new Float64Array(h * h);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < h; x++) {
      const i = 2 * y * n + 2 * x;
      out[y * h + x] = (grid[i]! + grid[i + 1]! + grid[i + n]! + grid[i + n + 1]!) / 4;
    }
  }
  return out;
}

/** b's n × n grid sampled (bilinear) at x' = c + (x − c)·s + d·n, per axis. */
function warped(b: ArrayLike<number>, n: number, sx: number, sy: number, dxf: number, dyf: number): Float64Array {
  const GRID = n;
  const out = new Float64Array(n * n);
  const c = (GRID - 1) / 2;
  const dx = dxf * n;
  const dy = dyf * n;
  for (let y = 0; y < GRID; y++) {
    const fy = Math.min(GRID - 1, Math.max(0, c + (y - c) * sy + dy));
    const y0 = Math.min(GRID - 2, Math.floor(fy));
    const ty = fy - y0;
    for (let x = 0; x < GRID; x++) {
      const fx = Math.min(GRID - 1, Math.max(0, c + (x - c) * sx + dx));
      const x0 = Math.min(GRID - 2, Math.floor(fx));
      const tx = fx - x0;
      const i = y0 * GRID + x0;
      const top = b[i]! + (b[i + 1]! - b[i]!) * tx;
      const bottom = b[i + GRID]! + (b[i + GRID + 1]! - b[i + GRID]!) * tx;
      out[y * GRID + x] = top + (bottom - top) * ty;
    }
  }
  return out;
}

/** Pearson correlation of two maps inside the margin. */
export function correlation(a: Float64Array, b: Float64Array, side = GRID): number {
  const GRID = side;
  const MARGIN = Math.round(side / 10);
  let sa = 0;
  let sb = 0;
  let saa = 0;
  let sbb = 0;
  let sab = 0;
  let n = 0;
  for (let y = MARGIN; y < GRID - MARGIN; y++) {
    for (let x = MARGIN; x < GRID - MARGIN; x++) {
      const va = a[y * GRID + x]!;
      const vb = b[y * GRID + x]!;
      sa += va;
      sb += vb;
      saa += va * va;
      sbb += vb * vb;
      sab += va * vb;
      n++;
    }
  }
  const den = Math.sqrt((saa - (sa * sa) / n) * (sbb - (sb * sb) / n));
  return den > 0 ? (sab - (sa * sb) / n) / den : 0;
}

/** Coordinate search with halving steps from `p` (scale x, scale y, shift x, shift y as fractions). */
function align(score: (q: readonly number[]) => number, p: number[], fractions: readonly number[]): number {
  let best = score(p);
  const limits = [MAX_SCALE, MAX_SCALE, MAX_SHIFT, MAX_SHIFT];
  for (const fraction of fractions) {
    let improved = true;
    for (let round = 0; improved && round < 4; round++) {
      improved = false;
      for (let k = 0; k < 4; k++) {
        const base = k < 2 ? 1 : 0;
        const step = limits[k]! * fraction;
        for (const sign of [1, -1]) {
          const q = [...p];
          q[k] = Math.max(base - limits[k]!, Math.min(base + limits[k]!, q[k]! + sign * step));
          const s = score(q);
          if (s > best + 1e-9) {
            best = s;
            p[k] = q[k]!;
            improved = true;
          }
        }
      }
    }
  }
  return best;
}

/** What verification needs of one image, computed once: its fine and coarse high-pass maps. */
export interface Prepared {
  readonly grid: Uint8Array;
  readonly fine: Float64Array;
  readonly coarse: Float64Array;
  readonly coarseGrid: Float64Array;
}

export function prepareThumb(grid: Uint8Array): Prepared {
  const coarseGrid = halved(grid);
  return { grid, fine: highPass(grid), coarse: highPass(coarseGrid, GRID / 2), coarseGrid };
}

/**
 * The similarity of two images in [-1, 1]: b is aligned to a on the coarse grid (where a shift
 * of a few per cent is a cell or two and the search has a slope to climb), then refined and
 * scored on the fine grid, whose high-pass detail separates images of similar anatomy.
 */
export function similarity(a: Prepared, b: Prepared): number {
  const h = GRID / 2;
  const p = [1, 1, 0, 0];
  align((q) => correlation(a.coarse, highPass(warped(b.coarseGrid, h, q[0]!, q[1]!, q[2]!, q[3]!), h), h), p, [0.5, 0.25, 0.12]);
  return align((q) => correlation(a.fine, highPass(warped(b.grid, GRID, q[0]!, q[1]!, q[2]!, q[3]!))), p, [0.04]);
}
