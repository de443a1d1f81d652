// A small model's training step on native against cpu, determinism, and memory over 100 steps.
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { expectClose, nativeBackend, onBackend, skipReason, values } from './compare.ts';

/** Convolution, batch norm, max pooling, a separable (depthwise) convolution, a residual add, dense. */
function smallNet(size = 16): tf.LayersModel {
  const input = tf.input({ shape: [size, size, 3] });
  let x = tf.layers.conv2d({ filters: 8, kernelSize: 3, padding: 'same', useBias: false }).apply(input) as tf.SymbolicTensor;
  x = tf.layers.batchNormalization({ axis: 3 }).apply(x) as tf.SymbolicTensor;
  x = tf.layers.reLU().apply(x) as tf.SymbolicTensor;
  x = tf.layers.maxPooling2d({ poolSize: 3, strides: 2, padding: 'same' }).apply(x) as tf.SymbolicTensor;
  let y = tf.layers.separableConv2d({ filters: 8, kernelSize: 3, padding: 'same' }).apply(x) as tf.SymbolicTensor;
  y = tf.layers.batchNormalization({ axis: 3 }).apply(y) as tf.SymbolicTensor;
  x = tf.layers.add().apply([x, y]) as tf.SymbolicTensor;
  x = tf.layers.conv2d({ filters: 12, kernelSize: 3, strides: 2, padding: 'same', activation: 'relu' }).apply(x) as tf.SymbolicTensor;
  x = tf.layers.averagePooling2d({ poolSize: 2, strides: 2 }).apply(x) as tf.SymbolicTensor;
  x = tf.layers.flatten().apply(x) as tf.SymbolicTensor;
  const out = tf.layers.dense({ units: 3, activation: 'softmax' }).apply(x) as tf.SymbolicTensor;
  return tf.model({ inputs: input, outputs: out });
}

const BATCH = 4;
const images = values(BATCH * 16 * 16 * 3, 7).map((v) => (v + 1) / 2);
const labels = [0, 1, 2, 1];

/** The same starting weights on every backend: drawn once, kept as plain arrays. */
const initial = await onBackend('cpu', () => smallNet().getWeights().map((w) => ({ shape: w.shape, data: w.dataSync().slice() })));

async function train(backend: string, steps: number): Promise<{ losses: number[]; weights: Float32Array[] }> {
  return onBackend(backend, async () => {
    const model = smallNet();
    model.setWeights(initial.map((w) => tf.tensor(w.data, w.shape)));
    model.compile({ optimizer: tf.train.sgd(0.05), loss: 'categoricalCrossentropy' });
    const x = tf.tensor4d(images, [BATCH, 16, 16, 3]);
    const y = tf.oneHot(tf.tensor1d(labels, 'int32'), 3);
    const losses: number[] = [];
    for (let s = 0; s < steps; s++) losses.push(Number(await model.trainOnBatch(x, y)));
    const weights = model.getWeights().map((w) => Float32Array.from(w.dataSync()));
    tf.dispose([x, y]);
    model.dispose();
    return { losses, weights };
  });
}

describe.skipIf(nativeBackend === undefined)(nativeBackend === undefined ? skipReason : 'native training', () => {
  it('a full training step matches the cpu backend', async () => {
    const cpu = await train('cpu', 2);
    const native = await train(nativeBackend!, 2);
    expectClose(Float32Array.from(native.losses), Float32Array.from(cpu.losses), 1e-4);
    expect(native.weights.length).toBe(cpu.weights.length);
    // Weights start near 0.1-1; 1e-7 absolute covers biases whose true gradient is 0 (batch norm
    // follows them) and whose updates are rounding noise on either backend.
    cpu.weights.forEach((w, i) => expectClose(native.weights[i]!, w, 1e-4, 1e-7));
    // The step did change the weights, so the comparison above compares trained values.
    expect(cpu.weights.some((w, i) => w.some((v, j) => v !== initial[i]!.data[j]))).toBe(true);
  });

  it('is deterministic: two runs give identical numbers', async () => {
    const a = await train(nativeBackend!, 3);
    const b = await train(nativeBackend!, 3);
    expect(b.losses).toEqual(a.losses);
    a.weights.forEach((w, i) => expect(Buffer.from(b.weights[i]!.buffer).equals(Buffer.from(w.buffer))).toBe(true));
  });

  it('holds tensors and RSS flat over 100 training steps', async () => {
    await onBackend(nativeBackend!, async () => {
      const model = smallNet(8); // the smallest input the network takes: 100 steps on a shared machine
      model.compile({ optimizer: tf.train.sgd(0.05), loss: 'categoricalCrossentropy' });
      const x = tf.tensor4d(images.subarray(0, BATCH * 8 * 8 * 3), [BATCH, 8, 8, 3]);
      const y = tf.oneHot(tf.tensor1d(labels, 'int32'), 3);
      for (let s = 0; s < 10; s++) await model.trainOnBatch(x, y);
      const tensors = tf.memory().numTensors, bytes = tf.memory().numBytes;
      const rss = process.memoryUsage().rss;
      for (let s = 0; s < 100; s++) await model.trainOnBatch(x, y);
      expect(tf.memory().numTensors).toBe(tensors);
      expect(tf.memory().numBytes).toBe(bytes);
      // Garbage collection is not forced, so allow slack; a leak of one batch's activations per
      // step (~100 kB) would exceed it tenfold.
      expect(process.memoryUsage().rss - rss).toBeLessThan(64 * 1024 * 1024);
      tf.dispose([x, y]);
      model.dispose();
    });
  }, 300_000);
});
