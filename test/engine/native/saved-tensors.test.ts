// Saved-for-backward tensors as plain handles on the native backend (src/engine/native/saved-tensors.ts):
// no leaks, the same first-order gradients as the cpu backend, and second-order gradients intact.
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { both, expectAllClose, nativeBackend, onBackend, skipReason, values } from './compare.ts';

describe.skipIf(nativeBackend === undefined)(nativeBackend === undefined ? skipReason : 'saved tensors without clones (native)', () => {
  it('a gradient step leaves no tensor and no data behind', async () => {
    await onBackend(nativeBackend!, () => {
      const w = tf.variable(tf.tensor2d(values(12, 1), [3, 4]));
      const x = tf.tensor2d(values(6, 2), [2, 3]);
      const f = () => tf.relu(tf.matMul(x, w)).square().sum() as tf.Scalar;
      const step = (): void => {
        const r = tf.variableGrads(f);
        tf.dispose([r.value, ...Object.values(r.grads)]);
      };
      step(); // warm-up
      const before = tf.memory();
      for (let i = 0; i < 3; i++) step();
      const after = tf.memory();
      expect(after.numTensors).toBe(before.numTensors);
      expect(after.numDataBuffers).toBe(before.numDataBuffers);
      tf.dispose([w, x]);
    });
  });

  it('first-order gradients agree with the cpu backend', async () => {
    expectAllClose(await both(() => {
      const x = tf.tensor4d(values(2 * 5 * 5 * 3, 3), [2, 5, 5, 3]);
      const k = tf.tensor4d(values(3 * 3 * 3 * 4, 4), [3, 3, 3, 4]);
      const g = tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.relu(tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, 1, 'same')).square().mean());
      return g([x, k]);
    }));
  });

  it('second-order gradients still flow through saved tensors (tfjs clones them there)', async () => {
    const r = await both(() => {
      const x = tf.tensor1d([-1.5, 0.5, 2]);
      const d2 = tf.grad((v: tf.Tensor) => tf.grad((u: tf.Tensor) => u.mul(u).mul(u).sum())(v).sum())(x);
      return [d2];
    });
    expect(Array.from(r.native[0]!)).toEqual([-9, 3, 12]); // d²/dx² of x³ is 6x
    expect(Array.from(r.cpu[0]!)).toEqual([-9, 3, 12]);
  });
});
