/**
 * One epoch of the fit loop over the state record: the batches (shuffled, augmented, a gradient
 * step each), then the end-of-epoch steps (validation, early stopping, plateau LR, checkpoint,
 * the epoch event).
 */
import * as tf from '@tensorflow/tfjs';
import { batchesOf, makeBatch } from '../data/index.ts';
import { shuffled } from '../engine/index.ts';
import { canonicalMetric, stepEarlyStop, stepPlateau } from './monitors.ts';
import { restoreWeights, snapshotWeights } from './model-weights.ts';
import { evaluateLoss } from './loss.ts';
import { trainStep } from './step.ts';
import { writeCheckpoint } from './checkpoint.ts';
import type { FitSession, FitState } from './fit-state.ts';

export type EpochOutcome =
  | { readonly kind: 'done'; readonly logs: Record<string, number> }
  | { readonly kind: 'cancelled' }
  /** The loss is not finite at this (0-based) batch. */
  | { readonly kind: 'diverged'; readonly batch: number; readonly loss: number };

/** The batches of one epoch (from the cut-off batch of a cancelled one), and its logs. */
export async function runEpoch(session: FitSession, state: FitState): Promise<EpochOutcome> {
  const { req, model, vars, optimizer, spec, classWeightTensor, now } = session;
  const { config } = req;
  const k = spec.classes;
  optimizer.learningRate = state.lr;
  const shuffleAtStart = state.shuffleRng.state();
  const order = shuffled(req.train, state.shuffleRng);
  const batches = batchesOf(order, config.batch);
  let lossSum = state.partial?.lossSum ?? 0;
  let correct = state.partial?.correct ?? 0;
  let seen = state.partial?.seen ?? 0;
  const firstBatch = state.partial?.batch ?? 0;
  state.partial = undefined;
  for (const [b, items] of batches.entries()) {
    if (b < firstBatch) continue;
    // Let the event loop turn between batches: a SIGINT handler can abort the signal and the
    // live view can draw the last batch event.
    await new Promise<void>((resolve) => setImmediate(resolve));
    if (req.signal?.aborted) {
      await writeCheckpoint(session, state, { batch: b, lossSum, correct, seen, shuffleAtStart });
      return { kind: 'cancelled' };
    }
    const started = now();
    const batch = makeBatch(items, { ...spec, augment: req.augment, random: state.augmentRng });
    const { loss, hits } = tf.tidy(() => trainStep(model, vars, optimizer,
      tf.tensor4d(batch.x, [batch.size, req.images.height, req.images.width, req.images.channels]), tf.tensor2d(batch.y, [batch.size, k]), classWeightTensor));
    if (!Number.isFinite(loss)) return { kind: 'diverged', batch: b, loss };
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
      epoch: state.epoch + 1,
      batch: b + 1,
      batches: batches.length,
      loss,
      accuracy: hits / batch.size,
      imagesPerSecond: (batch.size * 1000) / elapsed,
    });
  }
  const logs: Record<string, number> = { loss: lossSum / seen, accuracy: correct / seen, learning_rate: state.lr };
  if (req.validation.length > 0) Object.assign(logs, evaluateLoss(model, req.validation, spec, config.batch));
  return { kind: 'done', logs };
}

/** Early stopping, plateau LR, the checkpoint, and then (only then) the epoch event. */
export async function endOfEpoch(session: FitSession, state: FitState, logs: Record<string, number>): Promise<void> {
  const { req, model, now } = session;
  const { config } = req;
  state.history.push(logs);
  if (config.earlyStop !== undefined) {
    const step = stepEarlyStop(state.early, logs[canonicalMetric(config.earlyStop.metric)] as number, state.epoch, config.earlyStop);
    state.early = step.state;
    if (step.improved && config.earlyStop.restoreBest) state.best = snapshotWeights(model, 'best');
    if (step.stop) state.status = 'early-stopped';
  }
  if (config.reduceLr !== undefined) {
    ({ state: state.plateau, lr: state.lr } = stepPlateau(state.plateau, logs[canonicalMetric(config.reduceLr.metric)] as number, state.epoch, config.reduceLr, state.lr));
  }
  state.epoch++;
  state.finished = state.status === 'early-stopped' || state.epoch >= config.epochs;
  if (state.finished && config.earlyStop?.restoreBest === true && state.best !== undefined) restoreWeights(model, state.best);
  await writeCheckpoint(session, state);
  // Announced only once the checkpoint holding it is on disk: a process killed right after
  // the announcement resumes after this epoch, never before it.
  req.emit?.({ type: 'epoch', t: now(), id: req.nodeId, model: req.model, fold: req.fold, epoch: state.epoch, epochs: config.epochs, logs });
}
