// Reductions over middle axes (global average pooling) and the Mean gradient over any contiguous
// run of axes, computed without the cpu kernels' transpose and broadcasting multiply: the same
// arithmetic, so the same bytes as the cpu backend.
import * as tf from '@tensorflow/tfjs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { axisRun } from '../../../src/engine/native/kernels.ts';
import { both, nativeBackend, skipReason, values } from './compare.ts';

describe('axisRun', () => {
  it('splits a shape around one contiguous run of axes and rejects gaps', () => {
    expect(axisRun([1, 2], [16, 2, 3, 64])).toEqual({ outer: 16, reduce: 6, inner: 64, first: 1, last: 2 });
    expect(axisRun([-1], [4, 5])).toEqual({ outer: 4, reduce: 5, inner: 1, first: 1, last: 1 });
    expect(axisRun(undefined, [4, 5])).toEqual({ outer: 1, reduce: 20, inner: 1, first: 0, last: 1 });
    expect(axisRun([0, 2], [4, 5, 6])).toBeUndefined();
  });
});

describe.skipIf(nativeBackend === undefined)(nativeBackend === undefined ? skipReason : 'middle-axis reductions vs cpu', () => {
  it('Mean and Sum over a contiguous run of axes and the Mean gradient: bit-identical to the cpu backend', async () => {
    const arb = fc.record({
      shape: fc.array(fc.integer({ min: 1, max: 7 }), { minLength: 2, maxLength: 4 }),
      first: fc.nat(3), len: fc.integer({ min: 1, max: 3 }), keep: fc.boolean(), seed: fc.integer({ min: 1, max: 2 ** 31 - 1 }),
    });
    await fc.assert(fc.asyncProperty(arb, async (p) => {
      const first = Math.min(p.first, p.shape.length - 1);
      const axes = [...Array(Math.min(p.len, p.shape.length - first)).keys()].map((i) => first + i);
      const n = p.shape.reduce((a, b) => a * b, 1);
      const r = await both(() => {
        const x = tf.tensor(values(n, p.seed), p.shape);
        const m = tf.mean(x, axes, p.keep);
        const dy = tf.tensor(values(m.size, p.seed + 1), m.shape);
        return [m, tf.sum(x, axes, p.keep), tf.grad((t: tf.Tensor) => tf.mean(t, axes, p.keep))(x, dy)];
      });
      r.cpu.forEach((c, i) => expect(Buffer.from(r.native[i]!.buffer)).toEqual(Buffer.from(c.buffer)));
    }), { numRuns: 40 });
  });

  it('global average pooling of an NHWC batch, forward and gradient', async () => {
    const r = await both(() => {
      const x = tf.tensor4d(values(4 * 2 * 2 * 256, 7), [4, 2, 2, 256]);
      const dy = tf.tensor2d(values(4 * 256, 8), [4, 256]);
      return [tf.mean(x, [1, 2]), tf.grad((t: tf.Tensor) => tf.mean(t, [1, 2]))(x, dy)];
    });
    r.cpu.forEach((c, i) => expect(Buffer.from(r.native[i]!.buffer)).toEqual(Buffer.from(c.buffer)));
  });
});

describe.skipIf(nativeBackend === undefined)(nativeBackend === undefined ? skipReason : 'relu gradient vs cpu', () => {
  it('the ReLU gradient is dy × step(x), bit-identical to the cpu backend (zeros, negative zeros, NaN in x, NaN and infinities in dy)', async () => {
    const n = 1000;
    const x = values(n, 3), dy = values(n, 4);
    x[0] = 0; x[1] = -0; x[2] = 1e-40; x[3] = -1e-40; x[9] = Number.NaN;
    dy[4] = Number.POSITIVE_INFINITY; dy[5] = Number.NEGATIVE_INFINITY; dy[6] = Number.NaN; dy[7] = -0; dy[8] = 0;
    x[4] = -1; x[5] = 1; x[6] = 2; x[7] = 3; x[8] = -3;
    const r = await both(() => tf.grad((t: tf.Tensor) => tf.relu(t))(tf.tensor1d(x), tf.tensor1d(dy)));
    expect(Buffer.from(r.native[0]!.buffer)).toEqual(Buffer.from(r.cpu[0]!.buffer));
  });
});
