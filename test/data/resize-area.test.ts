// resizeArea's fast paths (whole factors: integer sums; fractional factors: overlaps computed
// once per axis) must give the bits of the definition, written out here as it first shipped:
// the cache keys prepared pixels by their settings, so the code must not change them.
import { describe, expect, it } from 'vitest';
import { resizeArea } from '../../src/data/resize-area.ts';

function definition<T extends Uint8Array | Uint16Array>(src: T, sw: number, sh: number, c: number, dw: number, dh: number): T {
  const out = (src instanceof Uint16Array ? new Uint16Array(dw * dh * c) : new Uint8Array(dw * dh * c)) as T;
  const max = src instanceof Uint16Array ? 65535 : 255;
  const sx = sw / dw;
  const sy = sh / dh;
  for (let oy = 0; oy < dh; oy++) {
    for (let ox = 0; ox < dw; ox++) {
      const acc = new Float64Array(c);
      let area = 0;
      for (let y = Math.floor(oy * sy); y < Math.min(Math.ceil(oy * sy + sy), sh); y++) {
        const wy = Math.min(y + 1, oy * sy + sy) - Math.max(y, oy * sy);
        for (let x = Math.floor(ox * sx); x < Math.min(Math.ceil(ox * sx + sx), sw); x++) {
          const w = wy * (Math.min(x + 1, ox * sx + sx) - Math.max(x, ox * sx));
          for (let k = 0; k < c; k++) acc[k] = acc[k]! + w * src[(y * sw + x) * c + k]!;
          area += w;
        }
      }
      for (let k = 0; k < c; k++) out[(oy * dw + ox) * c + k] = Math.min(max, Math.max(0, Math.round(acc[k]! / area)));
    }
  }
  return out;
}

describe('resizeArea', () => {
  let seed = 5;
  const next = (): number => (seed = (seed * 48271) % 2147483647) / 2147483647;
  const cases = [
    [256, 256, 1, 128, 128], // prep's phantoms: a 2 × 2 box
    [300, 200, 1, 100, 50], // whole factors 3 and 4
    [64, 64, 3, 64, 64], // factor 1: a copy
    [97, 131, 1, 32, 40], // fractional
    [250, 180, 3, 64, 64], // fractional, three channels
    [40, 30, 1, 64, 48], // an enlargement
  ] as const;
  for (const depth of [8, 16] as const) {
    for (const [sw, sh, c, dw, dh] of cases) {
      it(`${sw}×${sh}×${c} → ${dw}×${dh}, ${depth}-bit: the definition's bits`, () => {
        const top = depth === 8 ? 255 : 65535;
        const n = sw * sh * c;
        // Random values, and runs of the extremes (rounding at the ends of the range).
        const values = Array.from({ length: n }, (_, i) => (i % 97 < 10 ? top : i % 89 < 8 ? 0 : Math.floor(next() * (top + 1))));
        const src = depth === 8 ? Uint8Array.from(values) : Uint16Array.from(values);
        const fast = resizeArea(src, sw, sh, c, dw, dh);
        const slow = definition(src, sw, sh, c, dw, dh);
        expect(fast.constructor).toBe(src.constructor);
        expect(fast.length).toBe(dw * dh * c);
        expect(Array.from(fast)).toEqual(Array.from(slow));
      });
    }
  }
  it('a 2 × 2 box is the rounded mean of its four pixels (by hand)', () => {
    const src = Uint8Array.from([0, 1, 10, 10, 2, 2, 10, 11]); // 4 × 2
    expect(Array.from(resizeArea(src, 4, 2, 1, 2, 1))).toEqual([Math.round(5 / 4), Math.round(41 / 4)]);
  });
});
