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
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import type { Diagnostic } from '../diag/index.ts';
import type { FitRequest, FitResult } from './fit-types.ts';
import { classCounts, classWeights } from './class-weights.ts';
import { createOptimizer } from './optimizers.ts';
import { canonicalMetric, initialMonitor } from './monitors.ts';
import { CHECKPOINT_FILE, fingerprint, restoreCheckpoint } from './checkpoint.ts';
import type { FitSession, FitState } from './fit-state.ts';
import { endOfEpoch, runEpoch } from './fit-epoch.ts';

export { CHECKPOINT_FILE, type RandomStateLayer } from './checkpoint.ts';

export type { EpochLogs, FitRequest, FitResult, FitStatus } from './fit-types.ts';

type FitError = { readonly ok: false; readonly diagnostics: readonly Diagnostic[] };

function error(code: Diagnostic['code'], message: string, hint: string, file?: string): FitError {
  return { ok: false, diagnostics: [{ code, severity: 'error', message, hint, ...(file !== undefined ? { file } : {}) }] };
}

function loggedMetrics(hasValidation: boolean): string[] {
  return ['loss', 'accuracy', 'learning_rate', ...(hasValidation ? ['val_loss', 'val_accuracy'] : [])];
}

/** The request's problems before any model is built; the class weights when there are none. */
function checkRequest(req: FitRequest): FitError | { ok: true; weights: readonly number[] } {
  const k = req.classes.length;
  const { config } = req;
  if (config.loss !== 'categorical_crossentropy') {
    return error('CVR814', `loss "${config.loss}" is not implemented`, 'use `loss categorical_crossentropy` (class weights handle imbalance)');
  }
  if (req.train.length === 0) return error('CVR812', `the training set of ${req.nodeId} is empty`, 'check the split: every image went to test or validation');
  const weightsResult = classWeights(config.classWeights, req.classes, classCounts(req.train.map((t) => t.classIndex), k));
  if (!weightsResult.ok) return weightsResult;

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
  return { ok: true, weights: weightsResult.weights };
}

/** The model's input and output against the images and the task; disposes the model when they do not fit. */
function checkModel(req: FitRequest, model: tf.LayersModel): FitError | undefined {
  const k = req.classes.length;
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
  return undefined;
}

function initialState(req: FitRequest): FitState {
  const { config } = req;
  return {
    epoch: 0,
    lr: config.optimizer.lr,
    history: [],
    plateau: initialMonitor(canonicalMetric(config.reduceLr?.metric ?? 'val_loss')),
    early: initialMonitor(canonicalMetric(config.earlyStop?.metric ?? 'val_loss')),
    best: undefined,
    shuffleRng: req.random('shuffle'),
    augmentRng: req.random('augment'),
    status: 'completed',
    finished: false,
    partial: undefined,
  };
}

/** Restore, then epochs (each one `runEpoch` and `endOfEpoch` over the one state record), then the result. */
export async function fit(req: FitRequest): Promise<FitResult> {
  const checked = checkRequest(req);
  if (!checked.ok) return checked;
  const weightsPerClass = checked.weights;
  const model = await req.createModel();
  const badModel = checkModel(req, model);
  if (badModel !== undefined) return badModel;

  const vars = model.trainableWeights.map((w) => w.read() as tf.Variable);
  const optimizer = createOptimizer(req.config.optimizer, vars);
  const session: FitSession = {
    req,
    model,
    vars,
    optimizer,
    fp: fingerprint(req, model),
    checkpointFile: join(req.checkpointDir, CHECKPOINT_FILE),
    spec: { source: req.images, normalize: req.image.normalize, classes: req.classes.length },
    classWeightTensor: tf.tensor1d([...weightsPerClass]),
    now: req.now ?? Date.now,
  };
  const state = initialState(req);
  try {
    if (!(await restoreCheckpoint(session, state))) {
      model.dispose();
      return error('CVR807', `the checkpoint in ${req.checkpointDir} was written for another configuration or model`, 'delete that folder to train from scratch', session.checkpointFile);
    }
    const resumedFrom = state.epoch;
    while (!state.finished) {
      const outcome = await runEpoch(session, state);
      if (outcome.kind === 'cancelled') return { ok: true, status: 'cancelled', model, history: state.history, resumedFrom, classWeights: weightsPerClass };
      if (outcome.kind === 'diverged') {
        model.dispose();
        return error('CVR806', `training ${req.nodeId} diverged at epoch ${state.epoch + 1}, batch ${outcome.batch + 1}: the loss is ${outcome.loss}`, 'lower the learning rate; the last finished epoch is kept in the checkpoint', session.checkpointFile);
      }
      await endOfEpoch(session, state, outcome.logs);
    }
    return {
      ok: true,
      status: state.status,
      model,
      history: state.history,
      ...(req.config.earlyStop !== undefined && state.early.bestEpoch >= 0 ? { bestEpoch: state.early.bestEpoch } : {}),
      resumedFrom,
      classWeights: weightsPerClass,
    };
  } finally {
    session.classWeightTensor.dispose();
    optimizer.dispose();
  }
}
