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

/**
 * Three box-blur passes along each row, radius r (window 2r+1), edges clamped. The three passes
 * run on one row at a time in small buffers, so the image is read and written once, and only the
 * few pixels within r of an edge pay for clamping.
 */
function boxRows3(data: Float32Array, w: number, h: number, r: number, a: Float32Array, b: Float32Array): void {
  const norm = 1 / (2 * r + 1);
  for (let y = 0; y < h; y++) {
    const row = y * w;
    boxLine(data, row, a, w, r, norm);
    boxLine(a, 0, b, w, r, norm);
    boxLine(b, 0, data.subarray(row, row + w), w, r, norm);
  }
}

/** One running-sum box pass over src[off .. off+w) into dst[0 .. w). */
function boxLine(src: Float32Array, off: number, dst: Float32Array, w: number, r: number, norm: number): void {
  const last = off + w - 1;
  let acc = 0;
  for (let k = -r; k <= r; k++) acc += src[Math.min(last, Math.max(off, off + k))]!;
  // x - r < 0 or x + r + 1 > w - 1 needs clamping; between them it does not
  const lo = Math.min(w, r);
  const hi = Math.max(lo, w - r - 1);
  let x = 0;
  for (; x < lo; x++) {
    dst[x] = acc * norm;
    acc += src[Math.min(last, off + x + r + 1)]! - src[off]!;
  }
  for (; x < hi; x++) {
    dst[x] = acc * norm;
    acc += src[off + x + r + 1]! - src[off + x - r]!;
  }
  for (; x < w; x++) {
    dst[x] = acc * norm;
    acc += src[last]! - src[Math.max(off, off + x - r)]!;
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
 * each direction (the classic O(n) approximation, independent of sigma). The passes are linear
 * and separable, so all row passes run first (fused, see boxRows3), then the column passes.
 * Sparse pictures (vessel and bronchus splats) are blurred only over the rectangle around their
 * non-zero pixels, grown by the blur's reach: outside it the result is zero either way.
 */
export function gaussianBlur(img: Raster, sigma: number): void {
  if (sigma < 0.35) return;
  const { width: w, height: h, data } = img;
  // Box radius whose three-fold convolution has variance close to sigma².
  const r = Math.max(1, Math.round((Math.sqrt(4 * sigma * sigma + 1) - 1) / 2));
  const box = nonZeroBox(data, w, h);
  if (box === null) return;
  const reach = 3 * r + 1;
  const x0 = Math.max(0, box.x0 - reach);
  const y0 = Math.max(0, box.y0 - reach);
  const x1 = Math.min(w, box.x1 + 1 + reach);
  const y1 = Math.min(h, box.y1 + 1 + reach);
  if ((x1 - x0) * (y1 - y0) > 0.85 * w * h) {
    blurDense(data, w, h, r);
    return;
  }
  const sw = x1 - x0;
  const sh = y1 - y0;
  const sub = new Float32Array(sw * sh);
  for (let y = 0; y < sh; y++) sub.set(data.subarray((y0 + y) * w + x0, (y0 + y) * w + x1), y * sw);
  blurDense(sub, sw, sh, r);
  for (let y = 0; y < sh; y++) data.set(sub.subarray(y * sw, (y + 1) * sw), (y0 + y) * w + x0);
}

function blurDense(data: Float32Array, w: number, h: number, r: number): void {
  if (r === 1 && w >= 7 && h >= 7) {
    blur7(data, w, h);
    return;
  }
  boxRows3(data, w, h, r, new Float32Array(w), new Float32Array(w));
  const tmp = new Float32Array(data.length);
  const acc = new Float64Array(w);
  boxCols(data, tmp, w, h, r, acc);
  boxCols(tmp, data, w, h, r, acc);
  boxCols(data, tmp, w, h, r, acc);
  data.set(tmp);
}

/**
 * Radius 1, the most common case (vessels, fine nets, mild scanner blur): three 3-wide box passes
 * are one 7-tap kernel [1 3 6 7 6 3 1]/27, applied directly along rows then columns. That is about
 * half the work of the running sums. The three pixels at each end repeat the passes one by one
 * (edgeCascade), so edges are clamped at every pass exactly as the running sums do.
 */
function blur7(data: Float32Array, w: number, h: number): void {
  const n = 1 / 27;
  const tmp = new Float32Array(data.length);
  const line = new Float64Array(6);
  const ends = new Float64Array(3);
  for (let y = 0; y < h; y++) {
    const row = y * w;
    for (let x = 3; x < w - 3; x++) {
      const i = row + x;
      tmp[i] = (data[i - 3]! + data[i + 3]! + 3 * (data[i - 2]! + data[i + 2]!) + 6 * (data[i - 1]! + data[i + 1]!) + 7 * data[i]!) * n;
    }
    for (let k = 0; k < 6; k++) line[k] = data[row + k]!;
    edgeCascade(line, ends);
    for (let k = 0; k < 3; k++) tmp[row + k] = ends[k]!;
    for (let k = 0; k < 6; k++) line[k] = data[row + w - 1 - k]!;
    edgeCascade(line, ends);
    for (let k = 0; k < 3; k++) tmp[row + w - 1 - k] = ends[k]!;
  }
  for (let y = 3; y < h - 3; y++) {
    const r3 = y * w;
    for (let x = 0; x < w; x++) {
      const i = r3 + x;
      data[i] = (tmp[i - 3 * w]! + tmp[i + 3 * w]! + 3 * (tmp[i - 2 * w]! + tmp[i + 2 * w]!) + 6 * (tmp[i - w]! + tmp[i + w]!) + 7 * tmp[i]!) * n;
    }
  }
  for (let x = 0; x < w; x++) {
    for (let k = 0; k < 6; k++) line[k] = tmp[k * w + x]!;
    edgeCascade(line, ends);
    for (let k = 0; k < 3; k++) data[k * w + x] = ends[k]!;
    for (let k = 0; k < 6; k++) line[k] = tmp[(h - 1 - k) * w + x]!;
    edgeCascade(line, ends);
    for (let k = 0; k < 3; k++) data[(h - 1 - k) * w + x] = ends[k]!;
  }
}

/**
 * The first three outputs of three 3-wide box passes over a line that starts with `v` (six
 * values, index 0 at the edge), the edge value repeated before it at every pass. `v` is overwritten.
 */
function edgeCascade(v: Float64Array, out: Float64Array): void {
  for (let len = 6; len > 3; len--) {
    let prev = v[0]!;
    for (let j = 0; j < len - 1; j++) {
      const cur = v[j]!;
      v[j] = (prev + cur + v[j + 1]!) / 3;
      prev = cur;
    }
  }
  out[0] = v[0]!;
  out[1] = v[1]!;
  out[2] = v[2]!;
}

/** The smallest rectangle (inclusive) holding every non-zero pixel, or null for an all-zero image. */
function nonZeroBox(data: Float32Array, w: number, h: number): { x0: number; y0: number; x1: number; y1: number } | null {
  let x0 = w;
  let x1 = -1;
  let y0 = -1;
  let y1 = -1;
  for (let y = 0; y < h; y++) {
    const row = y * w;
    let first = 0;
    while (first < w && data[row + first] === 0) first++;
    if (first === w) continue;
    let last = w - 1;
    while (last > first && data[row + last] === 0) last--;
    if (y0 < 0) y0 = y;
    y1 = y;
    if (first < x0) x0 = first;
    if (last > x1) x1 = last;
  }
  return y0 < 0 ? null : { x0, y0, x1, y1 };
}

/** Bilinear upsampling of a coarse grid (gw×gh) to the raster size: smooth random fields cheaply. */
export function upsampleGrid(grid: Float32Array, gw: number, gh: number, out: Raster): void {
  const { width: w, height: h, data } = out;
  const sx = (gw - 1) / Math.max(1, w - 1);
  const sy = (gh - 1) / Math.max(1, h - 1);
  // the grid column and weight of every image column, found once rather than once per row
  const cols = new Int32Array(w);
  const weights = new Float64Array(w);
  for (let x = 0; x < w; x++) {
    const fx = x * sx;
    const x0 = Math.min(gw - 2, Math.floor(fx));
    cols[x] = x0;
    weights[x] = fx - x0;
  }
  for (let y = 0; y < h; y++) {
    const fy = y * sy;
    const y0 = Math.min(gh - 2, Math.floor(fy));
    const ty = fy - y0;
    const top = y0 * gw;
    const bottom = top + gw;
    const row = y * w;
    for (let x = 0; x < w; x++) {
      const x0 = cols[x]!;
      const tx = weights[x]!;
      const a = grid[top + x0]!;
      const b = grid[top + x0 + 1]!;
      const c = grid[bottom + x0]!;
      const d = grid[bottom + x0 + 1]!;
      data[row + x] = (a + (b - a) * tx) * (1 - ty) + (c + (d - c) * tx) * ty;
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
