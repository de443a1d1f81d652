// The source probe's gradient, four rows at a time, must give the plain row-by-row loop's bits
// (the loop below is the probe's original code), for every remainder of n mod 4.
import { describe, expect, it } from 'vitest';
import { accumulateGradient } from '../../src/evaluate/probes/source-probe.ts';

function plainGradient(xs: Float64Array, labels: Int32Array, d: number, k: number, w: Float64Array): Float64Array {
  const n = labels.length;
  const grad = new Float64Array(k * (d + 1));
  const p = new Float64Array(k);
  for (let r = 0; r < n; r++) {
    let top = -Infinity;
    for (let c = 0; c < k; c++) {
      let s = w[c * (d + 1) + d]!;
      for (let j = 0; j < d; j++) s += w[c * (d + 1) + j]! * xs[r * d + j]!;
      p[c] = s;
      if (s > top) top = s;
    }
    let total = 0;
    for (let c = 0; c < k; c++) total += p[c] = Math.exp(p[c]! - top);
    for (let c = 0; c < k; c++) p[c]! /= total;
    for (let c = 0; c < k; c++) {
      const e = (p[c]! - (c === labels[r] ? 1 : 0)) / n;
      for (let j = 0; j < d; j++) grad[c * (d + 1) + j]! += e * xs[r * d + j]!;
      grad[c * (d + 1) + d]! += e;
    }
  }
  return grad;
}

describe('source probe gradient', () => {
  it('equals the row-by-row loop bit for bit', () => {
    let seed = 11;
    const next = (): number => (seed = (seed * 48271) % 2147483647) / 2147483647;
    for (const [n, d, k] of [[1, 3, 2], [2, 5, 3], [3, 7, 2], [4, 8, 4], [5, 9, 3], [7, 16, 5], [64, 33, 4], [203, 288, 5]] as const) {
      const xs = Float64Array.from({ length: n * d }, () => next() * 4 - 2);
      const labels = Int32Array.from({ length: n }, () => Math.floor(next() * k));
      const w = Float64Array.from({ length: k * (d + 1) }, () => next() - 0.5);
      const grad = new Float64Array(k * (d + 1));
      accumulateGradient(xs, labels, d, k, w, grad);
      const expected = plainGradient(xs, labels, d, k, w);
      expect(grad.every((v, i) => Object.is(v, expected[i])), `n ${n}, d ${d}, k ${k}`).toBe(true);
      // Not trivially zero: the gradient of a random model is not.
      expect(grad.some((v) => v !== 0)).toBe(true);
    }
  });
});
