/**
 * What a fit reports while it runs: one event per batch and one per finished epoch. train/ owns
 * these types and emits them through `TrainEventSink`; run/ makes them part of its run events
 * (run/events.ts), so train/ knows nothing of the run stage.
 */

export interface BatchEvent {
  readonly type: 'batch';
  readonly t: number;
  /** The training node. */
  readonly id: string;
  readonly model: string;
  readonly fold: number;
  /** 1-based: the epoch this batch belongs to. */
  readonly epoch: number;
  /** 1-based: batches finished in this epoch, so `batch === batches` ends the epoch. */
  readonly batch: number;
  readonly batches: number;
  /** Planned epochs (an upper bound when early stopping is on); lets the view show an ETA. */
  readonly epochs?: number;
  /** Folds of this model, when known (fold is 0-based). */
  readonly folds?: number;
  readonly loss: number;
  readonly accuracy: number;
  readonly imagesPerSecond: number;
}

export interface EpochEvent {
  readonly type: 'epoch';
  readonly t: number;
  readonly id: string;
  readonly model: string;
  readonly fold: number;
  /** 1-based. */
  readonly epoch: number;
  readonly epochs: number;
  /** Every logged metric of the epoch: loss, accuracy, val_loss, val_accuracy, lr … */
  readonly logs: Readonly<Record<string, number>>;
}

export type TrainEvent = BatchEvent | EpochEvent;

export type TrainEventSink = (event: TrainEvent) => void;
