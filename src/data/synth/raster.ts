/**
 * A single-channel float image, row-major. The generator builds every picture in these and
 * quantises once at the end, so intermediate steps keep their precision.
 */
export interface Raster {
  readonly width: number;
  readonly height: number;
  readonly data: Float32Array;
}

export function makeRaster(width: number, height: number, fill = 0): Raster {
  const data = new Float32Array(width * height);
  if (fill !== 0) data.fill(fill);
  return { width, height, data };
}

/** One box-blur pass along rows, radius r (window 2r+1), edges clamped. */
function boxRows(src: Float32Array, dst: Float32Array, w: number, h: number, r: number): void {
  const norm = 1 / (2 * r + 1);
  for (let y = 0; y < h; y++) {
    const row = y * w;
    let acc = 0;
    for (let k = -r; k <= r; k++) acc += src[row + Math.min(w - 1, Math.max(0, k))]!;
    for (let x = 0; x < w; x++) {
      dst[row + x] = acc * norm;
      const add = src[row + Math.min(w - 1, x + r + 1)]!;
      const sub = src[row + Math.max(0, x - r)]!;
      acc += add - sub;
    }
  }
}

/**
 * One box-blur pass along columns. It walks the image row by row with one running sum per
 * column, so memory is read in order instead of striding down each column.
 */
function boxCols(src: Float32Array, dst: Float32Array, w: number, h: number, r: number, acc: Float64Array): void {
  const norm = 1 / (2 * r + 1);
  acc.fill(0);
  for (let k = -r; k <= r; k++) {
    const row = Math.min(h - 1, Math.max(0, k)) * w;
    for (let x = 0; x < w; x++) acc[x]! += src[row + x]!;
  }
  for (let y = 0; y < h; y++) {
    const out = y * w;
    const add = Math.min(h - 1, y + r + 1) * w;
    const sub = Math.max(0, y - r) * w;
    for (let x = 0; x < w; x++) {
      dst[out + x] = acc[x]! * norm;
      acc[x]! += src[add + x]! - src[sub + x]!;
    }
  }
}

/**
 * Approximate Gaussian blur of standard deviation sigma (pixels), in place: three box passes in
 * each direction (the classic O(n) approximation, independent of sigma).
 */
export function gaussianBlur(img: Raster, sigma: number): void {
  if (sigma < 0.35) return;
  const { width: w, height: h, data } = img;
  // Box radius whose three-fold convolution has variance close to sigma².
  const r = Math.max(1, Math.round((Math.sqrt(4 * sigma * sigma + 1) - 1) / 2));
  const tmp = new Float32Array(data.length);
  const acc = new Float64Array(w);
  for (let pass = 0; pass < 3; pass++) {
    boxRows(data, tmp, w, h, r);
    boxCols(tmp, data, w, h, r, acc);
  }
}

/** Bilinear upsampling of a coarse grid (gw×gh) to the raster size: smooth random fields cheaply. */
export function upsampleGrid(grid: Float32Array, gw: number, gh: number, out: Raster): void {
  const { width: w, height: h, data } = out;
  const sx = (gw - 1) / Math.max(1, w - 1);
  const sy = (gh - 1) / Math.max(1, h - 1);
  for (let y = 0; y < h; y++) {
    const fy = y * sy;
    const y0 = Math.min(gh - 2, Math.floor(fy));
    const ty = fy - y0;
    for (let x = 0; x < w; x++) {
      const fx = x * sx;
      const x0 = Math.min(gw - 2, Math.floor(fx));
      const tx = fx - x0;
      const a = grid[y0 * gw + x0]!;
      const b = grid[y0 * gw + x0 + 1]!;
      const c = grid[(y0 + 1) * gw + x0]!;
      const d = grid[(y0 + 1) * gw + x0 + 1]!;
      data[y * w + x] = (a + (b - a) * tx) * (1 - ty) + (c + (d - c) * tx) * ty;
    }
  }
}

/** Quantise [0,1] floats to 8-bit, clamping. */
export function toUint8(img: Raster): Uint8Array {
  const out = new Uint8Array(img.data.length);
  const d = img.data;
  for (let i = 0; i < d.length; i++) {
    const v = d[i]! * 255 + 0.5;
    out[i] = v <= 0 ? 0 : v >= 255 ? 255 : v;
  }
  return out;
}

/** Bilinear resampling of a raster to a new size (the resolution artifact: down, then up again). */
export function resampleBilinear(src: Raster, width: number, height: number): Raster {
  const out = makeRaster(width, height);
  const sx = src.width / width;
  const sy = src.height / height;
  const sw = src.width;
  for (let y = 0; y < height; y++) {
    const fy = Math.min(src.height - 1.001, Math.max(0, (y + 0.5) * sy - 0.5));
    const y0 = Math.floor(fy);
    const ty = fy - y0;
    for (let x = 0; x < width; x++) {
      const fx = Math.min(src.width - 1.001, Math.max(0, (x + 0.5) * sx - 0.5));
      const x0 = Math.floor(fx);
      const tx = fx - x0;
      const i = y0 * sw + x0;
      const a = src.data[i]!;
      const b = src.data[i + 1]!;
      const c = src.data[i + sw]!;
      const d = src.data[i + sw + 1]!;
      out.data[y * width + x] = (a + (b - a) * tx) * (1 - ty) + (c + (d - c) * tx) * ty;
    }
  }
  return out;
}

export function smoothstep(e0: number, e1: number, x: number): number {
  const t = Math.min(1, Math.max(0, (x - e0) / (e1 - e0)));
  return t * t * (3 - 2 * t);
}
