// Two newer paths of docs/native-engine.md (on by default; set here explicitly), against the cpu backend: CVR_NATIVE_POINTWISE_GEMM=1
// (1×1 stride-1 unpadded convolutions as one sgemm each, forward and both gradients) and
// CVR_NATIVE_DW_LAYOUT=nhwc (depthwise convolutions on tfjs's layout). Both switches are read
// when the backend loads, so they are set before the (dynamic) import.
import * as tf from '@tensorflow/tfjs';
import fc from 'fast-check';
import { describe, it } from 'vitest';

process.env['CVR_NATIVE_POINTWISE_GEMM'] = '1';
process.env['CVR_NATIVE_DW_LAYOUT'] = 'nhwc';
const { both, expectAllClose, nativeBackend, skipReason, values } = await import('./compare.ts');

const t4 = (shape: [number, number, number, number], seed: number): tf.Tensor4D =>
  tf.tensor4d(values(shape[0] * shape[1] * shape[2] * shape[3], seed), shape);

const shapes = fc.record({
  n: fc.integer({ min: 1, max: 3 }), h: fc.integer({ min: 1, max: 9 }), w: fc.integer({ min: 1, max: 9 }),
  ci: fc.integer({ min: 1, max: 17 }), co: fc.integer({ min: 1, max: 17 }), seed: fc.integer({ min: 1, max: 1e6 }),
});

describe.skipIf(nativeBackend === undefined)(nativeBackend === undefined ? skipReason : 'native opt-in paths', () => {
  it('a 1×1 convolution as sgemm: forward and both gradients equal the cpu backend', async () => {
    await fc.assert(fc.asyncProperty(shapes, async (p) => {
      const x = (): tf.Tensor4D => t4([p.n, p.h, p.w, p.ci], p.seed);
      const w = (): tf.Tensor4D => t4([1, 1, p.ci, p.co], p.seed + 1);
      const dy = (): tf.Tensor4D => t4([p.n, p.h, p.w, p.co], p.seed + 2);
      expectAllClose(await both(() => tf.conv2d(x(), w(), 1, 'valid')));
      expectAllClose(await both(() => tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, 1, 'same'))([x(), w()], dy())));
    }), { numRuns: 25 });
  });

  it('depthwise convolutions in nhwc: forward and both gradients equal the cpu backend', async () => {
    await fc.assert(fc.asyncProperty(shapes, fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 2 }), async (p, k, stride) => {
      const h = Math.max(p.h, k), w = Math.max(p.w, k);
      const x = (): tf.Tensor4D => t4([p.n, h, w, p.ci], p.seed);
      const f = (): tf.Tensor4D => t4([k, k, p.ci, 1], p.seed + 1);
      const out = tf.tidy(() => tf.depthwiseConv2d(x(), f(), stride, 'same').shape);
      const dy = (): tf.Tensor4D => t4(out as [number, number, number, number], p.seed + 2);
      expectAllClose(await both(() => tf.depthwiseConv2d(x(), f(), stride, 'same')));
      expectAllClose(await both(() => tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.depthwiseConv2d(a as tf.Tensor4D, b as tf.Tensor4D, stride, 'same'))([x(), f()], dy())));
    }), { numRuns: 20 });
  });

});
