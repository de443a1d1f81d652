// areaGrey's fast paths (one 8-bit channel shrunk by a power of two per axis: integer sums; every pixel inside one cell: flat loops) must give the generic path's
// bits: the same grey image as three equal channels takes the generic path, and (3v)/3 = v exactly.
import { describe, expect, it } from 'vitest';
import { areaGrey } from '../../../src/data/dedupe/signature.ts';

describe('areaGrey', () => {
  it('one channel (fast path) equals the same image as three equal channels (generic path), bit for bit', () => {
    let seed = 3;
    const next = (): number => (seed = (seed * 48271) % 2147483647) / 2147483647;
    for (const [w, h, gw, gh] of [[128, 128, 64, 64], [256, 256, 64, 64], [128, 64, 32, 32], [256, 192, 64, 64], [64, 64, 32, 32], [96, 128, 32, 64]] as const) {
      const grey = Uint8Array.from({ length: w * h }, () => Math.floor(next() * 256));
      const rgb = new Uint8Array(w * h * 3);
      grey.forEach((v, i) => rgb.fill(v, 3 * i, 3 * i + 3));
      const fast = areaGrey(grey, w, h, 1, gw, gh);
      const generic = areaGrey(rgb, w, h, 3, gw, gh);
      expect(fast.every((v, i) => Object.is(v, generic[i])), `${w}×${h} → ${gw}×${gh}`).toBe(true);
      // And it is the block mean: the first cell by hand.
      const bx = w / gw, by = h / gh;
      let s = 0;
      for (let y = 0; y < by; y++) for (let x = 0; x < bx; x++) s += grey[y * w + x]!;
      expect(fast[0]).toBeCloseTo(s / (bx * by), 9);
    }
  });
});
