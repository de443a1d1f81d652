/**
 * The candidate index's parts (docs/dedupe.md, "Candidates"): the hand-assembled wasm SIMD
 * distances against a plain float32 reference, and the principal axes against their definition.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { referenceDistance, simdDistances } from '../../../src/data/dedupe/search-simd.ts';
import { eigenvectors } from '../../../src/data/dedupe/search-pca.ts';

describe('candidate index parts', () => {
  it('the wasm sums equal the float32 reference bit for bit, and are squared distances', () => {
    const floats = fc.float({ min: -1000, max: 1000, noNaN: true, noDefaultInfinity: true });
    fc.assert(
      fc.property(fc.array(floats, { minLength: 128, maxLength: 128 }), fc.array(floats, { minLength: 32, maxLength: 32 }), fc.double({ min: 0, max: 1e7, noNaN: true }), (rows, lead, bound) => {
        const d = simdDistances(512 + 128, 4);
        d.floats.set(rows, 0);
        d.floats.set(lead, 128);
        const full = d.full(0, 256);
        expect(Object.is(full, referenceDistance(d.floats, 0, 256, 16))).toBe(true);
        const l = d.lead(512, 576);
        expect(Object.is(l, referenceDistance(d.floats, 512, 576, 4))).toBe(true);
        expect(Object.is(d.bounded(512, 576, 0, 256, bound), l > bound ? l : full)).toBe(true);
        const exact = rows.slice(0, 64).reduce((s, v, k) => s + (v - rows[64 + k]!) ** 2, 0);
        expect(Math.abs(full - exact)).toBeLessThanOrEqual(1e-5 * exact + 1e-30);
      }),
      { numRuns: 200 },
    );
  });

  it('principal axes: each row is a unit eigenvector, values in decreasing order', () => {
    fc.assert(
      fc.property(fc.array(fc.double({ min: -3, max: 3, noNaN: true }), { minLength: 36, maxLength: 36 }), (xs) => {
        const d = 6;
        // A = Bᵀ B is symmetric positive semi-definite
        const a = new Float64Array(d * d);
        for (let p = 0; p < d; p++) for (let q = 0; q < d; q++) for (let r = 0; r < d; r++) a[p * d + q]! += xs[r * d + p]! * xs[r * d + q]!;
        const { values, vectors } = eigenvectors(a, d);
        const scale = Math.max(1, ...values);
        for (let r = 0; r < d; r++) {
          if (r > 0) expect(values[r]!).toBeLessThanOrEqual(values[r - 1]! + 1e-9 * scale);
          let norm = 0;
          for (let k = 0; k < d; k++) norm += vectors[r * d + k]! ** 2;
          expect(Math.abs(norm - 1)).toBeLessThan(1e-9);
          for (let p = 0; p < d; p++) {
            let av = 0;
            for (let q = 0; q < d; q++) av += a[p * d + q]! * vectors[r * d + q]!;
            expect(Math.abs(av - values[r]! * vectors[r * d + p]!)).toBeLessThan(1e-7 * scale);
          }
        }
      }),
      { numRuns: 100 },
    );
  });
});
