import { beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import sharp from 'sharp';
import { camFor, defaultTargets, gradcam, headTargets, overlay } from '../../src/evaluate/gradcam.ts';
import { fit } from '../../src/train/fit.ts';
import { predictProbabilities } from '../../src/train/predict.ts';
import { streamFactory } from '../../src/engine/index.ts';
import { easySet, IMAGE, memorySource, SIZE, tinyConvNet, trainConfig } from '../train/helpers.ts';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** A two-head DAG named like CVR-Net's heads: conv → {p1: gap → softmax, p2: conv → gap → softmax} → average. */
function twoHeadNet(): tf.LayersModel {
  const init = (s: number) => tf.initializers.glorotUniform({ seed: s });
  const input = tf.input({ shape: [SIZE, SIZE, 1] });
  const c1 = tf.layers.conv2d({ filters: 4, kernelSize: 3, padding: 'same', activation: 'relu', name: 'stem', kernelInitializer: init(1) }).apply(input) as tf.SymbolicTensor;
  const c2 = tf.layers.conv2d({ filters: 4, kernelSize: 3, strides: 2, activation: 'relu', name: 'deep', kernelInitializer: init(2) }).apply(c1) as tf.SymbolicTensor;
  const h1 = tf.layers.dense({ units: 2, activation: 'softmax', name: 'p1_softmax', kernelInitializer: init(3) }).apply(tf.layers.globalAveragePooling2d({ name: 'p1_gap' }).apply(c1)) as tf.SymbolicTensor;
  const h2 = tf.layers.dense({ units: 2, activation: 'softmax', name: 'p2_softmax', kernelInitializer: init(4) }).apply(tf.layers.globalAveragePooling2d({ name: 'p2_gap' }).apply(c2)) as tf.SymbolicTensor;
  const out = tf.layers.average({ name: 'predictions' }).apply([h1, h2]) as tf.SymbolicTensor;
  return tf.model({ inputs: input, outputs: out });
}

describe('GradCAM', () => {
  it('finds the last conv map and CVR-Net-style heads', () => {
    expect(defaultTargets(tinyConvNet(1))).toEqual([{ name: 'model', featureLayers: ['conv2'] }]);
    expect(headTargets(twoHeadNet())).toEqual([
      { name: 'p1', featureLayers: ['stem'], outputLayer: 'p1_softmax' },
      { name: 'p2', featureLayers: ['deep'], outputLayer: 'p2_softmax' },
    ]);
  });

  it('matches a hand-derived CAM: GAP + dense head gives the class weights times the map', () => {
    const model = twoHeadNet();
    const x = tf.randomUniform([1, SIZE, SIZE, 1], 0, 1, 'float32', 3) as tf.Tensor4D;
    const { cam, height, width } = camFor(model, { name: 'p1', featureLayers: ['stem'], outputLayer: 'p1_softmax' }, x, 1);
    expect([height, width]).toEqual([SIZE, SIZE]);
    // Reference: d softmax_1 / d A_k = (1/HW) Σ_j p_1 (δ_1j − p_j) W_kj, constant over space.
    const ref = tf.tidy(() => {
      const a = tf.model({ inputs: model.inputs, outputs: model.getLayer('stem').output as tf.SymbolicTensor }).predict(x) as tf.Tensor;
      const p = tf.model({ inputs: model.inputs, outputs: model.getLayer('p1_softmax').output as tf.SymbolicTensor }).predict(x) as tf.Tensor;
      const [w] = model.getLayer('p1_softmax').getWeights() as [tf.Tensor];
      const pv = p.dataSync();
      const dp = tf.tensor1d([-pv[1]! * pv[0]!, pv[1]! * (1 - pv[1]!)]);
      const alpha = w.matMul(dp.reshape([2, 1])).reshape([4]);
      const map = a.mul(alpha).sum(-1).relu().reshape([SIZE, SIZE]);
      return map.div(map.max()).dataSync();
    });
    Array.from(ref).forEach((v, i) => expect(cam[i]).toBeCloseTo(v, 4));
    x.dispose();
  });

  it('writes overlays for the top-k confident correct images, whole model and each head', async () => {
    const train = easySet(32, 0);
    const test = easySet(16, 500);
    const images = memorySource(new Map([...train.pixels, ...test.pixels]));
    const r = await fit({
      nodeId: 'train:two:0', model: 'two', fold: 0, classes: ['A', 'B'], train: train.items, validation: [], images, image: IMAGE, augment: [],
      config: trainConfig({ epochs: 4 }), createModel: twoHeadNet, random: streamFactory(1, 'x'), checkpointDir: mkdtempSync(join(tmpdir(), 'cvr-gc-')),
    });
    if (!r.ok) throw new Error('fit failed');
    const probs = predictProbabilities({ model: r.model, images, ids: test.items.map((t) => t.id), normalize: 'unit', classes: 2, batch: 8 })!;
    const predictions = test.items.map((t, i) => ({ id: t.id, source: 's', trueIndex: t.classIndex, probabilities: probs[i]! }));
    const outDir = mkdtempSync(join(tmpdir(), 'cvr-gc-out-'));
    const g = await gradcam({ model: r.model, modelName: 'two', images, normalize: 'unit', classes: ['A', 'B'], predictions, className: 'A', top: 3, threshold: 0.5, outDir });
    if (!g.ok) throw new Error(JSON.stringify(g.diagnostics));
    const correctA = predictions.filter((p) => p.trueIndex === 0 && p.probabilities[0]! > p.probabilities[1]!).sort((a, b) => b.probabilities[0]! - a.probabilities[0]!);
    expect(g.images.filter((i) => i.target === 'model').map((i) => i.id)).toEqual(correctA.slice(0, 3).map((p) => p.id));
    expect(new Set(g.images.map((i) => i.target))).toEqual(new Set(['model', 'p1', 'p2']));
    const meta = await sharp(g.images[0]!.file).metadata();
    expect([meta.width, meta.height, meta.channels]).toEqual([SIZE, SIZE, 3]);
    const unknown = await gradcam({ model: r.model, modelName: 'two', images, normalize: 'unit', classes: ['A', 'B'], predictions, className: 'Z', top: 3, threshold: 0.5, outDir });
    expect(!unknown.ok && unknown.diagnostics[0]!.code).toBe('CVR813');
  });

  it('works on a Sequential model and leaves the model unchanged', () => {
    const model = tinyConvNet(2);
    const x = tf.randomUniform([1, SIZE, SIZE, 1], 0, 1, 'float32', 5) as tf.Tensor4D;
    const before = (model.predict(x) as tf.Tensor).dataSync().slice();
    const { cam, height, width } = camFor(model, { name: 'model', featureLayers: ['conv2'] }, x, 0);
    expect([height, width]).toEqual([5, 5]);
    expect(Math.max(...cam)).toBeLessThanOrEqual(1);
    expect(Math.min(...cam)).toBeGreaterThanOrEqual(0);
    expect(Array.from((model.predict(x) as tf.Tensor).dataSync())).toEqual(Array.from(before));
    x.dispose();
  });

  it('with two maps of one size, sums the weighted maps before the ReLU (GradCAM of their concatenation)', () => {
    // Two parallel conv branches, pooled and concatenated, one dense softmax: the CVR-Net P3 shape.
    const init = (s: number) => tf.initializers.glorotUniform({ seed: s });
    const input = tf.input({ shape: [SIZE, SIZE, 1] });
    const a = tf.layers.conv2d({ filters: 3, kernelSize: 3, padding: 'same', name: 'branch_a', kernelInitializer: init(7) }).apply(input) as tf.SymbolicTensor;
    const b = tf.layers.conv2d({ filters: 2, kernelSize: 3, padding: 'same', name: 'branch_b', kernelInitializer: init(8) }).apply(input) as tf.SymbolicTensor;
    const cat = tf.layers.concatenate({ name: 'cat' }).apply([a, b]) as tf.SymbolicTensor;
    const pooled = tf.layers.globalAveragePooling2d({}).apply(cat);
    const out = tf.layers.dense({ units: 2, activation: 'softmax', kernelInitializer: init(9) }).apply(pooled) as tf.SymbolicTensor;
    const model = tf.model({ inputs: input, outputs: out });
    const x = tf.randomUniform([1, SIZE, SIZE, 1], 0, 1, 'float32', 11) as tf.Tensor4D;
    const both = camFor(model, { name: 'model', featureLayers: ['branch_a', 'branch_b'] }, x, 1);
    const concatenated = camFor(model, { name: 'model', featureLayers: ['cat'] }, x, 1);
    Array.from(concatenated.cam).forEach((v, i) => expect(both.cam[i]).toBeCloseTo(v, 5));
    x.dispose();
  });

  it('tints only where the heat reaches the threshold', () => {
    const out = overlay(Uint8Array.from([100, 100]), 1, Float32Array.from([0.2, 1]), 0.5);
    expect(Array.from(out.slice(0, 3))).toEqual([100, 100, 100]);
    expect(Array.from(out.slice(3))).not.toEqual([100, 100, 100]);
  });
});

describe('GradCAM targets of the registry CVR-Net', () => {
  it('explains the whole model and every head, P3 once per branch', async () => {
    const { buildModel } = await import('../../src/models/index.ts');
    const built = buildModel('cvrnet', { size: 32, channels: 1, classes: 2, width: 0.125, seed: 1, nodeKey: 'gradcam-test', init: 'zeros' });
    if (!built.ok) throw new Error('build failed');
    const targets = defaultTargets(built.model);
    expect(targets.map((t) => t.name)).toEqual(['model', 'p1', 'p2', 'p3_resnet', 'p3_xception', 'p4', 'p5', 'resnet', 'xception']);
    expect(targets.filter((t) => /^p\d/.test(t.name)).every((t) => t.outputLayer === `${t.name.slice(0, 2)}_softmax`)).toBe(true);
    const branch = (name: string) => targets.find((t) => t.name === name);
    expect(branch('resnet')).toEqual({ name: 'resnet', featureLayers: branch('p3_resnet')!.featureLayers });
    expect(branch('xception')).toEqual({ name: 'xception', featureLayers: branch('p3_xception')!.featureLayers });
    expect(branch('model')!.featureLayers).toEqual([...branch('resnet')!.featureLayers, ...branch('xception')!.featureLayers]);
    built.model.dispose();
  });
});
