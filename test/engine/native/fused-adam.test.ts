// The native engine's fused Adam kernel: the same bytes as the tensor chain of
// src/train/optimizers.ts run on the plain cpu backend (the reference: tfjs's own JavaScript
// kernels), over several steps, for small and large (threaded) variables.
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { createOptimizer } from '../../../src/train/optimizers.ts';
import { ADAM_KERNEL, adamInPlace } from '../../../src/engine/native/optimizer-kernels.ts';
import { nativeBackend, onBackend, skipReason, values } from './compare.ts';

async function adamSteps(backend: string, sizes: readonly number[], steps: number, lr: number): Promise<{ weights: Float32Array[]; slots: Float32Array[]; fused: boolean }> {
  return onBackend(backend, () => {
    const vars = sizes.map((n, i) => tf.variable(tf.tensor1d(values(n, 11 + i)), true, `fa${backend}${i}${n}`));
    const opt = createOptimizer({ name: 'adam', lr, params: {} } as Parameters<typeof createOptimizer>[0], vars);
    for (let s = 0; s < steps; s++) {
      const grads = sizes.map((n, i) => tf.tensor1d(values(n, 101 + 7 * s + i)).mul(s + 1));
      opt.apply(grads);
      tf.dispose(grads);
    }
    const weights = vars.map((v) => Float32Array.from(v.dataSync()));
    const slots = opt.state().slots.map((x) => Float32Array.from(x));
    const fused = tf.getKernel(ADAM_KERNEL, backend) !== undefined;
    opt.dispose();
    vars.forEach((v) => v.dispose());
    return { weights, slots, fused };
  });
}

describe.skipIf(nativeBackend === undefined)(nativeBackend === undefined ? skipReason : 'fused Adam (native)', () => {
  it('is bit-identical to the tensor chain on the cpu backend, small and threaded sizes, 4 steps', async () => {
    const sizes = [1, 37, 4096, 300_001];
    const ref = await adamSteps('cpu', sizes, 4, 1e-3);
    const got = await adamSteps(nativeBackend!, sizes, 4, 1e-3);
    expect(ref.fused).toBe(false);
    expect(got.fused).toBe(true);
    got.weights.forEach((w, i) => expect(Buffer.from(w.buffer).equals(Buffer.from(ref.weights[i]!.buffer)), `weights ${i}`).toBe(true));
    got.slots.forEach((w, i) => expect(Buffer.from(w.buffer).equals(Buffer.from(ref.slots[i]!.buffer)), `slot ${i}`).toBe(true));
    // And it moved the weights (a kernel that did nothing would also be "identical" to nothing).
    const start = values(37, 12);
    expect(got.weights[1]!.some((x, j) => x !== start[j])).toBe(true);
  });

  it('in place: the same bytes as the kernel, only on arrays no other tensor can see', async () => {
    await onBackend(nativeBackend!, () => {
      const n = 1 << 17;
      // Outputs of a native kernel: arrays from the engine's pool, each held by one tensor.
      const fresh = (seed: number, square = false): tf.Variable =>
        tf.tidy(() => tf.variable(tf.tensor1d(values(n, seed).map((x) => (square ? x * x : x))).add(0)));
      const [v, m, u] = [fresh(1), fresh(2), fresh(3, true)];
      const g = tf.tensor1d(values(n, 4));
      const attrs = { lrT: 1e-3, beta1: 0.9, beta2: 0.999, epsilon: 1e-7 };
      const [ev, em, eu] = (tf.engine().runKernel(ADAM_KERNEL, { v, m, u, g }, attrs) as tf.Tensor[]).map((t) => Float32Array.from(t.dataSync()));
      expect(adamInPlace(v, m, u, g, attrs.lrT, attrs.beta1, attrs.beta2, attrs.epsilon)).toBe(true);
      expect(Buffer.from(Float32Array.from(v.dataSync()).buffer).equals(Buffer.from(ev!.buffer))).toBe(true);
      expect(Buffer.from(Float32Array.from(m.dataSync()).buffer).equals(Buffer.from(em!.buffer))).toBe(true);
      expect(Buffer.from(Float32Array.from(u.dataSync()).buffer).equals(Buffer.from(eu!.buffer))).toBe(true);
      // v was read out just now (dataSync hands out the array itself): never again in place.
      expect(adamInPlace(v, m, u, g, attrs.lrT, attrs.beta1, attrs.beta2, attrs.epsilon)).toBe(false);
      // A tensor sharing the data (a clone) also rules it out.
      const [v2, m2, u2] = [fresh(5), fresh(6), fresh(7, true)];
      const alias = v2.clone();
      expect(adamInPlace(v2, m2, u2, g, attrs.lrT, attrs.beta1, attrs.beta2, attrs.epsilon)).toBe(false);
      tf.dispose([v, m, u, g, v2, m2, u2, alias]);
    });
  });
});
