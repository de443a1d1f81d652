// Slice and PadV2 on the native engine: block copies giving the cpu kernels' bytes, and the
// ZeroPadding2D gradient (a non-contiguous Slice) through them.
import * as tf from '@tensorflow/tfjs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { both, nativeBackend, skipReason, values } from './compare.ts';

const same = (r: { cpu: Float32Array[]; native: Float32Array[] }): void => {
  expect(r.native.length).toBe(r.cpu.length);
  r.cpu.forEach((c, i) => expect(Buffer.from(r.native[i]!.buffer).equals(Buffer.from(c.buffer))).toBe(true));
};

describe.skipIf(nativeBackend === undefined)(nativeBackend === undefined ? skipReason : 'copy kernels (native)', () => {
  it('Slice: any box of a rank-1..4 tensor, the cpu kernel\'s bytes', async () => {
    await fc.assert(fc.asyncProperty(
      fc.array(fc.integer({ min: 1, max: 5 }), { minLength: 1, maxLength: 4 }), fc.integer({ min: 1, max: 1e6 }), fc.array(fc.nat(), { minLength: 8, maxLength: 8 }),
      async (shape, seed, picks) => {
        const begin = shape.map((d, i) => picks[i]! % d);
        const size = shape.map((d, i) => 1 + (picks[i + 4]! % (d - begin[i]!)));
        const n = shape.reduce((p, d) => p * d, 1);
        same(await both(() => tf.tensor(values(n, seed), shape).slice(begin, size)));
      }), { numRuns: 60 });
  });

  it('PadV2: constant padding of rank-1..4 tensors, the cpu kernel\'s bytes', async () => {
    await fc.assert(fc.asyncProperty(
      fc.array(fc.integer({ min: 1, max: 4 }), { minLength: 1, maxLength: 4 }), fc.array(fc.integer({ min: 0, max: 3 }), { minLength: 8, maxLength: 8 }), fc.double({ min: -2, max: 2, noNaN: true }),
      async (shape, pads, value) => {
        const paddings = shape.map((_, i) => [pads[i]!, pads[i + 4]!] as [number, number]);
        const n = shape.reduce((p, d) => p * d, 1);
        same(await both(() => tf.tensor(values(n, 5), shape).pad(paddings, value)));
      }), { numRuns: 60 });
  });

  it('the gradient of ZeroPadding2D-style padding (NHWC), as on the cpu backend', async () => {
    same(await both(() => {
      const x = tf.tensor4d(values(2 * 5 * 6 * 3, 9), [2, 5, 6, 3]);
      const dy = tf.tensor4d(values(2 * 9 * 8 * 3, 10), [2, 9, 8, 3]);
      return tf.grad((t: tf.Tensor) => t.pad([[0, 0], [3, 1], [1, 1], [0, 0]]).mul(dy).sum())(x);
    }));
  });
});
