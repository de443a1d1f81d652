import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { buildModel, MODEL_NAMES, SeededDropout, type ModelOptions } from '../../src/models/index.ts';

const tiny = (name: string, seed: number, nodeKey = 'train:m:0'): tf.LayersModel => {
  const r = buildModel(name, { size: name === 'inceptionv3' ? 75 : 32, channels: 3, classes: 2, width: 0.125, seed, nodeKey });
  if (!r.ok) throw new Error(JSON.stringify(r.diagnostics));
  return r.model;
};

/** Every weight of the model as plain numbers, in layer order. */
const weightsOf = (model: tf.LayersModel): number[][] => model.getWeights().map((w) => Array.from(w.dataSync()));

describe('seeded initialisation', () => {
  it.each(MODEL_NAMES.map((n) => [n]))('%s: one seed gives identical weights, another seed different ones', (name) => {
    const a = tiny(name, 7);
    const b = tiny(name, 7);
    const c = tiny(name, 8);
    const wa = weightsOf(a);
    expect(wa.length).toBeGreaterThan(0);
    expect(weightsOf(b)).toEqual(wa);
    // Every randomly initialised kernel differs (biases and BatchNorm start at constants).
    const kernels = (m: tf.LayersModel): number[][] => m.weights.filter((w) => /kernel/.test(w.originalName)).map((w) => Array.from(w.read().dataSync()));
    const ka = kernels(a);
    const kc = kernels(c);
    expect(ka.length).toBeGreaterThan(0);
    ka.forEach((k, i) => expect(k).not.toEqual(kc[i]));
    [a, b, c].forEach((m) => m.dispose());
  });

  it('draws a different stream for a different node key (e.g. another fold)', () => {
    const a = tiny('resnet50', 7, 'train:resnet50:0');
    const b = tiny('resnet50', 7, 'train:resnet50:1');
    expect(weightsOf(a)[0]).not.toEqual(weightsOf(b)[0]);
  });
});

describe('seeded dropout', () => {
  const options = { rate: 0.5, perSample: false, seed: 3, nodeKey: 'k', name: 'drop' };
  const masks = (layer: SeededDropout, n: number): number[][] =>
    Array.from({ length: n }, () => Array.from((layer.apply(tf.ones([4, 8]), { training: true }) as tf.Tensor).dataSync()));

  it('draws a new mask each call, and the same sequence of masks for the same seed', () => {
    const first = masks(new SeededDropout(options), 3);
    expect(first[0]).not.toEqual(first[1]);
    expect(masks(new SeededDropout(options), 3)).toEqual(first);
    expect(masks(new SeededDropout({ ...options, seed: 4 }), 3)).not.toEqual(first);
  });

  it('is the identity outside training, and drops whole samples when per-sample', () => {
    const layer = new SeededDropout({ ...options, perSample: true });
    expect(Array.from((layer.apply(tf.ones([2, 3])) as tf.Tensor).dataSync())).toEqual([1, 1, 1, 1, 1, 1]);
    const out = (layer.apply(tf.ones([16, 2, 2, 3]), { training: true }) as tf.Tensor).arraySync() as number[][][][];
    for (const sample of out) expect(new Set(sample.flat(2)).size).toBe(1);
  });

  it('makes a training step of EfficientNet-B0 (drop-connect + top dropout) repeat exactly', async () => {
    const step = async (seed: number): Promise<number[]> => {
      const model = tiny('efficientnetb0', seed);
      model.compile({ optimizer: tf.train.sgd(0.1), loss: 'categoricalCrossentropy' });
      const x = tf.randomUniform([4, 32, 32, 3], 0, 1, 'float32', 11);
      const y = tf.oneHot(tf.tensor1d([0, 1, 1, 0], 'int32'), 2);
      await model.trainOnBatch(x, y);
      await model.trainOnBatch(x, y);
      const w = Array.from(model.getLayer('predictions').getWeights()[0]!.dataSync());
      model.dispose();
      return w;
    };
    const a = await step(5);
    expect(await step(5)).toEqual(a);
    expect(await step(6)).not.toEqual(a);
  });
});

export type { ModelOptions };
