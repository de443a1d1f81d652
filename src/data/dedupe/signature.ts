/**
 * The perceptual signature of one prepared image (docs/dedupe.md): computed from the pixels the
 * prep node already decoded and resized, never from the file again.
 *
 * - `thumb`: a grey 64×64 grid by area averaging (three channels are averaged first), uint8,
 *   which verification (verify.ts) aligns and filters;
 * - `coeffs`: two views of the image, each the 63 lowest DCT frequencies (8×8, DC left out) of a
 *   32×32 grey grid, as float32, for the candidate search (search.ts). The two grids normalise
 *   the geometry two ways, because a fixed window is not enough: chest images, CT slices above
 *   all, differ less from each other than a 5 % crop or shift moves them.
 *   - view 0, the centroid window: the thumbnail's central window (12 % of each side left out,
 *     where burned-in markers and a shift's black fill sit), centred on the intensity centroid;
 *   - view 1, the body frame: the window spanned by ±1.2 standard deviations of the body mask
 *     (pixels above the mean, eroded by one pixel so that thin burned-in text drops out) about
 *     its centroid, per axis: a border crop (a zoom once resized), a shift or a marker then
 *     moves it little.
 *   The search (search.ts) compares them by Euclidean distance; the signature stores no threshold.
 */
import { endianness } from 'node:os';

/** Prepared samples (prep-cache's `Pixels`; not imported, so that the cache can import this file). */
type Pixels = Uint8Array | Uint16Array;

export const GRID = 32;
/** Side of the verification thumbnail: finer than the hash grid, so vessels and markers show. */
export const THUMB_GRID: number = 64;
export const THUMB = THUMB_GRID * THUMB_GRID;
/** DCT coefficients of one view (8×8 without DC), and the number of views. */
export const COEFFS = 63;
export const VIEWS = 2;
/** Bytes of one signature in a sidecar file: the views' coefficients (float32), then the thumbnail. */
export const SIGNATURE_BYTES = VIEWS * COEFFS * 4 + THUMB;

export interface Signature {
  /** VIEWS × COEFFS low DCT coefficients: the centroid window, then the body frame. */
  readonly coeffs: Float32Array;
  /** The THUMB_GRID × THUMB_GRID grey grid, uint8 (verification aligns and high-passes it). */
  readonly thumb: Uint8Array;
}

/** Box-averaged grey values of an h × w × c image on a `gw × gh` grid (float). */
export function areaGrey(pixels: Pixels, w: number, h: number, c: number, gw: number, gh: number): Float64Array {
  const whole = wholeBoxGrey(pixels, w, h, c, gw, gh);
  if (whole !== undefined) return whole;
  const out = new Float64Array(gw * gh);
  const area = new Float64Array(gw * gh);
  const scale = pixels instanceof Uint16Array ? 1 / 257 : 1;
  // Each source pixel goes to the cells it overlaps; separable weights keep this O(w·h).
  const xs = spans(w, gw);
  const ys = spans(h, gh);
  if (c === 1 && xs.every((a) => a.length === 2) && ys.every((a) => a.length === 2)) {
    // Every pixel inside one cell (a downscale by a whole factor, prep's usual case): the same
    // sums in the same order as below, with flat arrays (a third of the time).
    const xCell = Int32Array.from(xs, (a) => a[0]!);
    const xWeight = Float64Array.from(xs, (a) => a[1]!);
    for (let y = 0; y < h; y++) {
      const row = ys[y]![0]! * gw;
      const yWeight = ys[y]![1]!;
      for (let x = 0; x < w; x++) {
        const v = (pixels[y * w + x]! / 1) * scale;
        const wgt = yWeight * xWeight[x]!;
        const cell = row + xCell[x]!;
        out[cell] = out[cell]! + wgt * v;
        area[cell] = area[cell]! + wgt;
      }
    }
    for (let i = 0; i < out.length; i++) out[i] = area[i]! > 0 ? out[i]! / area[i]! : 0;
    return out;
  }
  for (let y = 0; y < h; y++) {
    const ya = ys[y]!;
    for (let x = 0; x < w; x++) {
      const xa = xs[x]!;
      let v = 0;
      const base = (y * w + x) * c;
      for (let k = 0; k < c; k++) v += pixels[base + k] as number;
      v = (v / c) * scale;
      for (let a = 0; a < ya.length; a += 2) {
        for (let b = 0; b < xa.length; b += 2) {
          const wgt = ya[a + 1]! * xa[b + 1]!;
          const cell = ya[a]! * gw + xa[b]!;
          out[cell] = out[cell]! + wgt * v;
          area[cell] = area[cell]! + wgt;
        }
      }
    }
  }
  for (let i = 0; i < out.length; i++) out[i] = area[i]! > 0 ? out[i]! / area[i]! : 0;
  return out;
}

const isPowerOfTwo = (k: number): boolean => Number.isInteger(k) && k > 0 && (k & (k - 1)) === 0;

/**
 * The grey grid of an 8-bit single-channel image shrunk by a power-of-two factor per axis
 * (prep's usual 128 → 64 is a 2 × 2 box): integer block sums times 1 / (fx·fy), a third of the
 * flat path's time. The same bits as the general loops: there every weight is a power of two,
 * so each weighted sample, their sum and the area (exactly 1) are exact. Undefined otherwise.
 */
function wholeBoxGrey(pixels: Pixels, w: number, h: number, c: number, gw: number, gh: number): Float64Array | undefined {
  const fx = w / gw;
  const fy = h / gh;
  if (c !== 1 || !(pixels instanceof Uint8Array) || !isPowerOfTwo(fx) || !isPowerOfTwo(fy)) return undefined;
  const out = new Float64Array(gw * gh);
  if (fx === 2 && fy === 2) {
    // 128 → 64: each cell gathers its four pixels (no scatter, no division).
    for (let gy = 0; gy < gh; gy++) {
      const a = 2 * gy * w;
      const b = a + w;
      const o = gy * gw;
      for (let gx = 0, x = 0; gx < gw; gx++, x += 2) out[o + gx] = (pixels[a + x]! + pixels[a + x + 1]! + pixels[b + x]! + pixels[b + x + 1]!) * 0.25;
    }
    return out;
  }
  const sums = new Int32Array(gw * gh);
  const sx = Math.log2(fx);
  const sy = Math.log2(fy);
  for (let y = 0; y < h; y++) {
    const row = (y >> sy) * gw;
    const src = y * w;
    for (let x = 0; x < w; x++) sums[row + (x >> sx)]! += pixels[src + x]!;
  }
  const weight = 1 / (fx * fy);
  for (let i = 0; i < out.length; i++) out[i] = sums[i]! * weight;
  return out;
}

/** For each of `n` source pixels, the grid cells it overlaps as [cell, weight, cell, weight…]. */
function spans(n: number, g: number): number[][] {
  const out: number[][] = [];
  const step = g / n;
  for (let i = 0; i < n; i++) {
    const a = i * step;
    const b = a + step;
    const cells: number[] = [];
    for (let cell = Math.floor(a); cell < Math.min(g, Math.ceil(b)); cell++) {
      const wgt = Math.min(b, cell + 1) - Math.max(a, cell);
      if (wgt > 1e-12) cells.push(cell, wgt);
    }
    out.push(cells);
  }
  return out;
}

/** DCT-II basis rows for an n-point transform, first `keep` frequencies. */
function dctBasis(n: number, keep: number): Float64Array {
  const out = new Float64Array(keep * n);
  for (let u = 0; u < keep; u++) for (let x = 0; x < n; x++) out[u * n + x] = Math.cos(((2 * x + 1) * u * Math.PI) / (2 * n));
  return out;
}

const BASIS = dctBasis(GRID, 8);
/** lowDct's row sums: scratch, overwritten by every call (signatures are computed one at a time). */
const DCT_ROWS = new Float64Array(GRID * 8);

/**
 * 8×8 lowest DCT frequencies of the GRID×GRID grid, separably (rows, then columns). The eight
 * frequencies of a row (or column) are summed side by side, each over x (or y) in order, so every
 * sum has the plain loop's order and bits, at a third of its time.
 */
function lowDct(grid: Float64Array): Float64Array {
  const rows = DCT_ROWS;
  // Module-level bindings in locals (centredGrid says why).
  const G = GRID;
  const basis = BASIS;
  for (let y = 0; y < G; y++) {
    let s0 = 0, s1 = 0, s2 = 0, s3 = 0, s4 = 0, s5 = 0, s6 = 0, s7 = 0;
    const o = y * G;
    for (let x = 0; x < G; x++) {
      const g = grid[o + x]!;
      s0 += g * basis[x]!;
      s1 += g * basis[G + x]!;
      s2 += g * basis[2 * G + x]!;
      s3 += g * basis[3 * G + x]!;
      s4 += g * basis[4 * G + x]!;
      s5 += g * basis[5 * G + x]!;
      s6 += g * basis[6 * G + x]!;
      s7 += g * basis[7 * G + x]!;
    }
    const r = y * 8;
    rows[r] = s0;
    rows[r + 1] = s1;
    rows[r + 2] = s2;
    rows[r + 3] = s3;
    rows[r + 4] = s4;
    rows[r + 5] = s5;
    rows[r + 6] = s6;
    rows[r + 7] = s7;
  }
  const out = new Float64Array(64);
  for (let v = 0; v < 8; v++) {
    let t0 = 0, t1 = 0, t2 = 0, t3 = 0, t4 = 0, t5 = 0, t6 = 0, t7 = 0;
    for (let y = 0; y < G; y++) {
      const b = basis[v * G + y]!;
      const r = y * 8;
      t0 += rows[r]! * b;
      t1 += rows[r + 1]! * b;
      t2 += rows[r + 2]! * b;
      t3 += rows[r + 3]! * b;
      t4 += rows[r + 4]! * b;
      t5 += rows[r + 5]! * b;
      t6 += rows[r + 6]! * b;
      t7 += rows[r + 7]! * b;
    }
    const o = v * 8;
    out[o] = t0;
    out[o + 1] = t1;
    out[o + 2] = t2;
    out[o + 3] = t3;
    out[o + 4] = t4;
    out[o + 5] = t5;
    out[o + 6] = t6;
    out[o + 7] = t7;
  }
  return out;
}

/** The stored thumbnail: the grey grid rounded to uint8 (verification aligns and filters it). */
export function thumbOf(grid: Float64Array): Uint8Array {
  // A plain loop: Uint8Array.from with a map function took 0.4 ms here, half a signature's time.
  const out = new Uint8Array(grid.length);
  for (let i = 0; i < out.length; i++) {
    const v = grid[i]!;
    out[i] = v <= 0 ? 0 : v >= 255 ? 255 : Math.round(v);
  }
  return out;
}

/** The signature of one prepared image (h × w × c samples, HWC). */
export function signatureOf(pixels: Pixels, width: number, height: number, channels: number): Signature {
  let fine: Float64Array;
  let thumb: Uint8Array;
  let stats: FineStats | undefined;
  if (channels === 1 && pixels instanceof Uint8Array && width === 2 * THUMB_GRID && height === 2 * THUMB_GRID) {
    thumb = new Uint8Array(THUMB);
    fine = FINE;
    stats = halveWithStats(pixels, fine, thumb);
  } else {
    fine = areaGrey(pixels, width, height, channels, THUMB_GRID, THUMB_GRID);
    thumb = thumbOf(fine);
  }
  const coeffs = new Float32Array(VIEWS * COEFFS);
  coeffs.set(lowDct(centredGrid(fine, stats, CENTRED)).subarray(1), 0);
  coeffs.set(lowDct(bodyFrameGrid(fine, stats, BODY)).subarray(1), COEFFS);
  return { coeffs, thumb };
}

/** The fine grid's sum and its moments along x and y, accumulated in the grid's order. */
interface FineStats {
  readonly sum: number;
  readonly sx: number;
  readonly sy: number;
}

/** Scratch grids of signatureOf, overwritten by every call (signatures are computed one at a time). */
const FINE = new Float64Array(THUMB);
const CENTRED = new Float64Array(GRID * GRID);
const BODY = new Float64Array(GRID * GRID);
/** The sample positions of centredGrid and bodyFrameGrid: each column's and row's cell and fraction (scratch). */
const COL_AT = new Int32Array(GRID);
const COL_T = new Float64Array(GRID);
const ROW_AT = new Int32Array(GRID);
const ROW_T = new Float64Array(GRID);

/**
 * The usual case in one pass: a 2·THUMB_GRID square 8-bit image's fine grid (the 2 × 2 gather of
 * wholeBoxGrey), its thumbnail and its centroid sums. The same bits as the separate passes: the
 * thumbnail rounds s / 4 as thumbOf does ((s + 2) >> 2 is Math.round of a quarter-integer in
 * 0…255), and the sums run in centredGrid's order.
 */
function halveWithStats(pixels: Uint8Array, fine: Float64Array, thumb: Uint8Array): FineStats {
  const n = THUMB_GRID;
  const w = 2 * n;
  let sum = 0;
  let sx = 0;
  let sy = 0;
  for (let gy = 0; gy < n; gy++) {
    const a = 2 * gy * w;
    const b = a + w;
    const o = gy * n;
    for (let gx = 0, x = 0; gx < n; gx++, x += 2) {
      const cell = pixels[a + x]! + pixels[a + x + 1]! + pixels[b + x]! + pixels[b + x + 1]!;
      const v = cell * 0.25;
      fine[o + gx] = v;
      thumb[o + gx] = (cell + 2) >> 2;
      sum += v;
      sx += v * gx;
      sy += v * gy;
    }
  }
  return { sum, sx, sy };
}

/** centredGrid's sums, for a fine grid that came without them. */
function fineStats(fine: Float64Array): FineStats {
  const n = THUMB_GRID;
  let sum = 0;
  let sx = 0;
  let sy = 0;
  for (let y = 0; y < n; y++) {
    for (let x = 0; x < n; x++) {
      const v = fine[y * n + x]!;
      sum += v;
      sx += v * x;
      sy += v * y;
    }
  }
  return { sum, sx, sy };
}

/**
 * The GRID × GRID hash grid, sampled from the fine grid around its intensity centroid instead of
 * its centre: a shifted copy (or an asymmetric border crop) then hashes like its original. The
 * shift is limited to 10 % of the side (a chest's centroid sits near the middle).
 */
/** Share of each side left out of the hash grid. */
const WINDOW_MARGIN = 0.12;

export function centredGrid(fine: Float64Array, stats: FineStats = fineStats(fine), out: Float64Array = new Float64Array(GRID * GRID)): Float64Array {
  const n = THUMB_GRID;
  const { sum, sx, sy } = stats;
  const c = (n - 1) / 2;
  const limit = 0.1 * n;
  const dx = sum > 0 ? Math.max(-limit, Math.min(limit, sx / sum - c)) : 0;
  const dy = sum > 0 ? Math.max(-limit, Math.min(limit, sy / sum - c)) : 0;
  // The central window only: burned-in markers and the black fill of a shift sit at the borders.
  const margin = WINDOW_MARGIN * n;
  const step = (n - 2 * margin) / GRID;
  // Each column's (and row's) cell and fraction once: they depend on one index. Module-level
  // bindings are read into locals first: V8 checks each read of one for its initialisation,
  // which in these loops cost as much as the arithmetic.
  const g = GRID;
  const colAt = COL_AT;
  const colT = COL_T;
  const rowAt = ROW_AT;
  const rowT = ROW_T;
  for (let k = 0; k < g; k++) {
    const fx = Math.min(n - 1, Math.max(0, margin + k * step + (step - 1) / 2 + dx));
    const fy = Math.min(n - 1, Math.max(0, margin + k * step + (step - 1) / 2 + dy));
    colAt[k] = Math.min(n - 2, Math.floor(fx));
    colT[k] = fx - colAt[k]!;
    rowAt[k] = Math.min(n - 2, Math.floor(fy));
    rowT[k] = fy - rowAt[k]!;
  }
  for (let gy = 0; gy < g; gy++) {
    const y0 = rowAt[gy]!;
    const ty = rowT[gy]!;
    for (let gx = 0; gx < g; gx++) {
      const tx = colT[gx]!;
      const i = y0 * n + colAt[gx]!;
      const top = fine[i]! + (fine[i + 1]! - fine[i]!) * tx;
      const bottom = fine[i + n]! + (fine[i + n + 1]! - fine[i + n]!) * tx;
      out[gy * g + gx] = top + (bottom - top) * ty;
    }
  }
  return out;
}

/** The coefficients' bytes can be copied as they lie in memory (the file is little-endian). */
const LITTLE_ENDIAN = endianness() === 'LE';

export function encodeSignatures(sigs: readonly Signature[]): Buffer {
  const out = Buffer.alloc(sigs.length * SIGNATURE_BYTES);
  const head = VIEWS * COEFFS * 4;
  sigs.forEach((s, i) => {
    const o = i * SIGNATURE_BYTES;
    if (LITTLE_ENDIAN) out.set(new Uint8Array(s.coeffs.buffer, s.coeffs.byteOffset, head), o);
    else for (let k = 0; k < VIEWS * COEFFS; k++) out.writeFloatLE(s.coeffs[k]!, o + 4 * k);
    out.set(s.thumb.subarray(0, THUMB), o + head);
  });
  return out;
}

export function decodeSignatures(bytes: Buffer, n: number): Signature[] | undefined {
  if (bytes.length !== n * SIGNATURE_BYTES) return undefined;
  const head = VIEWS * COEFFS * 4;
  const out: Signature[] = [];
  for (let i = 0; i < n; i++) {
    const o = i * SIGNATURE_BYTES;
    const coeffs = new Float32Array(VIEWS * COEFFS);
    if (LITTLE_ENDIAN) new Uint8Array(coeffs.buffer).set(bytes.subarray(o, o + head));
    else for (let k = 0; k < VIEWS * COEFFS; k++) coeffs[k] = bytes.readFloatLE(o + 4 * k);
    const thumb = new Uint8Array(THUMB);
    thumb.set(bytes.subarray(o + head, o + head + THUMB));
    out.push({ coeffs, thumb });
  }
  return out;
}

/** bodyFrameGrid's mask rows, pixels 0–31 and 32–63 (scratch, overwritten by every call). */
const MASK_LO = new Int32Array(THUMB_GRID);
const MASK_HI = new Int32Array(THUMB_GRID);
/** For each byte: how many bits are set, the sum of their positions (0–7) and of their squares. */
const BYTE_COUNT = new Int32Array(256);
const BYTE_SUM = new Int32Array(256);
const BYTE_SQUARES = new Int32Array(256);
for (let byte = 0; byte < 256; byte++) {
  for (let j = 0; j < 8; j++) {
    if ((byte >> j) & 1) {
      BYTE_COUNT[byte]! += 1;
      BYTE_SUM[byte]! += j;
      BYTE_SQUARES[byte]! += j * j;
    }
  }
}

/** Half-width of the body frame, in standard deviations of the body mask per axis. */
const BODY_SPAN = 1.2;

/**
 * The GRID × GRID grid of the body frame: the window of ±BODY_SPAN standard deviations (per
 * axis) of the body mask about its centroid. The mask is the pixels above the image's mean,
 * eroded by one pixel (3 × 3): burned-in text, a pixel or two wide on this grid, drops out, so a
 * marker does not move the frame; a border crop or a shift moves the body and its frame alike.
 * An image without a body (under 20 mask pixels) falls back to the centroid window.
 */
export function bodyFrameGrid(fine: Float64Array, stats?: FineStats, out: Float64Array = new Float64Array(GRID * GRID)): Float64Array {
  const n = THUMB_GRID;
  let mean = 0;
  // The grid's sum in its order: centredGrid's sum is the same number.
  if (stats !== undefined) mean = stats.sum;
  else for (let i = 0; i < fine.length; i++) mean += fine[i]!;
  mean /= fine.length;
  let s = 0;
  let sx = 0;
  let sy = 0;
  let sxx = 0;
  let syy = 0;
  // The 3 × 3 erosion on bits: each row of the mask is two 32-bit words (THUMB_GRID is 64), each
  // pixel compared once; a row's 3-wide AND is the row ANDed with itself shifted one pixel
  // either way (pixels beyond the edges count as outside, as they always did), and a column's
  // the AND of three rows. The sums are of integers, exact in any order: by byte, from tables.
  const lo = MASK_LO;
  const hi = MASK_HI;
  for (let y = 0; y < n; y++) {
    const o = y * n;
    let a = 0;
    let b = 0;
    for (let x = 0; x < 32; x++) {
      if (fine[o + x]! > mean) a |= 1 << x;
      if (fine[o + 32 + x]! > mean) b |= 1 << x;
    }
    lo[y] = a & (a << 1) & ((a >>> 1) | (b << 31));
    hi[y] = b & ((b << 1) | (a >>> 31)) & (b >>> 1);
  }
  const count = BYTE_COUNT;
  const first = BYTE_SUM;
  const second = BYTE_SQUARES;
  for (let y = 1; y < n - 1; y++) {
    const words = [lo[y - 1]! & lo[y]! & lo[y + 1]!, hi[y - 1]! & hi[y]! & hi[y + 1]!];
    for (let w = 0; w < 2; w++) {
      const word = words[w]!;
      for (let k = 0; k < 4; k++) {
        const byte = (word >>> (8 * k)) & 255;
        if (byte === 0) continue;
        const x0 = 32 * w + 8 * k;
        const c = count[byte]!;
        const s1 = first[byte]!;
        s += c;
        sx += c * x0 + s1;
        sy += c * y;
        sxx += c * x0 * x0 + 2 * x0 * s1 + second[byte]!;
        syy += c * y * y;
      }
    }
  }
  if (s < 20) return centredGrid(fine, stats, out);
  const cx = sx / s;
  const cy = sy / s;
  const hx = BODY_SPAN * Math.sqrt(Math.max(1, sxx / s - cx * cx));
  const hy = BODY_SPAN * Math.sqrt(Math.max(1, syy / s - cy * cy));
  // bilinear's clamped coordinates, once per column and once per row (each depends on one
  // index); module-level bindings in locals, as in centredGrid.
  const lastX = n - 1.001;
  const g = GRID;
  const colAt = COL_AT;
  const colT = COL_T;
  const rowAt = ROW_AT;
  const rowT = ROW_T;
  for (let k = 0; k < g; k++) {
    const x = Math.min(lastX, Math.max(0, cx + (((k + 0.5) / g) * 2 - 1) * hx));
    const y = Math.min(lastX, Math.max(0, cy + (((k + 0.5) / g) * 2 - 1) * hy));
    colAt[k] = Math.floor(x);
    colT[k] = x - Math.floor(x);
    rowAt[k] = Math.floor(y);
    rowT[k] = y - Math.floor(y);
  }
  for (let gy = 0; gy < g; gy++) {
    const ty = rowT[gy]!;
    const row = rowAt[gy]! * n;
    for (let gx = 0; gx < g; gx++) {
      const i = row + colAt[gx]!;
      const tx = colT[gx]!;
      const top = fine[i]! + (fine[i + 1]! - fine[i]!) * tx;
      const bottom = fine[i + n]! + (fine[i + n + 1]! - fine[i + n]!) * tx;
      out[gy * g + gx] = top + (bottom - top) * ty;
    }
  }
  return out;
}
