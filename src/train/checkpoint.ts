/**
 * The fit's checkpoint: after every epoch (and when cancelled inside one) the whole state —
 * weights, optimizer slots and step, learning rate, monitor state, best weights, history and the
 * positions of the shuffle, augmentation and layer streams — goes atomically to
 * `<checkpointDir>/checkpoint.bin`; a fit started again with the same request restores it.
 */
import { createHash } from 'node:crypto';
import type * as tf from '@tensorflow/tfjs';
import type { RandomState } from '../engine/index.ts';
import type { MonitorState } from './monitors.ts';
import { readTensorFile, writeTensorFile } from './tensor-file.ts';
import { fitsModel, restoreWeights, snapshotWeights } from './model-weights.ts';
import type { EpochLogs, FitRequest, FitStatus } from './fit-types.ts';
import type { FitSession, FitState, PartialEpoch } from './fit-state.ts';

export const CHECKPOINT_FILE = 'checkpoint.bin';

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

export function fingerprint(req: FitRequest, model: tf.LayersModel): string {
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

/**
 * Restores the checkpoint into `state` (and the session's model and optimizer) when there is
 * one; false when it was written for another configuration or model.
 */
export async function restoreCheckpoint(session: FitSession, state: FitState): Promise<boolean> {
  const { req, model, optimizer, fp, checkpointFile } = session;
  const saved = await readTensorFile<CheckpointMeta>(checkpointFile);
  if (saved === undefined) return true;
  const m = saved.meta;
  const modelArrays = saved.arrays.slice(0, m.counts.model);
  const optArrays = saved.arrays.slice(m.counts.model, m.counts.model + m.counts.optimizer);
  const okShape = m.version === 1 && m.fingerprint === fp && fitsModel(model, modelArrays) && optArrays.length === optimizer.slotCount;
  if (!okShape) return false;
  restoreWeights(model, modelArrays);
  optimizer.restore({ step: m.optimizerStep, slots: optArrays.map((a) => a.data) });
  state.best = m.counts.best > 0 ? saved.arrays.slice(m.counts.model + m.counts.optimizer) : undefined;
  ({ epoch: state.epoch, lr: state.lr, status: state.status, finished: state.finished, partial: state.partial } = m);
  // JSON has no infinities: a monitor that has seen no value yet comes back with best = null.
  state.plateau = { ...m.plateau, best: m.plateau.best ?? state.plateau.best };
  state.early = { ...m.early, best: m.early.best ?? state.early.best };
  state.history = [...m.history];
  state.shuffleRng = req.random('shuffle', state.partial?.shuffleAtStart ?? m.rng.shuffle);
  state.augmentRng = req.random('augment', m.rng.augment);
  for (const [name, layer] of randomLayers(model)) {
    const layerState = m.layerRandom?.[name];
    if (layerState !== undefined) layer.restoreRandomState(layerState);
  }
  return true;
}

export async function writeCheckpoint(session: FitSession, state: FitState, cut?: PartialEpoch): Promise<void> {
  const { model, optimizer, fp, checkpointFile } = session;
  const opt = optimizer.state();
  const modelArrays = snapshotWeights(model);
  const optArrays = opt.slots.map((data, i) => ({ name: `optimizer/${i}`, shape: [data.length], data }));
  const meta: CheckpointMeta = {
    version: 1,
    fingerprint: fp,
    epoch: state.epoch,
    finished: state.finished,
    status: state.status,
    lr: state.lr,
    history: state.history,
    plateau: state.plateau,
    early: state.early,
    rng: { shuffle: state.shuffleRng.state(), augment: state.augmentRng.state() },
    layerRandom: Object.fromEntries([...randomLayers(model)].map(([name, layer]) => [name, layer.randomState()])),
    optimizerStep: opt.step,
    counts: { model: modelArrays.length, optimizer: optArrays.length, best: state.best?.length ?? 0 },
    ...(cut !== undefined ? { partial: cut } : {}),
  };
  await writeTensorFile(checkpointFile, meta, [...modelArrays, ...optArrays, ...(state.best ?? [])]);
}
