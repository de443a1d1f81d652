/**
 * The one state record of a fit: what changes from epoch to epoch (and what a checkpoint holds),
 * and the session around it that stays fixed for the whole fit (model, optimizer, request).
 */
import type * as tf from '@tensorflow/tfjs';
import type { ImageSource } from '../data/index.ts';
import type { ResolvedImage } from '../dsl/index.ts';
import type { SaveableRandomStream, RandomState } from '../engine/index.ts';
import type { MonitorState } from './monitors.ts';
import type { TrainOptimizer } from './optimizers.ts';
import type { NamedArray } from './tensor-file.ts';
import type { EpochLogs, FitRequest, FitStatus } from './fit-types.ts';

/** The running sums of an epoch cut short, and the shuffle stream as it was when the epoch began. */
export interface PartialEpoch {
  readonly batch: number;
  readonly lossSum: number;
  readonly correct: number;
  readonly seen: number;
  readonly shuffleAtStart: RandomState;
}

/** What a fit's epochs change; restored from and written to the checkpoint. */
export interface FitState {
  /** Epochs completed. */
  epoch: number;
  lr: number;
  history: EpochLogs[];
  plateau: MonitorState;
  early: MonitorState;
  best: NamedArray[] | undefined;
  shuffleRng: SaveableRandomStream;
  augmentRng: SaveableRandomStream;
  status: FitStatus;
  finished: boolean;
  partial: PartialEpoch | undefined;
}

/** What stays fixed for the whole fit. */
export interface FitSession {
  readonly req: FitRequest;
  readonly model: tf.LayersModel;
  readonly vars: readonly tf.Variable[];
  readonly optimizer: TrainOptimizer;
  /** The configuration's fingerprint: a checkpoint of another one is refused. */
  readonly fp: string;
  readonly checkpointFile: string;
  readonly spec: { readonly source: ImageSource; readonly normalize: ResolvedImage['normalize']; readonly classes: number };
  readonly classWeightTensor: tf.Tensor1D;
  readonly now: () => number;
}
