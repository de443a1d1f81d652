import * as tf from '@tensorflow/tfjs';
import { mkdtempSync, readFileSync, rmSync, truncateSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { buildModel, loadWeights, saveLayersModel, weightsSource } from '../../src/models/index.ts';

const root = mkdtempSync(join(tmpdir(), 'cvr-weights-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const tiny = (name: string, seed: number, width = 0.125): tf.LayersModel => {
  const r = buildModel(name, { size: 32, channels: 3, classes: 2, width, seed, nodeKey: 'w' });
  if (!r.ok) throw new Error(JSON.stringify(r.diagnostics));
  return r.model;
};
const layerWeights = (m: tf.LayersModel, layer: string): number[][] => m.getLayer(layer).getWeights().map((w) => Array.from(w.dataSync()));

describe('weights "dir"', () => {
  it('loads a saved tfjs layers model into a fresh model by layer name', async () => {
    const source = tiny('resnet50', 1);
    const dir = join(root, 'resnet50');
    await saveLayersModel(source, dir);
    expect(JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8')).format).toBe('layers-model');

    const target = tiny('resnet50', 2);
    expect(layerWeights(target, 'conv1_conv')).not.toEqual(layerWeights(source, 'conv1_conv'));
    const r = await loadWeights(target, dir);
    expect(r.ok).toBe(true);
    expect(target.getWeights().map((w) => Array.from(w.dataSync()))).toEqual(source.getWeights().map((w) => Array.from(w.dataSync())));
  });

  it('loads ResNet-50 and Xception weights into the matching CVR-Net branches, heads untouched', async () => {
    const resnet = tiny('resnet50', 1);
    const xcep = tiny('xception', 1);
    const dir = join(root, 'branches');
    // The classifier tops do not exist in CVR-Net: export the backbones only, as include_top=False would.
    await saveLayersModel(tf.model({ inputs: resnet.inputs, outputs: resnet.getLayer('conv5_block3_out').output, name: 'r' }), join(dir, 'resnet50'));
    await saveLayersModel(tf.model({ inputs: xcep.inputs, outputs: xcep.getLayer('block14_sepconv2_act').output, name: 'x' }), join(dir, 'xception'));

    const net = tiny('cvrnet', 9);
    const headBefore = layerWeights(net, 'p3_fc512');
    const r = await loadWeights(net, dir);
    expect(r.ok).toBe(true);
    expect(r.ok && r.files.length).toBe(2);
    for (const layer of ['conv1_conv', 'conv4_block6_3_bn', 'conv5_block3_3_conv']) expect(layerWeights(net, layer)).toEqual(layerWeights(resnet, layer));
    for (const layer of ['block1_conv1', 'block13_sepconv2', 'conv2d_3', 'batch_normalization_3']) expect(layerWeights(net, layer)).toEqual(layerWeights(xcep, layer));
    expect(layerWeights(net, 'p3_fc512')).toEqual(headBefore);
  });

  it('rejects weights of another width, listing the first differing layers, and changes nothing', async () => {
    const dir = join(root, 'wide');
    await saveLayersModel(tiny('resnet50', 1, 0.25), dir);
    const target = tiny('resnet50', 2);
    const before = layerWeights(target, 'conv1_conv');
    const r = await loadWeights(target, dir);
    expect(r.ok).toBe(false);
    const d = !r.ok ? r.diagnostics[0] : undefined;
    expect(d?.code).toBe('CVR708');
    expect(d?.message).toMatch(/layer\(s\) differ \(and \d+ more\):\n {2}conv1_conv: kernel \[7,7,3,16\], bias \[16\] in the file, kernel \[7,7,3,8\], bias \[8\] in the model/);
    expect((d?.data?.['mismatches'] as unknown[]).length).toBeGreaterThan(5);
    expect(layerWeights(target, 'conv1_conv')).toEqual(before);
  });

  it('rejects a classifier top whose class count differs', async () => {
    const dir = join(root, 'three-classes');
    const r3 = buildModel('vgg19', { size: 32, channels: 3, classes: 3, width: 0.125, seed: 1, nodeKey: 'w' });
    if (!r3.ok) throw new Error('build');
    await saveLayersModel(r3.model, dir);
    const r = await loadWeights(tiny('vgg19', 1), dir);
    expect(!r.ok && r.diagnostics[0]?.message).toMatch(/1 layer\(s\) differ:\n {2}predictions: kernel \[512,3\], bias \[3\] in the file, kernel \[512,2\], bias \[2\] in the model/);
  });

  it('reports a missing model (CVR706), broken JSON and a truncated shard (CVR707)', async () => {
    const model = tiny('vgg19', 1);
    const empty = join(root, 'empty');
    mkdirSync(empty);
    const missing = await loadWeights(model, empty);
    expect(!missing.ok && missing.diagnostics[0]?.code).toBe('CVR706');

    const broken = join(root, 'broken');
    mkdirSync(broken);
    writeFileSync(join(broken, 'model.json'), '{ "format": ');
    const bad = await loadWeights(model, broken);
    expect(!bad.ok && bad.diagnostics[0]?.code).toBe('CVR707');

    const short = join(root, 'short');
    await saveLayersModel(model, short);
    truncateSync(join(short, 'weights.bin'), 100);
    const truncated = await loadWeights(model, short);
    expect(!truncated.ok && truncated.diagnostics[0]?.code).toBe('CVR707');
    expect(!truncated.ok && truncated.diagnostics[0]?.message).toMatch(/hold 100 bytes; its manifest needs \d+/);
  });

  it('resolves `weights imagenet` to converted tfjs folders under CVR_WEIGHTS_DIR too, never a download', async () => {
    const base = join(root, 'imagenet');
    expect(weightsSource('resnet50', 'none', {})).toEqual({ kind: 'none' });
    expect(weightsSource('resnet50', '/w/r50', {})).toEqual({ kind: 'paths', paths: ['/w/r50'] });
    const missing = weightsSource('cvrnet', 'imagenet', { CVR_WEIGHTS_DIR: base });
    expect(missing.kind === 'missing' && missing.diagnostics[0]?.code).toBe('CVR720');
    expect(missing.kind === 'missing' && missing.diagnostics[0]?.hint).toContain('cvr weights fetch cvrnet');

    await saveLayersModel(tiny('vgg19', 1), join(base, 'vgg19'));
    await saveLayersModel(tiny('resnet50', 1), join(base, 'resnet50'));
    await saveLayersModel(tiny('xception', 1), join(base, 'xception'));
    const found = weightsSource('cvrnet', 'imagenet', { CVR_WEIGHTS_DIR: base });
    // Only the two branches: VGG-19's block1_conv1 would otherwise collide with Xception's.
    expect(found).toEqual({ kind: 'paths', paths: [join(base, 'resnet50'), join(base, 'xception')] });
  });
});
