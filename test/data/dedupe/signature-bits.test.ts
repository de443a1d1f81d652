// signatureOf's DCT sums eight frequencies side by side and its thumbnail rounds with a
// branch: both must give the plain loops' bits (the plain loops are written out here).
import { describe, expect, it } from 'vitest';
import { areaGrey, bodyFrameGrid, centredGrid, signatureOf, COEFFS, GRID, THUMB_GRID } from '../../../src/data/dedupe/signature.ts';

function plainLowDct(grid: Float64Array): Float64Array {
  const basis = (u: number, x: number): number => Math.cos(((2 * x + 1) * u * Math.PI) / (2 * GRID));
  const rows = new Float64Array(GRID * 8);
  for (let y = 0; y < GRID; y++) {
    for (let u = 0; u < 8; u++) {
      let s = 0;
      for (let x = 0; x < GRID; x++) s += grid[y * GRID + x]! * basis(u, x);
      rows[y * 8 + u] = s;
    }
  }
  const out = new Float64Array(64);
  for (let v = 0; v < 8; v++) {
    for (let u = 0; u < 8; u++) {
      let s = 0;
      for (let y = 0; y < GRID; y++) s += rows[y * 8 + u]! * basis(v, y);
      out[v * 8 + u] = s;
    }
  }
  return out;
}

describe('signature bits', () => {
  it('coefficients and thumbnail equal the plain loops', () => {
    let seed = 17;
    const next = (): number => (seed = (seed * 48271) % 2147483647) / 2147483647;
    for (const [w, h, c] of [[128, 128, 1], [96, 80, 1], [64, 64, 3]] as const) {
      for (let k = 0; k < 4; k++) {
        const px = new Uint8Array(w * h * c);
        for (let i = 0; i < px.length; i++) {
          const p = Math.floor(i / c);
          const x = p % w;
          const y = Math.floor(p / w);
          px[i] = Math.round(255 * Math.min(1, 0.7 * Math.exp(-((x - w / 2 - 3 * k) ** 2 + (y - h / 2) ** 2) / (8 * w)) + 0.3 * next()));
        }
        const sig = signatureOf(px, w, h, c);
        const fine = areaGrey(px, w, h, c, THUMB_GRID, THUMB_GRID);
        const views = [plainLowDct(centredGrid(fine)), plainLowDct(bodyFrameGrid(fine))];
        views.forEach((dct, view) => {
          for (let j = 0; j < COEFFS; j++) expect(Object.is(sig.coeffs[view * COEFFS + j], Math.fround(dct[j + 1]!)), `${w}×${h}×${c} #${k} view ${view} coeff ${j}`).toBe(true);
        });
        const thumb = Uint8Array.from(fine, (v) => Math.max(0, Math.min(255, Math.round(v))));
        expect(Buffer.from(sig.thumb).equals(Buffer.from(thumb))).toBe(true);
      }
    }
  });
});
