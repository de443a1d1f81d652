// Training-mode batch normalisation on native (two oneDNN primitives, batch-norm-train.ts)
// against tfjs-layers' own path on the plain cpu backend (moments, then FusedBatchNorm, and their
// tfjs gradients): outputs, moving statistics and gradients. Tolerance: relative 1e-4 of each
// element or of the tensor's mean magnitude (compare.ts), 2e-4 for gradients, which sum
// products over N·H·W rows in a different order than tfjs does.
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { BN_TRAIN_KERNEL, MOVING_AVERAGE_KERNEL, batchNormTrain } from '../../../src/engine/native/batch-norm-train.ts';
import { expectClose, nativeBackend, onBackend, skipReason, values } from './compare.ts';

type Result = { out: Float32Array[]; kernels: string[] };

/** y = BN(x) in training mode; loss = Σ y·w; returns y, moving mean and variance, dx, dgamma, dbeta. */
async function layerRun(backend: string, shape: [number, number, number, number], seed: number): Promise<Result> {
  return onBackend(backend, async () => {
    const c = shape[3];
    const layer = tf.layers.batchNormalization({ axis: -1, momentum: 0.9, epsilon: 1e-3 });
    layer.build([null, shape[1], shape[2], c]);
    layer.setWeights([tf.tensor1d(values(c, seed + 1).map((v) => 1 + v / 2)), tf.tensor1d(values(c, seed + 2)),
      tf.tensor1d(values(c, seed + 5)), tf.tensor1d(values(c, seed + 6).map((v) => 1.5 + v))]);
    const n = shape.reduce((p, d) => p * d, 1);
    const x = tf.tensor4d(values(n, seed).map((v) => 3 * v + 0.5), shape);
    const w = tf.tensor4d(values(n, seed + 3), shape);
    const vars = layer.trainableWeights.map((v) => v.read() as tf.Variable);
    let y: Float32Array | undefined;
    const loss = (xx: tf.Tensor): tf.Scalar => {
      const out = layer.apply(xx, { training: true }) as tf.Tensor;
      y ??= Float32Array.from(out.dataSync());
      return tf.sum(tf.mul(out, w));
    };
    // dx through grad (one training-mode call), dgamma and dbeta through variableGrads (another).
    const profile = await tf.profile(() => {
      const dx = tf.grad(loss)(x);
      const { grads } = tf.variableGrads(() => loss(x), vars);
      return [dx, grads[vars[0]!.name]!, grads[vars[1]!.name]!];
    });
    const kernels = profile.kernelNames;
    const res = profile.result as tf.Tensor[];
    const moving = layer.getWeights().slice(2).map((t) => Float32Array.from(t.dataSync()));
    const out = [y!, ...moving, ...res.map((t) => Float32Array.from(t.dataSync()))];
    tf.dispose([x, w, ...res]);
    tf.dispose(layer.weights.map((v) => v.read()));
    return { out, kernels };
  });
}

describe.skipIf(nativeBackend === undefined)(nativeBackend === undefined ? skipReason : 'training-mode batch norm (native)', () => {
  for (const [shape, seed] of [[[4, 6, 5, 8], 11], [[2, 9, 9, 70], 17], [[16, 8, 8, 64], 23]] as const) {
    it(`BatchNormalization layer, training, ${shape.join('×')}: y, moving statistics, dx, dgamma, dbeta`, { timeout: 60_000 }, async () => {
      const ref = await layerRun('cpu', [...shape], seed);
      const got = await layerRun(nativeBackend!, [...shape], seed);
      expect(got.kernels).toContain(BN_TRAIN_KERNEL);
      expect(ref.kernels).not.toContain(BN_TRAIN_KERNEL);
      expect(got.out.length).toBe(6);
      got.out.forEach((a, i) => expectClose(a, ref.out[i]!, i < 3 ? 1e-4 : 2e-4));
    });
  }

  it('gradients reaching the mean and variance outputs flow into dx as through tfjs moments', { timeout: 60_000 }, async () => {
    const shape = [3, 4, 4, 5] as [number, number, number, number];
    const n = shape.reduce((p, d) => p * d, 1);
    const run = (backend: string, mine: boolean) => onBackend(backend, () => tf.tidy(() => {
      const x = tf.tensor4d(values(n, 5).map((v) => 2 * v - 0.3), shape);
      const scale = tf.tensor1d(values(5, 6).map((v) => 1 + v / 3)), offset = tf.tensor1d(values(5, 7));
      const w = tf.tensor4d(values(n, 8), shape), wm = tf.tensor1d(values(5, 9)), wv = tf.tensor1d(values(5, 10));
      const f = (xx: tf.Tensor, s: tf.Tensor, o: tf.Tensor): tf.Tensor => {
        let y: tf.Tensor, mean: tf.Tensor, variance: tf.Tensor;
        if (mine) [y, mean, variance] = batchNormTrain(xx, s, o, 1e-3);
        else {
          ({ mean, variance } = tf.moments(xx, [0, 1, 2]));
          y = tf.batchNorm(xx, mean, variance, o, s, 1e-3);
        }
        return tf.addN([tf.sum(tf.mul(y, w)), tf.sum(tf.mul(mean, wm)), tf.sum(tf.mul(variance, wv))]);
      };
      return tf.grads(f)([x, scale, offset]).map((t) => Float32Array.from(t.dataSync()));
    }));
    const ref = await run('cpu', false);
    const got = await run(nativeBackend!, true);
    got.forEach((a, i) => expectClose(a, ref[i]!, 2e-4));
  });

  it('the moving-statistics update in one kernel gives the bytes of tfjs-layers\' three operations', async () => {
    await onBackend(nativeBackend!, () => tf.tidy(() => {
      for (const momentum of [0.99, 0.9, 0.5]) {
        const v = tf.tensor1d(values(333, 11).map((x) => x * 3)), x = tf.tensor1d(values(333, 12));
        const fused = tf.engine().runKernel(MOVING_AVERAGE_KERNEL, { v, x }, { rate: 1 - momentum }) as unknown as tf.Tensor;
        const chain = tf.sub(v, tf.mul(tf.sub(v, x), 1 - momentum));
        expect(Buffer.from(fused.dataSync().buffer)).toEqual(Buffer.from(chain.dataSync().buffer));
      }
    }));
  });
});
