/**
 * `cvr weights export` and `cvr weights info` on a real run (tiny images, one epoch), and the run
 * stage's `weights imagenet` / `weights "file.h5"` wiring.
 */
import * as tf from '@tensorflow/tfjs';
import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { main } from '../../src/cli/main.ts';
import type { CliIo } from '../../src/cli/io.ts';
import { buildModel, loadWeights, saveKerasWeights } from '../../src/models/index.ts';
import { loadModelWeights } from '../../src/train/index.ts';
import { readJson } from '../run/helpers.ts';
import { tinyPipeline, useTinyData } from '../run/fixtures/tiny-data.ts';

let dir = '';
useTinyData('weights-cli', 6, (made) => (dir = made));

function io(env: Record<string, string> = {}): CliIo & { out: () => string; err: () => string } {
  const out: string[] = [];
  const err: string[] = [];
  return { stdout: (t) => out.push(t), stderr: (t) => err.push(t), isTty: false, cwd: dir, env: { CVR_CACHE_DIR: 'cache', ...env }, out: () => out.join(''), err: () => err.join('') };
}

const tinyModel = (width: number): tf.LayersModel => {
  const r = buildModel('resnet50', { size: 32, channels: 1, classes: 2, width, seed: 5, nodeKey: 'x' });
  if (!r.ok) throw new Error('build');
  return r.model;
};

describe('cvr weights export / info', () => {
  it('exports the trained weights of a run as .h5: a model loaded from it predicts exactly what the trained one does', { timeout: 300_000 }, async () => {
    writeFileSync(join(dir, 'tiny.cvr'), tinyPipeline('metrics accuracy', undefined, { epochs: 1 }));
    const ran = io();
    expect(await main(['run', 'tiny.cvr', '--out', 'run1'], ran), ran.err()).toBe(0);

    const exported = io();
    expect(await main(['weights', 'export', 'run1', 'resnet50', 'trained.h5'], exported), exported.err()).toBe(0);
    expect(exported.out()).toMatch(/trained\.h5: 107 layers with weights, [\d,]+ parameters \(train:resnet50:0, width 0\.0625, 32 × 32 × 1, 2 classes\)/);

    // The reference: the trained weights as the run's predict node reads them from the cache.
    const lock = readJson(join(dir, 'run1', 'lock.json')) as { nodes: Record<string, string> };
    const reference = tinyModel(0.0625);
    expect(await loadModelWeights(reference, join(dir, 'cache', 'nodes', lock.nodes['train:resnet50:0'] as string, 'weights.bin'))).toBe(true);
    const fromH5 = tinyModel(0.0625);
    const loaded = await loadWeights(fromH5, join(dir, 'trained.h5'));
    expect(loaded.ok ? [] : loaded.diagnostics).toEqual([]);
    const image = tf.randomUniform([3, 32, 32, 1], 0, 1, 'float32', 3);
    expect(Array.from((fromH5.predict(image) as tf.Tensor).dataSync())).toEqual(Array.from((reference.predict(image) as tf.Tensor).dataSync()));
    image.dispose();

    const info = io();
    expect(await main(['weights', 'info', 'trained.h5'], info), info.err()).toBe(0);
    expect(info.out()).toMatch(/^fits resnet50 at width 0\.0625, 1 channel\(s\), 2 classes: every layer; also the resnet50 branch of cvrnet$/m);
    expect(info.out()).toMatch(/^ {2}conv1_conv +kernel \[7,7,1,4\] {2}bias \[4\]$/m);
    const json = io();
    expect(await main(['weights', 'info', 'trained.h5', '--format', 'json'], json)).toBe(0);
    const parsed = JSON.parse(json.out()) as { parameters: number; layers: unknown[] };
    expect(parsed.parameters).toBe(reference.countParams());
    reference.dispose();
    fromH5.dispose();
  });

  it('says when the run folder lacks the model or fold (CVR724)', async () => {
    const c = io();
    expect(await main(['weights', 'export', 'run1', 'vgg19', 'x.h5'], c)).toBe(1);
    expect(c.err()).toContain('CVR724');
    expect(c.err()).toContain('models of this run: resnet50');
    const f = io();
    expect(await main(['weights', 'export', 'run1', 'resnet50', 'x.h5', '--fold', '3'], f)).toBe(1);
    expect(f.err()).toContain('no node train:resnet50:3');
  });

  it('info names the closest model when a file fits none', async () => {
    const odd = tinyModel(0.0625);
    const file = join(dir, 'odd.h5');
    await saveKerasWeights(odd, file);
    // Same file, one layer renamed by hand: what a foreign architecture looks like.
    const h5wasm = (await import('h5wasm/node')).default;
    await h5wasm.ready;
    const f = new h5wasm.File(file, 'a');
    f.create_group('extra_conv');
    const g = f.get('extra_conv') as InstanceType<typeof h5wasm.Group>;
    g.create_attribute('weight_names', ['extra_conv/kernel:0'], [1], 'A20');
    g.create_group('extra_conv');
    g.create_dataset({ name: 'extra_conv/kernel:0', data: new Float32Array(4), shape: [1, 1, 2, 2], dtype: '<f' });
    const names = (f.attrs['layer_names']?.value as string[]).concat(['extra_conv']);
    f.delete_attribute('layer_names');
    f.create_attribute('layer_names', names, [names.length], 'A40');
    f.close();
    const c = io();
    expect(await main(['weights', 'info', 'odd.h5'], c)).toBe(1);
    expect(c.out()).toContain('fits no model of the registry');
    expect(c.out()).toMatch(/closest: resnet50 at width 0\.0625 \(\d+ layers fit\); first differences:\n {2}extra_conv: kernel \[1,1,2,2\] in the file, no such layer in the model/);
    odd.dispose();
  });
});

describe('the run stage loads `weights`', () => {
  // The stage reads CVR_WEIGHTS_DIR from the process, as `cvr run` does.
  afterEach(() => vi.unstubAllEnvs());
  const pipelineWith = (weights: string): string => tinyPipeline('metrics accuracy', undefined, { epochs: 1 }).replace('model resnet50 { width 0.0625 }', `model resnet50 { width 0.0625  weights ${weights} }`);

  it('fails the training node with the exact missing file and the fetch command when `weights imagenet` is not on the machine (CVR720)', { timeout: 300_000 }, async () => {
    writeFileSync(join(dir, 'imagenet.cvr'), pipelineWith('imagenet'));
    vi.stubEnv('CVR_WEIGHTS_DIR', join(dir, 'no-weights'));
    const c = io();
    expect(await main(['run', 'imagenet.cvr', '--out', 'run-imagenet'], c), c.out() + c.err()).toBe(1);
    expect(c.out() + c.err()).toContain(join(dir, 'no-weights', 'resnet50_weights_tf_dim_ordering_tf_kernels_notop.h5'));
    expect(c.out() + c.err()).toContain('cvr weights fetch resnet50');
  });

  it('loads the file `weights imagenet` finds (here a file of another width: CVR708 from the training node)', { timeout: 300_000 }, async () => {
    const weightsDir = join(dir, 'weights');
    mkdirSync(weightsDir, { recursive: true });
    const wide = tinyModel(0.125);
    await saveKerasWeights(wide, join(weightsDir, 'wide.h5'));
    wide.dispose();
    copyFileSync(join(weightsDir, 'wide.h5'), join(weightsDir, 'resnet50_weights_tf_dim_ordering_tf_kernels_notop.h5'));
    vi.stubEnv('CVR_WEIGHTS_DIR', weightsDir);
    const c = io();
    expect(await main(['run', 'imagenet.cvr', '--out', 'run-imagenet2'], c)).toBe(1);
    expect(c.out() + c.err()).toMatch(/CVR708[\s\S]*conv1_conv: kernel \[7,7,1,8\], bias \[8\] in the file, kernel \[7,7,1,4\], bias \[4\] in the model/);
  });

  it('trains from the exported file with `weights "trained.h5"`', { timeout: 300_000 }, async () => {
    writeFileSync(join(dir, 'from-h5.cvr'), pipelineWith('"trained.h5"'));
    const c = io();
    expect(await main(['run', 'from-h5.cvr', '--out', 'run-from-h5'], c), c.out() + c.err()).toBe(0);
    const again = io();
    expect(await main(['run', 'from-h5.cvr', '--out', 'run-from-h5-again'], again)).toBe(0);
    expect(again.out(), again.out()).toMatch(/^\S+ cached +train:resnet50:0$/m);
    // Another file at the same path: the training node's key changes, so it trains again.
    const other = tinyModel(0.0625);
    await saveKerasWeights(other, join(dir, 'trained.h5'));
    other.dispose();
    const replaced = io();
    expect(await main(['run', 'from-h5.cvr', '--out', 'run-from-h5-replaced'], replaced)).toBe(0);
    expect(replaced.out()).toMatch(/^\S+ start +train:resnet50:0$/m);
    expect(replaced.out()).toMatch(/^\S+ cached +audit$/m);
  });
});
