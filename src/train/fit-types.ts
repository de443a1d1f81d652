/** What a fit is asked (FitRequest) and what it answers (FitResult). */
import type * as tf from '@tensorflow/tfjs';
import type { Diagnostic } from '../diag/index.ts';
import type { ResolvedAugmentOp, ResolvedImage, ResolvedTrain } from '../dsl/index.ts';
import type { ImageSource, LabelledImage } from '../data/index.ts';
import type { RandomStreamFactory } from '../engine/index.ts';
import type { TrainEventSink } from './events.ts';

export type EpochLogs = Readonly<Record<string, number>>;

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
      readonly classWeights: readonly number[];
    }
  | { readonly ok: false; readonly diagnostics: readonly Diagnostic[] };
