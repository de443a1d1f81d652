/**
 * The perceptual signature of one prepared image (docs/dedupe.md): computed from the pixels the
 * prep node already decoded and resized, never from the file again.
 *
 * - `thumb`: a grey 64×64 grid by area averaging (three channels are averaged first), uint8,
 *   which verification (verify.ts) aligns and filters;
 * - the hash grid: 32×32 samples of the thumbnail's central window (12 % of each side left out,
 *   where burned-in markers and a shift's black fill sit), centred on the intensity centroid so
 *   that a shifted copy hashes like its original;
 * - `phash`: a separable 32×32 DCT of that grid, its 8×8 lowest frequencies (DC left out of the
 *   median), each bit "above the median" — robust to re-encoding, resizing and intensity changes;
 * - `dhash`: 8 rows × 8 horizontal gradient signs of a 9×8 average — an independent second index.
 */
/** Prepared samples (prep-cache's `Pixels`; not imported, so that the cache can import this file). */
type Pixels = Uint8Array | Uint16Array;

export const GRID = 32;
/** Side of the verification thumbnail: finer than the hash grid, so vessels and markers show. */
export const THUMB_GRID: number = 64;
export const THUMB = THUMB_GRID * THUMB_GRID;
/** Bytes of one signature in a sidecar file: 2 × 8 bytes of hashes, then the thumbnail. */
export const SIGNATURE_BYTES = 16 + THUMB;

export interface Signature {
  /** 64-bit DCT hash as [high 32 bits, low 32 bits]. */
  readonly phash: readonly [number, number];
  readonly dhash: readonly [number, number];
  /** The GRID × GRID grey grid, uint8 (verification aligns and high-passes it). */
  readonly thumb: Uint8Array;
}

/** Box-averaged grey values of an h × w × c image on a `gw × gh` grid (float). */
export function areaGrey(pixels: Pixels, w: number, h: number, c: number, gw: number, gh: number): Float64Array {
  const out = new Float64Array(gw * gh);
  const area = new Float64Array(gw * gh);
  const scale = pixels instanceof Uint16Array ? 1 / 257 : 1;
  // Each source pixel goes to the cells it overlaps; separable weights keep this O(w·h).
  const xs = spans(w, gw);
  const ys = spans(h, gh);
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

/** 8×8 lowest DCT frequencies of the GRID×GRID grid, separably (rows, then columns). */
function lowDct(grid: Float64Array): Float64Array {
  const rows = new Float64Array(GRID * 8);
  for (let y = 0; y < GRID; y++) {
    for (let u = 0; u < 8; u++) {
      let s = 0;
      for (let x = 0; x < GRID; x++) s += grid[y * GRID + x]! * BASIS[u * GRID + x]!;
      rows[y * 8 + u] = s;
    }
  }
  const out = new Float64Array(64);
  for (let v = 0; v < 8; v++) {
    for (let u = 0; u < 8; u++) {
      let s = 0;
      for (let y = 0; y < GRID; y++) s += rows[y * 8 + u]! * BASIS[v * GRID + y]!;
      out[v * 8 + u] = s;
    }
  }
  return out;
}

function bitsToPair(bits: readonly boolean[]): [number, number] {
  let hi = 0;
  let lo = 0;
  for (let i = 0; i < 32; i++) hi = (hi << 1) | (bits[i] ? 1 : 0);
  for (let i = 32; i < 64; i++) lo = (lo << 1) | (bits[i] ? 1 : 0);
  return [hi >>> 0, lo >>> 0];
}

function phashOf(grid: Float64Array): [number, number] {
  const coeffs = lowDct(grid);
  const ac = Array.from(coeffs.subarray(1)).sort((a, b) => a - b);
  const median = (ac[31]! + ac[32]!) / 2;
  return bitsToPair(Array.from(coeffs, (v, i) => i !== 0 && v > median));
}

function dhashOf(grid: Float64Array): [number, number] {
  // 9 × 8 cell means of the 32×32 grid, then left < right per row
  const cols = 9;
  const small = new Float64Array(cols * 8);
  for (let r = 0; r < 8; r++) {
    for (let q = 0; q < cols; q++) {
      const x0 = (q * GRID) / cols;
      const x1 = ((q + 1) * GRID) / cols;
      let s = 0;
      let a = 0;
      for (let y = r * 4; y < r * 4 + 4; y++) {
        for (let x = Math.floor(x0); x < Math.ceil(x1); x++) {
          const wgt = Math.min(x + 1, x1) - Math.max(x, x0);
          s += wgt * grid[y * GRID + x]!;
          a += wgt;
        }
      }
      small[r * cols + q] = s / a;
    }
  }
  const bits: boolean[] = [];
  for (let r = 0; r < 8; r++) for (let q = 0; q < 8; q++) bits.push(small[r * cols + q]! < small[r * cols + q + 1]!);
  return bitsToPair(bits);
}

/** The stored thumbnail: the grey grid rounded to uint8 (verification aligns and filters it). */
export function thumbOf(grid: Float64Array): Uint8Array {
  return Uint8Array.from(grid, (v) => Math.max(0, Math.min(255, Math.round(v))));
}

/** The signature of one prepared image (h × w × c samples, HWC). */
export function signatureOf(pixels: Pixels, width: number, height: number, channels: number): Signature {
  const fine = areaGrey(pixels, width, height, channels, THUMB_GRID, THUMB_GRID);
  const grid = centredGrid(fine);
  return { phash: phashOf(grid), dhash: dhashOf(grid), thumb: thumbOf(fine) };
}

/**
 * The GRID × GRID hash grid, sampled from the fine grid around its intensity centroid instead of
 * its centre: a shifted copy (or an asymmetric border crop) then hashes like its original. The
 * shift is limited to 10 % of the side (a chest's centroid sits near the middle).
 */
/** Share of each side left out of the hash grid. */
const WINDOW_MARGIN = 0.12;

export function centredGrid(fine: Float64Array): Float64Array {
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
  const c = (n - 1) / 2;
  const limit = 0.1 * n;
  const dx = sum > 0 ? Math.max(-limit, Math.min(limit, sx / sum - c)) : 0;
  const dy = sum > 0 ? Math.max(-limit, Math.min(limit, sy / sum - c)) : 0;
  // The central window only: burned-in markers and the black fill of a shift sit at the borders.
  const margin = WINDOW_MARGIN * n;
  const step = (n - 2 * margin) / GRID;
  const out = new Float64Array(GRID * GRID);
  for (let gy = 0; gy < GRID; gy++) {
    const fy = Math.min(n - 1, Math.max(0, margin + gy * step + (step - 1) / 2 + dy));
    const y0 = Math.min(n - 2, Math.floor(fy));
    const ty = fy - y0;
    for (let gx = 0; gx < GRID; gx++) {
      const fx = Math.min(n - 1, Math.max(0, margin + gx * step + (step - 1) / 2 + dx));
      const x0 = Math.min(n - 2, Math.floor(fx));
      const tx = fx - x0;
      const i = y0 * n + x0;
      const top = fine[i]! + (fine[i + 1]! - fine[i]!) * tx;
      const bottom = fine[i + n]! + (fine[i + n + 1]! - fine[i + n]!) * tx;
      out[gy * GRID + gx] = top + (bottom - top) * ty;
    }
  }
  return out;
}

export function encodeSignatures(sigs: readonly Signature[]): Buffer {
  const out = Buffer.alloc(sigs.length * SIGNATURE_BYTES);
  sigs.forEach((s, i) => {
    const o = i * SIGNATURE_BYTES;
    out.writeUInt32LE(s.phash[0], o);
    out.writeUInt32LE(s.phash[1], o + 4);
    out.writeUInt32LE(s.dhash[0], o + 8);
    out.writeUInt32LE(s.dhash[1], o + 12);
    Buffer.from(s.thumb.buffer, s.thumb.byteOffset, THUMB).copy(out, o + 16);
  });
  return out;
}

export function decodeSignatures(bytes: Buffer, n: number): Signature[] | undefined {
  if (bytes.length !== n * SIGNATURE_BYTES) return undefined;
  const out: Signature[] = [];
  for (let i = 0; i < n; i++) {
    const o = i * SIGNATURE_BYTES;
    const thumb = new Uint8Array(THUMB);
    thumb.set(bytes.subarray(o + 16, o + 16 + THUMB));
    out.push({ phash: [bytes.readUInt32LE(o), bytes.readUInt32LE(o + 4)], dhash: [bytes.readUInt32LE(o + 8), bytes.readUInt32LE(o + 12)], thumb });
  }
  return out;
}
