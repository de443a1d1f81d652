/**
 * Area (box-average) resampling, as OpenCV's INTER_AREA: each output pixel is the mean of the
 * input pixels it covers, weighted by overlap. sharp has no such kernel; it matters when
 * shrinking large radiographs, where nearest-neighbour aliases thin structures such as ribs.
 *
 * Every path gives the bits of the definition written out (test/data/resize-area.test.ts): the
 * cache keys prepared pixels by settings, not by code, so a faster path must not change them.
 */
export function resizeArea<T extends Uint8Array | Uint16Array>(src: T, sw: number, sh: number, c: number, dw: number, dh: number): T {
  const out = (src instanceof Uint16Array ? new Uint16Array(dw * dh * c) : new Uint8Array(dw * dh * c)) as T;
  const max = src instanceof Uint16Array ? 65535 : 255;
  const fx = sw / dw;
  const fy = sh / dh;
  if (Number.isInteger(fx) && Number.isInteger(fy)) wholeFactor(src, sw, c, dw, dh, fx, fy, out);
  else weighted(src, sw, sh, c, dw, dh, out, max);
  return out;
}

/**
 * A shrink by whole factors (prep's usual 256 → 128): every weight is 1, so the definition's
 * float sum of weighted samples is the exact integer sum, and its area the exact cell size; the
 * same division and rounding of the same two numbers, without the per-pixel overlap arithmetic
 * (1.6 ms → a tenth of that for a 256² image). The mean of samples never leaves their range.
 */
function wholeFactor(src: Uint8Array | Uint16Array, sw: number, c: number, dw: number, dh: number, fx: number, fy: number, out: Uint8Array | Uint16Array): void {
  const area = fx * fy;
  if (c === 1 && fx === 2 && fy === 2) {
    for (let oy = 0; oy < dh; oy++) {
      const a = 2 * oy * sw;
      const b = a + sw;
      const o = oy * dw;
      for (let ox = 0, x = 0; ox < dw; ox++, x += 2) out[o + ox] = Math.round((src[a + x]! + src[a + x + 1]! + src[b + x]! + src[b + x + 1]!) / 4);
    }
    return;
  }
  const rowSums = new Float64Array(dw * c);
  for (let oy = 0; oy < dh; oy++) {
    rowSums.fill(0);
    for (let y = oy * fy; y < (oy + 1) * fy; y++) {
      const line = y * sw * c;
      for (let ox = 0; ox < dw; ox++) {
        const first = line + ox * fx * c;
        for (let k = 0; k < c; k++) {
          let s = 0;
          for (let x = 0; x < fx; x++) s += src[first + x * c + k]!;
          rowSums[ox * c + k]! += s;
        }
      }
    }
    const o = oy * dw * c;
    for (let i = 0; i < dw * c; i++) out[o + i] = Math.round(rowSums[i]! / area);
  }
}

/** The overlap of source pixel `i`'s [i, i + 1) with [a, b), as the definition computes it. */
const overlap = (i: number, a: number, b: number): number => Math.min(i + 1, b) - Math.max(i, a);

/**
 * Fractional factors: the definition's loops, with each axis's overlaps computed once per output
 * column or row instead of once per source pixel (the same expressions, so the same weights).
 */
function weighted(src: Uint8Array | Uint16Array, sw: number, sh: number, c: number, dw: number, dh: number, out: Uint8Array | Uint16Array, max: number): void {
  const sx = sw / dw;
  const sy = sh / dh;
  // Per output column: its first source column and the overlap of each column it covers.
  const xFirst = new Int32Array(dw);
  const xCount = new Int32Array(dw);
  const xWeights: number[] = [];
  const xAt = new Int32Array(dw);
  for (let ox = 0; ox < dw; ox++) {
    const x0 = ox * sx;
    const x1 = x0 + sx;
    xFirst[ox] = Math.floor(x0);
    xCount[ox] = Math.min(Math.ceil(x1), sw) - Math.floor(x0);
    xAt[ox] = xWeights.length;
    for (let x = Math.floor(x0); x < Math.min(Math.ceil(x1), sw); x++) xWeights.push(overlap(x, x0, x1));
  }
  const wx = Float64Array.from(xWeights);
  const acc = new Float64Array(c);
  for (let oy = 0; oy < dh; oy++) {
    const y0 = oy * sy;
    const y1 = y0 + sy;
    const yEnd = Math.min(Math.ceil(y1), sh);
    for (let ox = 0; ox < dw; ox++) {
      const xs = xFirst[ox]!;
      const n = xCount[ox]!;
      const at = xAt[ox]!;
      if (c === 1) {
        // One channel: the same sums in a local instead of acc[0] (half the time).
        let sum = 0;
        let area = 0;
        for (let y = Math.floor(y0); y < yEnd; y++) {
          const wy = overlap(y, y0, y1);
          const row = y * sw + xs;
          for (let j = 0; j < n; j++) {
            const w = wy * wx[at + j]!;
            sum = sum + w * src[row + j]!;
            area += w;
          }
        }
        out[oy * dw + ox] = Math.min(max, Math.max(0, Math.round(sum / area)));
        continue;
      }
      acc.fill(0);
      let area = 0;
      for (let y = Math.floor(y0); y < yEnd; y++) {
        const wy = overlap(y, y0, y1);
        for (let j = 0; j < n; j++) {
          const w = wy * wx[at + j]!;
          const base = (y * sw + xs + j) * c;
          for (let k = 0; k < c; k++) acc[k] = acc[k]! + w * src[base + k]!;
          area += w;
        }
      }
      const o = (oy * dw + ox) * c;
      for (let k = 0; k < c; k++) out[o + k] = Math.min(max, Math.max(0, Math.round(acc[k]! / area)));
    }
  }
}
