/**
 * The fit loop. tfjs's `model.fit` hides the batch loop, so this one is written out: batches come
 * from the uint8 cache (data/batches.ts), gradients from `tf.variableGrads` on a class-weighted
 * categorical cross-entropy, updates from our own optimizers (optimizers.ts).
 *
 * After every epoch the whole state — weights, optimizer slots and step, learning rate, monitor
 * state, best weights, history and the positions of the shuffle and augmentation streams — is
 * written atomically to `<checkpointDir>/checkpoint.bin`. A fit started again with the same
 * request continues from there and ends with exactly the weights an uninterrupted fit would have
 * (on the CPU backends). An aborted signal stops at the next batch boundary and checkpoints the
 * epoch so far (with the batch to continue from), so no finished batch is redone; bad data or a
 * diverging loss stops with a diagnostic; in every case the last checkpoint stays on disk.
 */
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import type { Diagnostic } from '../diag/index.ts';
import type { ResolvedAugmentOp, ResolvedImage, ResolvedTrain } from '../dsl/index.ts';
import type { TrainEventSink } from './events.ts';
import type { ImageSource, LabelledImage } from '../data/index.ts';
import { batchesOf, makeBatch } from '../data/index.ts';
import type { RandomState, RandomStreamFactory } from '../engine/index.ts';
import { shuffled } from '../engine/index.ts';
import { classCounts, classWeights } from './class-weights.ts';
import { createOptimizer } from './optimizers.ts';
import type { MonitorState } from './monitors.ts';
import { canonicalMetric, initialMonitor, stepEarlyStop, stepPlateau } from './monitors.ts';
import type { NamedArray } from './tensor-file.ts';
import { readTensorFile, writeTensorFile } from './tensor-file.ts';
import { fitsModel, restoreWeights, snapshotWeights } from './model-weights.ts';

export type EpochLogs = Readonly<Record<string, number>>;

/**
 * A layer that draws random numbers while training (seeded dropout) and can say where its stream
 * is: fit saves these positions in every checkpoint and restores them on resume, so such models
 * resume exactly too. Layers without the two methods are assumed to draw nothing.
 */
export interface RandomStateLayer {
  randomState(): unknown;
  restoreRandomState(state: unknown): void;
}

/** Keyed by position in `model.layers`: generated layer names differ between two builds. */
function randomLayers(model: tf.LayersModel): Map<string, RandomStateLayer> {
  const out = new Map<string, RandomStateLayer>();
  model.layers.forEach((layer, i) => {
    const l = layer as unknown as Partial<RandomStateLayer>;
    if (typeof l.randomState === 'function' && typeof l.restoreRandomState === 'function') out.set(String(i), l as RandomStateLayer);
  });
  return out;
}

export interface FitRequest {
  /** The plan node, for events (`train:cvrnet:0`). */
  readonly nodeId: string;
  readonly model: string;
  readonly fold: number;
  /** Task classes in model output order. */
  readonly classes: readonly string[];
  readonly train: readonly LabelledImage[];
  /** Empty: no validation metrics are logged. */
  readonly validation: readonly LabelledImage[];
  readonly images: ImageSource;
  readonly image: ResolvedImage;
  readonly augment: readonly ResolvedAugmentOp[];
  readonly config: ResolvedTrain;
  /** Builds the untrained model; must be deterministic for a given seed (seeded initialisers). */
  readonly createModel: () => tf.LayersModel | Promise<tf.LayersModel>;
  /** Streams of this node: `shuffle`, `augment` are drawn here. */
  readonly random: RandomStreamFactory;
  readonly checkpointDir: string;
  /** Where the final weights go (the runner: its node's output folder). Default `<checkpointDir>/final.weights`. */
  readonly weightsFile?: string;
  readonly emit?: TrainEventSink;
  readonly signal?: AbortSignal;
  /** Clock for event timestamps and throughput. */
  readonly now?: () => number;
}

export type FitStatus = 'completed' | 'early-stopped' | 'cancelled';

export type FitResult =
  | {
      readonly ok: true;
      readonly status: FitStatus;
      /** The trained model (best weights restored where early_stop says so). The caller disposes it. */
      readonly model: tf.LayersModel;
      readonly history: readonly EpochLogs[];
      /** 0-based epoch of the best monitored value, when early stopping is declared. */
      readonly bestEpoch?: number;
      /** Epochs already done when this call started (0 for a fresh fit). */
      readonly resumedFrom: number;
      /** Final weights (absent when cancelled): load with `loadModelWeights`. */
      readonly weightsFile?: string;
      readonly classWeights: readonly number[];
    }
  | { readonly ok: false; readonly diagnostics: readonly Diagnostic[] };

interface CheckpointMeta {
  readonly version: 1;
  readonly fingerprint: string;
  /** Epochs completed. */
  readonly epoch: number;
  readonly finished: boolean;
  readonly status: FitStatus;
  readonly lr: number;
  readonly history: readonly EpochLogs[];
  readonly plateau: MonitorState;
  readonly early: MonitorState;
  readonly rng: { readonly shuffle: RandomState; readonly augment: RandomState };
  /** Stream positions of the model's random layers (`RandomStateLayer`), by layer index. */
  readonly layerRandom?: Readonly<Record<string, unknown>>;
  readonly optimizerStep: number;
  readonly counts: { readonly model: number; readonly optimizer: number; readonly best: number };
  /** Present when the fit was cancelled inside an epoch: where to pick it up. */
  readonly partial?: PartialEpoch;
}

/** The running sums of an epoch cut short, and the shuffle stream as it was when the epoch began. */
interface PartialEpoch {
  readonly batch: number;
  readonly lossSum: number;
  readonly correct: number;
  readonly seen: number;
  readonly shuffleAtStart: RandomState;
}

export const CHECKPOINT_FILE = 'checkpoint.bin';
export const FINAL_WEIGHTS_FILE = 'final.weights';

function error(code: Diagnostic['code'], message: string, hint: string, file?: string): { ok: false; diagnostics: Diagnostic[] } {
  return { ok: false, diagnostics: [{ code, severity: 'error', message, hint, ...(file !== undefined ? { file } : {}) }] };
}

function fingerprint(req: FitRequest, model: tf.LayersModel): string {
  const h = createHash('sha256');
  h.update(
    JSON.stringify({
      config: req.config,
      augment: req.augment,
      image: req.image,
      classes: req.classes,
      train: req.train.map((t) => [t.id, t.classIndex]),
      validation: req.validation.map((t) => [t.id, t.classIndex]),
      weights: model.weights.map((w) => w.shape),
      // The first draw of the shuffle stream stands for (seed, node key).
      seed: req.random('shuffle').next(),
    }),
  );
  return h.digest('hex');
}

function loggedMetrics(hasValidation: boolean): string[] {
  return ['loss', 'accuracy', 'learning_rate', ...(hasValidation ? ['val_loss', 'val_accuracy'] : [])];
}

/** Keras's categorical cross-entropy on probabilities: renormalise, clip to [ε, 1−ε], weigh per sample. */
function crossEntropy(y: tf.Tensor, probs: tf.Tensor, sampleWeights?: tf.Tensor): tf.Tensor1D {
  const p = probs.div(probs.sum(-1, true)).clipByValue(1e-7, 1 - 1e-7);
  const perSample = y.mul(p.log()).sum(-1).neg() as tf.Tensor1D;
  return sampleWeights === undefined ? perSample : (perSample.mul(sampleWeights) as tf.Tensor1D);
}

export async function fit(req: FitRequest): Promise<FitResult> {
  const now = req.now ?? Date.now;
  const k = req.classes.length;
  const { config } = req;
  if (config.loss !== 'categorical_crossentropy') {
    return error('CVR814', `loss "${config.loss}" is not implemented`, 'use `loss categorical_crossentropy` (class weights handle imbalance)');
  }
  if (req.train.length === 0) return error('CVR812', `the training set of ${req.nodeId} is empty`, 'check the split: every image went to test or validation');
  const weightsResult = classWeights(config.classWeights, req.classes, classCounts(req.train.map((t) => t.classIndex), k));
  if (!weightsResult.ok) return weightsResult;
  const weightsPerClass = weightsResult.weights;

  const logged = loggedMetrics(req.validation.length > 0);
  for (const [what, metric] of [
    ['reduce_lr', config.reduceLr?.metric],
    ['early_stop', config.earlyStop?.metric],
  ] as const) {
    if (metric !== undefined && !logged.includes(canonicalMetric(metric))) {
      return error('CVR809', `${what} monitors "${metric}", which training does not log (it logs ${logged.join(', ')})`, req.validation.length === 0 ? 'a val_* metric needs a validation set: declare `validation` in the split' : 'use one of the logged metrics');
    }
  }

  const { images, image } = req;
  if (images.width !== image.width || images.height !== image.height || images.channels !== image.channels) {
    return error('CVR802', `the prepared images are ${images.width}×${images.height}×${images.channels}, but the pipeline declares ${image.width}×${image.height}×${image.channels}`, 'prepare the images with the pipeline\'s `image` settings (a stale prep output?)');
  }
  const model = await req.createModel();
  const inputShape = model.inputs[0]?.shape ?? [];
  const want = [req.images.height, req.images.width, req.images.channels];
  if (inputShape.length !== 4 || want.some((d, i) => inputShape[i + 1] !== null && inputShape[i + 1] !== d)) {
    model.dispose();
    return error('CVR808', `model ${req.model} takes input ${JSON.stringify(inputShape.slice(1))} but the images are ${want.join('×')}`, 'make `image size` and `channels` match the model');
  }
  const outputShape = model.outputs[0]?.shape ?? [];
  if (outputShape[outputShape.length - 1] !== k) {
    model.dispose();
    return error('CVR808', `model ${req.model} has ${String(outputShape[outputShape.length - 1])} outputs but the task has ${k} classes`, 'build the model for the task classes');
  }

  const vars = model.trainableWeights.map((w) => w.read() as tf.Variable);
  const optimizer = createOptimizer(config.optimizer, vars);
  const fp = fingerprint(req, model);
  const checkpointFile = join(req.checkpointDir, CHECKPOINT_FILE);
  const weightsFile = req.weightsFile ?? join(req.checkpointDir, FINAL_WEIGHTS_FILE);

  let epoch = 0;
  let lr = config.optimizer.lr;
  let history: EpochLogs[] = [];
  let plateau = initialMonitor(canonicalMetric(config.reduceLr?.metric ?? 'val_loss'));
  let early = initialMonitor(canonicalMetric(config.earlyStop?.metric ?? 'val_loss'));
  let best: NamedArray[] | undefined;
  let shuffleRng = req.random('shuffle');
  let augmentRng = req.random('augment');
  let status: FitStatus = 'completed';
  let finished = false;
  let partial: PartialEpoch | undefined;

  const saved = await readTensorFile<CheckpointMeta>(checkpointFile);
  if (saved !== undefined) {
    const m = saved.meta;
    const modelArrays = saved.arrays.slice(0, m.counts.model);
    const optArrays = saved.arrays.slice(m.counts.model, m.counts.model + m.counts.optimizer);
    const okShape = m.version === 1 && m.fingerprint === fp && fitsModel(model, modelArrays) && optArrays.length === optimizer.slotCount;
    if (!okShape) {
      optimizer.dispose();
      model.dispose();
      return error('CVR807', `the checkpoint in ${req.checkpointDir} was written for another configuration or model`, 'delete that folder to train from scratch', checkpointFile);
    }
    restoreWeights(model, modelArrays);
    optimizer.restore({ step: m.optimizerStep, slots: optArrays.map((a) => a.data) });
    best = m.counts.best > 0 ? saved.arrays.slice(m.counts.model + m.counts.optimizer) : undefined;
    ({ epoch, lr, status, finished, partial } = m);
    // JSON has no infinities: a monitor that has seen no value yet comes back with best = null.
    plateau = { ...m.plateau, best: m.plateau.best ?? plateau.best };
    early = { ...m.early, best: m.early.best ?? early.best };
    history = [...m.history];
    shuffleRng = req.random('shuffle', partial?.shuffleAtStart ?? m.rng.shuffle);
    augmentRng = req.random('augment', m.rng.augment);
    for (const [name, layer] of randomLayers(model)) {
      const state = m.layerRandom?.[name];
      if (state !== undefined) layer.restoreRandomState(state);
    }
  }
  const resumedFrom = epoch;

  const writeCheckpoint = async (cut?: PartialEpoch) => {
    const opt = optimizer.state();
    const modelArrays = snapshotWeights(model);
    const optArrays = opt.slots.map((data, i) => ({ name: `optimizer/${i}`, shape: [data.length], data }));
    const meta: CheckpointMeta = {
      version: 1,
      fingerprint: fp,
      epoch,
      finished,
      status,
      lr,
      history,
      plateau,
      early,
      rng: { shuffle: shuffleRng.state(), augment: augmentRng.state() },
      layerRandom: Object.fromEntries([...randomLayers(model)].map(([name, layer]) => [name, layer.randomState()])),
      optimizerStep: opt.step,
      counts: { model: modelArrays.length, optimizer: optArrays.length, best: best?.length ?? 0 },
      ...(cut !== undefined ? { partial: cut } : {}),
    };
    await writeTensorFile(checkpointFile, meta, [...modelArrays, ...optArrays, ...(best ?? [])]);
  };

  const spec = { source: req.images, normalize: req.image.normalize, classes: k };
  const classWeightTensor = tf.tensor1d([...weightsPerClass]);
  try {
    while (!finished) {
      optimizer.learningRate = lr;
      const shuffleAtStart = shuffleRng.state();
      const order = shuffled(req.train, shuffleRng);
      const batches = batchesOf(order, config.batch);
      let lossSum = partial?.lossSum ?? 0;
      let correct = partial?.correct ?? 0;
      let seen = partial?.seen ?? 0;
      const firstBatch = partial?.batch ?? 0;
      partial = undefined;
      for (const [b, items] of batches.entries()) {
        if (b < firstBatch) continue;
        // Let the event loop turn between batches: a SIGINT handler can abort the signal and the
        // live view can draw the last batch event.
        await new Promise<void>((resolve) => setImmediate(resolve));
        if (req.signal?.aborted) {
          await writeCheckpoint({ batch: b, lossSum, correct, seen, shuffleAtStart });
          return { ok: true, status: 'cancelled', model, history, resumedFrom, classWeights: weightsPerClass };
        }
        const started = now();
        const batch = makeBatch(items, { ...spec, augment: req.augment, random: augmentRng });
        const [loss, hits] = tf.tidy(() => {
          const x = tf.tensor4d(batch.x, [batch.size, req.images.height, req.images.width, req.images.channels]);
          const y = tf.tensor2d(batch.y, [batch.size, k]);
          const w = y.mul(classWeightTensor).sum(-1);
          let hitsT: tf.Tensor | undefined;
          const { value, grads } = tf.variableGrads(() => {
            const probs = model.apply(x, { training: true }) as tf.Tensor;
            hitsT = tf.keep(probs.argMax(-1).equal(y.argMax(-1)).sum());
            return crossEntropy(y, probs, w).mean() as tf.Scalar;
          }, vars);
          optimizer.apply(vars.map((v) => grads[v.name] as tf.Tensor));
          const hitCount = (hitsT as tf.Tensor).dataSync()[0] as number;
          hitsT?.dispose();
          return [value.dataSync()[0] as number, hitCount];
        });
        if (!Number.isFinite(loss)) {
          model.dispose();
          return error('CVR806', `training ${req.nodeId} diverged at epoch ${epoch + 1}, batch ${b + 1}: the loss is ${loss}`, 'lower the learning rate; the last finished epoch is kept in the checkpoint', checkpointFile);
        }
        lossSum += loss * batch.size;
        correct += hits;
        seen += batch.size;
        const elapsed = Math.max(now() - started, 1e-3);
        req.emit?.({
          type: 'batch',
          t: now(),
          id: req.nodeId,
          model: req.model,
          fold: req.fold,
          epoch: epoch + 1,
          batch: b + 1,
          batches: batches.length,
          loss,
          accuracy: hits / batch.size,
          imagesPerSecond: (batch.size * 1000) / elapsed,
        });
      }
      const logs: Record<string, number> = { loss: lossSum / seen, accuracy: correct / seen, learning_rate: lr };
      if (req.validation.length > 0) Object.assign(logs, evaluateLoss(model, req.validation, spec, config.batch));
      history.push(logs);

      if (config.earlyStop !== undefined) {
        const step = stepEarlyStop(early, logs[canonicalMetric(config.earlyStop.metric)] as number, epoch, config.earlyStop);
        early = step.state;
        if (step.improved && config.earlyStop.restoreBest) best = snapshotWeights(model, 'best');
        if (step.stop) status = 'early-stopped';
      }
      if (config.reduceLr !== undefined) {
        ({ state: plateau, lr } = stepPlateau(plateau, logs[canonicalMetric(config.reduceLr.metric)] as number, epoch, config.reduceLr, lr));
      }
      epoch++;
      finished = status === 'early-stopped' || epoch >= config.epochs;
      if (finished && config.earlyStop?.restoreBest === true && best !== undefined) restoreWeights(model, best);
      await writeCheckpoint();
      // Announced only once the checkpoint holding it is on disk: a process killed right after
      // the announcement resumes after this epoch, never before it.
      req.emit?.({ type: 'epoch', t: now(), id: req.nodeId, model: req.model, fold: req.fold, epoch, epochs: config.epochs, logs });
    }
  } finally {
    classWeightTensor.dispose();
    optimizer.dispose();
  }
  await writeTensorFile(weightsFile, { model: req.model, epoch, status }, snapshotWeights(model));
  return {
    ok: true,
    status,
    model,
    history,
    ...(config.earlyStop !== undefined && early.bestEpoch >= 0 ? { bestEpoch: early.bestEpoch } : {}),
    resumedFrom,
    weightsFile,
    classWeights: weightsPerClass,
  };
}

/** Unweighted mean cross-entropy and accuracy over a labelled set (validation: no augmentation). */
function evaluateLoss(
  model: tf.LayersModel,
  items: readonly LabelledImage[],
  spec: { source: ImageSource; normalize: ResolvedImage['normalize']; classes: number },
  batchSize: number,
): { val_loss: number; val_accuracy: number } {
  let lossSum = 0;
  let correct = 0;
  for (const chunk of batchesOf(items, batchSize)) {
    const batch = makeBatch(chunk, spec);
    tf.tidy(() => {
      const x = tf.tensor4d(batch.x, [batch.size, spec.source.height, spec.source.width, spec.source.channels]);
      const y = tf.tensor2d(batch.y, [batch.size, spec.classes]);
      const probs = model.apply(x, { training: false }) as tf.Tensor;
      lossSum += crossEntropy(y, probs).sum().dataSync()[0] as number;
      correct += probs.argMax(-1).equal(y.argMax(-1)).sum().dataSync()[0] as number;
    });
  }
  return { val_loss: lossSum / items.length, val_accuracy: correct / items.length };
}
