/**
 * Keras `.h5` weights: files written here in the layout Keras's `save_weights_to_hdf5_group`
 * writes (with h5wasm directly, not with cvr's writer), loaded into every registry model.
 */
import * as tf from '@tensorflow/tfjs';
import h5wasm from 'h5wasm/node';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildModel, loadWeights, MODEL_NAMES, saveKerasWeights, weightsSource } from '../../src/models/index.ts';
import { KERAS_WEIGHTS } from '../../src/models/h5/keras-applications.ts';

const root = mkdtempSync(join(tmpdir(), 'cvr-h5-'));
beforeAll(async () => {
  await h5wasm.ready;
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

const minSize = (name: string): number => (name === 'inceptionv3' ? 75 : 32);
const build = (name: string, width: number, seed: number, init: 'seeded' | 'zeros' = 'seeded', classes = 2): tf.LayersModel => {
  const r = buildModel(name, { size: minSize(name), channels: 3, classes, width, seed, nodeKey: 'h5', init });
  if (!r.ok) throw new Error(JSON.stringify(r.diagnostics));
  return r.model;
};

/** The classifier layers `include_top=False` leaves out (cvr's tops have the task's class count). */
const TOP: Readonly<Record<string, readonly string[]>> = {
  resnet50: ['predictions'],
  xception: ['predictions'],
  vgg19: ['fc1', 'fc2', 'predictions'],
  inceptionv3: ['predictions'],
  densenet121: ['predictions'],
  efficientnetb0: ['predictions'],
};

interface LayoutOptions {
  /** Keras 2.0 numbered its automatic names from 1: `conv2d_1` is cvr's `conv2d`. */
  readonly oneBased?: boolean;
  /** Keras 3 names weights by path without `:0`. */
  readonly keras3?: boolean;
  /** Keras 1 named weights `block1_conv1_W_1:0`, `block1_conv1_b_1:0` (the VGG-19 ImageNet file). */
  readonly keras1?: boolean;
  /** Whole-model file: the tree under /model_weights. */
  readonly wholeModel?: boolean;
  readonly drop?: readonly string[];
  /** Replace the values by a pattern (width-1 models are built with zeros). */
  readonly pattern?: boolean;
  /** Extra layer groups, as Keras has them (EfficientNet's input Normalization). */
  readonly extra?: readonly { name: string; weights: readonly { name: string; shape: number[]; data: Float32Array }[] }[];
}

const AUTO = /^(conv2d|batch_normalization|dense|separable_conv2d|depthwise_conv2d)(?:_(\d+))?$/;
const kerasName = (name: string, oneBased: boolean): string => {
  const m = AUTO.exec(name);
  if (!oneBased || m === null) return name;
  return `${m[1]}_${Number(m[2] ?? 0) + 1}`;
};
/** A value no initialiser gives: layer index and element index mixed. */
const patternValue = (layer: number, i: number): number => ((layer * 7919 + i * 31) % 1000) / 1000 - 0.5;

/** Writes `model`'s weights the way Keras's save_weights does (independently of cvr's writer). */
function writeKerasLayout(path: string, model: tf.LayersModel, o: LayoutOptions = {}): void {
  const f = new h5wasm.File(path, 'w');
  const layers = model.layers.filter((l) => !(o.drop ?? []).includes(l.name));
  const names = [...layers.map((l) => kerasName(l.name, o.oneBased === true)), ...(o.extra ?? []).map((e) => e.name)];
  const rootGroup = o.wholeModel === true ? f.create_group('model_weights') : f;
  if (o.wholeModel === true) f.create_attribute('model_config', '{"class_name": "Functional"}');
  const fixed = (list: readonly string[]): string => `A${Math.max(1, ...list.map((s) => s.length)) + 1}`;
  rootGroup.create_attribute('layer_names', names, [names.length], fixed(names));
  rootGroup.create_attribute('backend', 'tensorflow');
  rootGroup.create_attribute('keras_version', o.keras3 === true ? '3.6.0' : '2.15.0');
  const groups = [
    ...layers.map((l, li) => ({
      name: kerasName(l.name, o.oneBased === true),
      weights: l.weights.map((w) => {
        const short = w.originalName.split('/').pop() as string;
        const value = w.read().dataSync() as Float32Array;
        const data = o.pattern === true ? Float32Array.from({ length: value.length }, (_, i) => patternValue(li, i)) : Float32Array.from(value);
        const keras1 = { kernel: 'W', bias: 'b' }[short];
        const name = o.keras1 === true && keras1 !== undefined ? `${l.name}_${keras1}_1` : `${kerasName(l.name, o.oneBased === true)}/${short}`;
        return { name, shape: [...w.shape] as number[], data };
      }),
    })),
    ...(o.extra ?? []),
  ];
  for (const g of groups) {
    const group = rootGroup.create_group(g.name);
    const weightNames = g.weights.map((w) => (o.keras3 === true ? w.name : `${w.name}:0`));
    if (weightNames.length === 0) group.create_attribute('weight_names', new Float64Array(0), [0], '<d');
    else group.create_attribute('weight_names', weightNames, [weightNames.length], fixed(weightNames));
    g.weights.forEach((w, i) => {
      const wn = weightNames[i] as string;
      const parent = wn.split('/').slice(0, -1).join('/');
      if (parent !== '' && group.get(parent) === null) group.create_group(parent);
      group.create_dataset({ name: wn, data: w.data, shape: w.shape, dtype: '<f' });
    });
  }
  f.close();
}

const values = (m: tf.LayersModel, layer: string): number[][] => m.getLayer(layer).getWeights().map((w) => Array.from(w.dataSync()));
const withWeights = (m: tf.LayersModel): string[] => m.layers.filter((l) => l.weights.length > 0).map((l) => l.name);

describe('Keras .h5 into every registry model', () => {
  const single = MODEL_NAMES.filter((n) => n !== 'cvrnet');

  it.each(single)('%s at width 1: a Keras-layout notop file fits, every backbone layer loaded, the top untouched', async (name) => {
    const source = build(name, 1, 0, 'zeros');
    const file = join(root, `${name}-w1.h5`);
    writeKerasLayout(file, source, { drop: TOP[name], pattern: true, oneBased: name === 'xception' || name === 'inceptionv3' });
    const target = build(name, 1, 0, 'zeros');
    const r = await loadWeights(target, file);
    expect(r.ok ? [] : r.diagnostics.map((d) => d.message)).toEqual([]);
    const expected = withWeights(source).filter((l) => !(TOP[name] ?? []).includes(l));
    expect(r.ok && [...r.loadedLayers].sort()).toEqual([...expected].sort());
    // The first and the last backbone layer carry the file's pattern; the top is still zeros.
    for (const layer of [expected[0], expected[expected.length - 1]] as string[]) {
      const li = source.layers.findIndex((l) => l.name === layer);
      const got = values(target, layer)[0] as number[];
      expect(got.slice(0, 5)).toEqual([0, 1, 2, 3, 4].map((i) => Math.fround(patternValue(li, i))));
    }
    expect(values(target, 'predictions').flat().every((v) => v === 0)).toBe(true);
    source.dispose();
    target.dispose();
  }, 120_000);

  it('cvrnet at width 1: the ResNet-50 and Xception notop files (Keras 2.0 numbering) fill both branches, the heads untouched', async () => {
    const dir = join(root, 'cvrnet-w1');
    const { mkdirSync } = await import('node:fs');
    mkdirSync(dir);
    const resnet = build('resnet50', 1, 0, 'zeros');
    const xcep = build('xception', 1, 0, 'zeros');
    writeKerasLayout(join(dir, KERAS_WEIGHTS['resnet50']?.file as string), resnet, { drop: TOP['resnet50'], pattern: true });
    writeKerasLayout(join(dir, KERAS_WEIGHTS['xception']?.file as string), xcep, { drop: TOP['xception'], pattern: true, oneBased: true });
    const net = build('cvrnet', 1, 0, 'zeros');
    // A folder holding both files, as `weights "folder"` or `weights imagenet` finds them.
    const r = await loadWeights(net, dir);
    expect(r.ok ? [] : r.diagnostics.map((d) => d.message)).toEqual([]);
    const backbone = new Set([...withWeights(resnet), ...withWeights(xcep)].filter((l) => l !== 'predictions'));
    expect(r.ok && r.loadedLayers.length).toBe(backbone.size);
    // Xception's first shortcut is `conv2d_1` in the file and `conv2d` in cvr: paired by number.
    const xi = xcep.layers.findIndex((l) => l.name === 'conv2d');
    expect((values(net, 'conv2d')[0] as number[]).slice(0, 3)).toEqual([0, 1, 2].map((i) => Math.fround(patternValue(xi, i))));
    expect(values(net, 'p1_fc512').flat().every((v) => v === 0)).toBe(true);
    for (const m of [resnet, xcep, net]) m.dispose();
  }, 120_000);

  it.each(MODEL_NAMES)('%s at width 0.125: the loaded model has exactly the file\'s weights', async (name) => {
    const source = build(name, 0.125, 1);
    const file = join(root, `${name}-small.h5`);
    writeKerasLayout(file, source, { keras3: name === 'densenet121', wholeModel: name === 'vgg19' });
    const target = build(name, 0.125, 2);
    expect(values(target, withWeights(target)[0] as string)).not.toEqual(values(source, withWeights(source)[0] as string));
    const r = await loadWeights(target, file);
    expect(r.ok ? [] : r.diagnostics.map((d) => d.message)).toEqual([]);
    expect(target.getWeights().map((w) => Array.from(w.dataSync()))).toEqual(source.getWeights().map((w) => Array.from(w.dataSync())));
    source.dispose();
    target.dispose();
  }, 120_000);

  it('pairs a layer\'s weights by order when the file uses Keras 1 names (`block1_conv1_W_1:0`)', async () => {
    const source = build('vgg19', 0.125, 1);
    const file = join(root, 'vgg19-keras1.h5');
    writeKerasLayout(file, source, { keras1: true, drop: TOP['vgg19'] });
    const target = build('vgg19', 0.125, 2);
    const r = await loadWeights(target, file);
    expect(r.ok ? [] : r.diagnostics.map((d) => d.message)).toEqual([]);
    expect(values(target, 'block5_conv4')).toEqual(values(source, 'block5_conv4'));
    // The shapes are still checked, in that order.
    const wide = join(root, 'vgg19-keras1-wide.h5');
    writeKerasLayout(wide, build('vgg19', 0.25, 1), { keras1: true, drop: TOP['vgg19'] });
    const bad = await loadWeights(target, wide);
    expect(!bad.ok && bad.diagnostics[0]?.message).toContain('block1_conv1: block1_conv1_W_1 [3,3,3,16], block1_conv1_b_1 [16] in the file, kernel [3,3,3,8], bias [8] in the model');
  });

  it('skips EfficientNet\'s input Normalization statistics, which cvr does not have', async () => {
    const source = build('efficientnetb0', 0.125, 1);
    const file = join(root, 'effnet-norm.h5');
    const normalization = { name: 'normalization', weights: ['mean', 'variance'].map((n) => ({ name: `normalization/${n}`, shape: [3], data: new Float32Array([0.485, 0.456, 0.406]) })).concat([{ name: 'normalization/count', shape: [], data: new Float32Array([0]) }]) };
    writeKerasLayout(file, source, { drop: TOP['efficientnetb0'], extra: [normalization] });
    const r = await loadWeights(build('efficientnetb0', 0.125, 2), file);
    expect(r.ok && r.skippedLayers).toEqual(['normalization']);
  });
});

describe('CVR708 for a file that does not fit', () => {
  it('names the first differing layers of a file of another width, and changes nothing', async () => {
    const file = join(root, 'wide.h5');
    writeKerasLayout(file, build('resnet50', 0.25, 1));
    const target = build('resnet50', 0.125, 2);
    const before = values(target, 'conv1_conv');
    const r = await loadWeights(target, file);
    const d = r.ok ? undefined : r.diagnostics[0];
    expect(d?.code).toBe('CVR708');
    expect(d?.message).toMatch(/layer\(s\) differ \(and \d+ more\):\n {2}conv1_conv: kernel \[7,7,3,16\], bias \[16\] in the file, kernel \[7,7,3,8\], bias \[8\] in the model/);
    expect(values(target, 'conv1_conv')).toEqual(before);
  });

  it('names layers the model lacks: an Xception file for a ResNet-50', async () => {
    const file = join(root, 'xception-for-resnet.h5');
    writeKerasLayout(file, build('xception', 0.125, 1), { drop: TOP['xception'] });
    const r = await loadWeights(build('resnet50', 0.125, 2), file);
    const d = r.ok ? undefined : r.diagnostics[0];
    expect(d?.code).toBe('CVR708');
    expect(d?.message).toContain('block1_conv1: kernel [3,3,3,4] in the file, no such layer in the model');
  });

  it('reports a file that is not HDF5, and one without layer_names (CVR721)', async () => {
    const { writeFileSync } = await import('node:fs');
    const junk = join(root, 'junk.h5');
    writeFileSync(junk, 'not hdf5 at all');
    const a = await loadWeights(build('vgg19', 0.125, 1), junk);
    expect(!a.ok && a.diagnostics[0]?.code).toBe('CVR721');
    const bare = join(root, 'bare.h5');
    const f = new h5wasm.File(bare, 'w');
    f.create_dataset({ name: 'x', data: new Float32Array([1]) });
    f.close();
    const b = await loadWeights(build('vgg19', 0.125, 1), bare);
    expect(!b.ok && b.diagnostics[0]?.message).toMatch(/no `layer_names` attribute/);
  });
});

describe('cvr export → load round trip', () => {
  it.each(['resnet50', 'cvrnet'])('%s: a fresh model loaded from the exported .h5 predicts the same numbers', async (name) => {
    const trained = build(name, 0.125, 3);
    const file = join(root, `export-${name}.h5`);
    const written = await saveKerasWeights(trained, file);
    expect(written.parameters).toBe(trained.countParams());
    const fresh = build(name, 0.125, 4);
    const r = await loadWeights(fresh, file);
    expect(r.ok ? [] : r.diagnostics.map((d) => d.message)).toEqual([]);
    const image = tf.randomUniform([2, 32, 32, 3], 0, 1, 'float32', 7);
    const a = Array.from((trained.predict(image) as tf.Tensor).dataSync());
    const b = Array.from((fresh.predict(image) as tf.Tensor).dataSync());
    expect(b).toEqual(a);
    image.dispose();
    trained.dispose();
    fresh.dispose();
  }, 120_000);

  it('writes the layout Keras writes: attribute names and dtypes, every layer, float32 datasets', async () => {
    const model = build('inceptionv3', 0.125, 1);
    const file = join(root, 'layout.h5');
    await saveKerasWeights(model, file);
    const f = new h5wasm.File(file, 'r');
    const layerNames = f.attrs['layer_names'];
    // Fixed-length ASCII byte strings, as h5py stores numpy `S` arrays.
    expect(layerNames?.metadata.vlen).toBe(false);
    expect(layerNames?.metadata.cset).toBe(0);
    expect(layerNames?.value).toEqual(model.layers.map((l) => l.name));
    expect(Object.keys(f.attrs).sort()).toEqual(['backend', 'keras_version', 'layer_names']);
    expect(f.attrs['backend']?.value).toBe('tensorflow');
    const conv = f.get('conv2d') as InstanceType<typeof h5wasm.Group>;
    expect(conv.attrs['weight_names']?.value).toEqual(['conv2d/kernel:0']);
    const kernel = conv.get('conv2d/kernel:0') as InstanceType<typeof h5wasm.Dataset>;
    expect(kernel.dtype).toBe('<f');
    expect(kernel.shape).toEqual(model.getLayer('conv2d').getWeights()[0]?.shape);
    const bn = f.get('batch_normalization') as InstanceType<typeof h5wasm.Group>;
    // scale=False: beta, then the moving statistics, in Keras's order.
    expect(bn.attrs['weight_names']?.value).toEqual(['batch_normalization/beta:0', 'batch_normalization/moving_mean:0', 'batch_normalization/moving_variance:0']);
    const input = f.get('input') as InstanceType<typeof h5wasm.Group>;
    expect(Array.from(input.attrs['weight_names']?.value as Float64Array)).toEqual([]);
    f.close();
    model.dispose();
  });
});

describe('weights imagenet', () => {
  it('finds the fetched Keras files under CVR_WEIGHTS_DIR, and names the exact missing file and the command', async () => {
    const base = join(root, 'imagenet');
    const missing = weightsSource('cvrnet', 'imagenet', { CVR_WEIGHTS_DIR: base });
    const d = missing.kind === 'missing' ? missing.diagnostics[0] : undefined;
    expect(d?.code).toBe('CVR720');
    expect(d?.message).toContain(join(base, 'resnet50_weights_tf_dim_ordering_tf_kernels_notop.h5'));
    expect(d?.message).toContain(join(base, 'xception_weights_tf_dim_ordering_tf_kernels_notop.h5'));
    expect(d?.hint).toContain('cvr weights fetch cvrnet');
    const { mkdirSync } = await import('node:fs');
    mkdirSync(base);
    writeKerasLayout(join(base, 'resnet50_weights_tf_dim_ordering_tf_kernels_notop.h5'), build('resnet50', 0.125, 1), { drop: ['predictions'] });
    const half = weightsSource('cvrnet', 'imagenet', { CVR_WEIGHTS_DIR: base });
    expect(half.kind === 'missing' && half.diagnostics[0]?.message).toMatch(/no \S+xception_weights_tf_dim_ordering_tf_kernels_notop\.h5$/);
    expect(weightsSource('resnet50', 'imagenet', { CVR_WEIGHTS_DIR: base })).toEqual({ kind: 'paths', paths: [join(base, 'resnet50_weights_tf_dim_ordering_tf_kernels_notop.h5')] });
  });
});
