import { beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { fit, CHECKPOINT_FILE, type FitRequest } from '../../src/train/fit.ts';
import { predictProbabilities, predictProbabilitiesAsync } from '../../src/train/predict.ts';
import { streamFactory, shuffled, saveableRandomStream, restoreRandomStream, type RandomState, type SaveableRandomStream } from '../../src/engine/index.ts';
import { foldMetrics } from '../../src/evaluate/metrics.ts';
import { evaluateFold } from '../../src/evaluate/evaluate-fold.ts';
import { summarizeFolds } from '../../src/evaluate/aggregate.ts';
import type { RunEvent } from '../../src/run/events.ts';
import type { LabelledImage } from '../../src/data/batches.ts';
import { SeededDropout } from '../../src/models/seeded-dropout.ts';
import { easySet, IMAGE, memorySource, tinyConvNet, trainConfig } from './helpers.ts';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const trainSet = easySet(48, 0);
const testSet = easySet(48, 1000);
const pixels = new Map([...trainSet.pixels, ...testSet.pixels]);
const images = memorySource(pixels);

function request(over: Partial<FitRequest> = {}): FitRequest {
  return {
    nodeId: 'train:tiny:0',
    model: 'tiny',
    fold: 0,
    classes: ['A', 'B'],
    train: trainSet.items,
    validation: testSet.items.slice(0, 16),
    images,
    image: IMAGE,
    augment: [{ op: 'flip', axis: 'horizontal', p: 0.5 }],
    config: trainConfig(),
    createModel: () => tinyConvNet(1),
    random: streamFactory(42, 'train:tiny:0'),
    checkpointDir: mkdtempSync(join(tmpdir(), 'cvr-fit-')),
    ...over,
  };
}

function testAccuracy(model: tf.LayersModel): number {
  const probs = predictProbabilities({ model, images, ids: testSet.items.map((t) => t.id), normalize: 'unit', classes: 2, batch: 16 });
  const preds = testSet.items.map((t, i) => ({ id: t.id, source: 's', trueIndex: t.classIndex, probabilities: probs![i]! }));
  return foldMetrics(0, preds, ['A', 'B']).accuracy;
}

/**
 * Shuffled labels that carry no information at all: within each true class, a seeded half is
 * called 0 and the other half 1 (a plain permutation can correlate with the truth by chance).
 */
function uncorrelatedLabels(items: readonly LabelledImage[]): LabelledImage[] {
  const random = saveableRandomStream(5, 'labels', 'shuffle');
  const out = new Map<string, number>();
  for (const c of [0, 1]) {
    shuffled(items.filter((t) => t.classIndex === c), random).forEach((t, i) => out.set(t.id, i % 2));
  }
  return items.map((t) => ({ id: t.id, classIndex: out.get(t.id)! }));
}

async function weightsOf(model: tf.LayersModel): Promise<number[][]> {
  return model.getWeights().map((w) => Array.from(w.dataSync()));
}

describe('fit', () => {
  it('learns true labels of an easy set but stays at chance on shuffled labels', async () => {
    const real = await fit(request());
    expect(real.ok).toBe(true);
    if (!real.ok) return;
    const realAcc = testAccuracy(real.model);
    const noisy = await fit(request({ train: uncorrelatedLabels(trainSet.items), validation: [] }));
    expect(noisy.ok).toBe(true);
    if (!noisy.ok) return;
    const noisyAcc = testAccuracy(noisy.model);
    expect(realAcc).toBeGreaterThanOrEqual(0.9);
    // 48 test images: a chance-level classifier lands within ±0.2 of 0.5 with high probability.
    expect(Math.abs(noisyAcc - 0.5)).toBeLessThanOrEqual(0.2);
    expect(real.history).toHaveLength(6);
    expect(real.history[5]!['loss']).toBeLessThan(real.history[0]!['loss']!);
  });

  it('gives identical weights and history for two runs with one seed, different with another seed', async () => {
    const a = await fit(request());
    const b = await fit(request());
    const c = await fit(request({ random: streamFactory(43, 'train:tiny:0') }));
    if (!a.ok || !b.ok || !c.ok) throw new Error('fit failed');
    expect(b.history).toEqual(a.history);
    expect(await weightsOf(b.model)).toEqual(await weightsOf(a.model));
    // The `models` section of metrics.json, as the runner writes it, is byte-identical.
    const section = (model: tf.LayersModel) => {
      const probs = predictProbabilities({ model, images, ids: testSet.items.map((t) => t.id), normalize: 'unit', classes: 2, batch: 16 })!;
      const preds = testSet.items.map((t, i) => ({ id: t.id, source: i % 3 === 0 ? 's1' : 's2', trueIndex: t.classIndex, probabilities: probs[i]! }));
      const fold = evaluateFold({ fold: 0, predictions: preds, classes: ['A', 'B'], evaluate: { metrics: [], confusion: true, bySource: true, bootstrap: 100 }, holdout: true, random: saveableRandomStream(42, 'metrics:tiny', 'bootstrap') });
      return JSON.stringify(summarizeFolds([fold]));
    };
    expect(section(b.model)).toBe(section(a.model));
    expect(c.history).not.toEqual(a.history);
  });

  it.each(['adam', 'adamax', 'sgd', 'rmsprop'] as const)('resumes a %s fit from its checkpoint to the uninterrupted result', async (name) => {
    const config = trainConfig({
      optimizer: { name, lr: name === 'sgd' ? 0.05 : 0.01, params: name === 'sgd' ? { momentum: 0.9 } : {} },
      epochs: 4,
      reduceLr: { metric: 'val_loss', factor: 0.5, patience: 1, min: 1e-5 },
      // Never stops within 4 epochs; validation accuracy saturates early (best epoch 1 for adam
      // and rmsprop), so the best-weights snapshot must come back from the checkpoint.
      earlyStop: { metric: 'val_accuracy', patience: 10, restoreBest: true },
    });
    const whole = await fit(request({ config }));
    if (!whole.ok) throw new Error('fit failed');

    const dir = mkdtempSync(join(tmpdir(), 'cvr-resume-'));
    const controller = new AbortController();
    // Abort inside the third epoch: the checkpoint holds two epochs and the third's first batches.
    const events: RunEvent[] = [];
    const first = await fit(
      request({
        config,
        checkpointDir: dir,
        signal: controller.signal,
        emit: (e) => {
          events.push(e);
          if (e.type === 'batch' && e.epoch === 3 && e.batch === 2) controller.abort();
        },
      }),
    );
    expect(first.ok && first.status).toBe('cancelled');
    expect(events.filter((e) => e.type === 'epoch')).toHaveLength(2);
    const continued: RunEvent[] = [];
    const resumed = await fit(request({ config, checkpointDir: dir, emit: (e) => continued.push(e) }));
    if (!resumed.ok) throw new Error('resume failed');
    expect(resumed.resumedFrom).toBe(2);
    const firstBatch = continued.find((e) => e.type === 'batch');
    expect(firstBatch !== undefined && [firstBatch.type === 'batch' && firstBatch.epoch, firstBatch.type === 'batch' && firstBatch.batch]).toEqual([3, 3]);
    const redone: RunEvent[] = [];
    const again = await fit(request({ config, checkpointDir: dir, emit: (e) => redone.push(e) }));
    expect(again.ok && again.history).toEqual(whole.history);
    expect(redone.filter((e) => e.type === 'batch')).toEqual([]);
    expect(resumed.history).toEqual(whole.history);
    expect(resumed.bestEpoch).toBe(whole.bestEpoch);
    expect(await weightsOf(resumed.model)).toEqual(await weightsOf(whole.model));
  });

  it('resumes a model with a seeded dropout layer exactly when the layer reports its stream position', async () => {
    /** Dropout drawing a fresh op seed per call from its own stream. */
    class StreamDropout extends tf.layers.Layer {
      static readonly className: string = 'TestStreamDropout';
      stream: SaveableRandomStream = saveableRandomStream(1, 'test', 'dropout');
      override computeOutputShape(shape: tf.Shape | tf.Shape[]): tf.Shape | tf.Shape[] {
        return shape;
      }
      override call(inputs: tf.Tensor | tf.Tensor[], kwargs: Record<string, unknown>): tf.Tensor {
        const x = Array.isArray(inputs) ? inputs[0]! : inputs;
        if (kwargs['training'] !== true) return x;
        return tf.dropout(x, 0.5, undefined, 1 + Math.floor(this.stream.next() * 0x7ffffffe));
      }
    }
    class ResumableDropout extends StreamDropout {
      randomState(): unknown {
        return this.stream.state();
      }
      restoreRandomState(state: unknown): void {
        this.stream = restoreRandomStream(state as RandomState);
      }
    }
    const build = (Drop: typeof StreamDropout) => () => {
      const init = (s: number) => tf.initializers.glorotUniform({ seed: s });
      return tf.sequential({
        layers: [
          tf.layers.conv2d({ inputShape: [16, 16, 1], filters: 4, kernelSize: 3, activation: 'relu', kernelInitializer: init(1) }),
          tf.layers.flatten(),
          new Drop({}),
          tf.layers.dense({ units: 2, activation: 'softmax', kernelInitializer: init(2) }),
        ],
      });
    };
    const config = trainConfig({ epochs: 3 });
    const interrupted = async (Drop: typeof StreamDropout) => {
      const dir = mkdtempSync(join(tmpdir(), 'cvr-drop-'));
      const controller = new AbortController();
      await fit(request({ config, createModel: build(Drop), checkpointDir: dir, signal: controller.signal, emit: (e) => e.type === 'epoch' && e.epoch === 1 && controller.abort() }));
      const r = await fit(request({ config, createModel: build(Drop), checkpointDir: dir }));
      if (!r.ok) throw new Error('resume failed');
      return r.history;
    };
    const whole = await fit(request({ config, createModel: build(ResumableDropout) }));
    if (!whole.ok) throw new Error('fit failed');
    expect(await interrupted(ResumableDropout)).toEqual(whole.history);
    // Without the two methods the resumed run redraws masks from the start of the stream.
    expect(await interrupted(StreamDropout)).not.toEqual(whole.history);
  });

  it('resumes a model with the zoo\'s SeededDropout (efficientnetb0\'s dropout) to the uninterrupted result', async () => {
    const build = () => {
      const init = (s: number) => tf.initializers.glorotUniform({ seed: s });
      return tf.sequential({
        layers: [
          tf.layers.conv2d({ inputShape: [16, 16, 1], filters: 4, kernelSize: 3, activation: 'relu', kernelInitializer: init(1) }),
          new SeededDropout({ rate: 0.3, perSample: true, seed: 42, nodeKey: 'train:tiny:0', name: 'drop_connect' }),
          tf.layers.flatten(),
          new SeededDropout({ rate: 0.5, perSample: false, seed: 42, nodeKey: 'train:tiny:0', name: 'top_dropout' }),
          tf.layers.dense({ units: 2, activation: 'softmax', kernelInitializer: init(2) }),
        ],
      });
    };
    const config = trainConfig({ epochs: 3 });
    const whole = await fit(request({ config, createModel: build }));
    if (!whole.ok) throw new Error('fit failed');
    const dir = mkdtempSync(join(tmpdir(), 'cvr-seeded-drop-'));
    const controller = new AbortController();
    // Cut once after an epoch boundary and once inside an epoch.
    await fit(request({ config, createModel: build, checkpointDir: dir, signal: controller.signal, emit: (e) => e.type === 'epoch' && e.epoch === 1 && controller.abort() }));
    const again = new AbortController();
    await fit(request({ config, createModel: build, checkpointDir: dir, signal: again.signal, emit: (e) => e.type === 'batch' && e.epoch === 2 && e.batch === 3 && again.abort() }));
    const resumed = await fit(request({ config, createModel: build, checkpointDir: dir }));
    if (!resumed.ok) throw new Error('resume failed');
    expect(resumed.resumedFrom).toBe(1);
    expect(resumed.history).toEqual(whole.history);
    expect(await weightsOf(resumed.model)).toEqual(await weightsOf(whole.model));
  });

  it('announces an epoch only once its checkpoint is on disk (a kill right after the event loses nothing)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cvr-announce-'));
    const epochsOnDisk: [number, number][] = [];
    const r = await fit(
      request({
        config: trainConfig({ epochs: 3 }),
        checkpointDir: dir,
        emit: (e) => {
          if (e.type !== 'epoch') return;
          // Read synchronously, as a process killed inside this callback would leave the file.
          const buf = readFileSync(join(dir, CHECKPOINT_FILE));
          const header = JSON.parse(buf.subarray(12, 12 + buf.readUInt32LE(8)).toString('utf8')) as { meta: { epoch: number } };
          epochsOnDisk.push([e.epoch, header.meta.epoch]);
        },
      }),
    );
    expect(r.ok).toBe(true);
    expect(epochsOnDisk).toEqual([
      [1, 1],
      [2, 2],
      [3, 3],
    ]);
  });

  it('stops early on a logged metric and restores the best weights', async () => {
    const config = trainConfig({ epochs: 30, optimizer: { name: 'adam', lr: 0.05, params: {} }, earlyStop: { metric: 'val_accuracy', patience: 2, restoreBest: true } });
    const r = await fit(request({ config }));
    if (!r.ok) throw new Error('fit failed');
    expect(r.status).toBe('early-stopped');
    expect(r.history.length).toBeLessThan(30);
    const bestEpoch = r.bestEpoch!;
    expect(r.history.length).toBe(bestEpoch + 1 + 2);
    const bestVal = Math.max(...r.history.map((h) => h['val_accuracy']!));
    expect(r.history[bestEpoch]!['val_accuracy']).toBe(bestVal);
    // The restored model scores the best epoch's validation accuracy again.
    const probs = predictProbabilities({ model: r.model, images, ids: testSet.items.slice(0, 16).map((t) => t.id), normalize: 'unit', classes: 2, batch: 8 });
    const acc = testSet.items.slice(0, 16).filter((t, i) => (probs![i]![1]! > probs![i]![0]! ? 1 : 0) === t.classIndex).length / 16;
    expect(acc).toBe(bestVal);
  });

  it('reduces the learning rate after `patience` stalled epochs, never below min', async () => {
    // A learning rate this small leaves the loss unchanged (within min_delta), so every epoch
    // after the first is a stall: lr is cut after epoch 2 and 3, then held at min.
    const config = trainConfig({ epochs: 5, optimizer: { name: 'sgd', lr: 1e-9, params: {} }, reduceLr: { metric: 'loss', factor: 0.1, patience: 1, min: 1e-11 } });
    const r = await fit(request({ config, train: trainSet.items.slice(0, 8), augment: [] }));
    if (!r.ok) throw new Error('fit failed');
    const lrs = r.history.map((h) => h['learning_rate']!);
    [1e-9, 1e-9, 1e-10, 1e-11, 1e-11].forEach((want, i) => expect(lrs[i]! / want).toBeCloseTo(1, 9));
  });

  it('reports problems as diagnostics', async () => {
    const noVal = await fit(request({ validation: [], config: trainConfig({ earlyStop: { metric: 'val_loss', patience: 2, restoreBest: true } }) }));
    expect(!noVal.ok && noVal.diagnostics[0]!.code).toBe('CVR809');
    const wrongShape = await fit(request({ createModel: () => tf.sequential({ layers: [tf.layers.flatten({ inputShape: [8, 8, 1] }), tf.layers.dense({ units: 2, activation: 'softmax' })] }) }));
    expect(!wrongShape.ok && wrongShape.diagnostics[0]!.code).toBe('CVR808');
    const oneClass = await fit(request({ train: trainSet.items.filter((t) => t.classIndex === 0) }));
    expect(!oneClass.ok && oneClass.diagnostics[0]!.code).toBe('CVR805');
    const stale = await fit(request({ image: { ...IMAGE, width: 32, height: 32 } }));
    expect(!stale.ok && stale.diagnostics[0]!.code).toBe('CVR802');
    const loss = await fit(request({ config: trainConfig({ loss: 'focal' }) }));
    expect(!loss.ok && loss.diagnostics[0]!.code).toBe('CVR814');
    const diverge = await fit(request({ config: trainConfig({ optimizer: { name: 'sgd', lr: 1e30, params: {} } }) }));
    expect(!diverge.ok && diverge.diagnostics[0]!.code).toBe('CVR806');
    const dir = mkdtempSync(join(tmpdir(), 'cvr-ck-'));
    await fit(request({ checkpointDir: dir, config: trainConfig({ epochs: 1 }) }));
    const other = await fit(request({ checkpointDir: dir, config: trainConfig({ epochs: 1, batch: 4 }) }));
    expect(!other.ok && other.diagnostics[0]!.code).toBe('CVR807');
  });
});

describe('fit and memory', () => {
  it('leaves no tensors behind but the model it returns', async () => {
    const before = tf.memory().numTensors;
    const r = await fit(request({ config: trainConfig({ epochs: 2, earlyStop: { metric: 'val_loss', patience: 5, restoreBest: true } }) }));
    if (!r.ok) throw new Error('fit failed');
    r.model.dispose();
    expect(tf.memory().numTensors).toBe(before);
    // A cancelled fit and its resumption (checkpoint restore) leave nothing behind either.
    const dir = mkdtempSync(join(tmpdir(), 'cvr-mem-'));
    const controller = new AbortController();
    const cut = await fit(request({ checkpointDir: dir, config: trainConfig({ epochs: 2 }), signal: controller.signal, emit: (e) => e.type === 'batch' && e.batch === 3 && controller.abort() }));
    if (cut.ok) cut.model.dispose();
    const resumed = await fit(request({ checkpointDir: dir, config: trainConfig({ epochs: 2 }) }));
    if (resumed.ok) resumed.model.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe('fit and the event loop', () => {
  it('predicts the same rows asynchronously', async () => {
    const model = tinyConvNet(3);
    const req = { model, images, ids: testSet.items.map((t) => t.id), normalize: 'unit' as const, classes: 2, batch: 5 };
    expect(await predictProbabilitiesAsync(req)).toEqual(predictProbabilities(req));
    const aborted = new AbortController();
    aborted.abort();
    expect(await predictProbabilitiesAsync({ ...req, signal: aborted.signal })).toBeUndefined();
  });

  it('sees an abort raised by a timer (as a SIGINT handler would) within the epoch, at a batch boundary', async () => {
    const controller = new AbortController();
    let batches = 0;
    let batchesWhenAborted = -1;
    const started = fit(request({ config: trainConfig({ epochs: 50 }), signal: controller.signal, emit: (e) => e.type === 'batch' && batches++ }));
    setTimeout(() => {
      batchesWhenAborted = batches;
      controller.abort();
    }, 1);
    const r = await started;
    expect(r.ok && r.status).toBe('cancelled');
    // 48 images in batches of 8: six batches an epoch. Without a turn of the event loop between
    // batches the timer could only fire at the epoch's checkpoint write.
    expect(batchesWhenAborted).toBeGreaterThanOrEqual(0);
    expect(batchesWhenAborted).toBeLessThan(6);
    expect(batches).toBe(batchesWhenAborted);
  });
});
