/**
 * Reduce-LR-on-plateau and early stopping as pure state machines with Keras's semantics
 * (ReduceLROnPlateau: min_delta 1e-4, cooldown 0; EarlyStopping: min_delta 0), so their state
 * is plain data that a checkpoint can hold. A metric whose name contains `loss` is minimised,
 * any other maximised.
 */
import type { ResolvedTrain } from '../dsl/index.ts';

export interface MonitorState {
  readonly best: number;
  readonly wait: number;
  readonly bestEpoch: number;
}

export const initialMonitor = (metric: string): MonitorState => ({
  best: isMinimised(metric) ? Number.POSITIVE_INFINITY : Number.NEGATIVE_INFINITY,
  wait: 0,
  bestEpoch: -1,
});

export function isMinimised(metric: string): boolean {
  return metric.includes('loss');
}

/** Accepts Keras's short spellings (`acc`, `val_acc`, `lr`) for the names fit logs. */
export function canonicalMetric(metric: string): string {
  if (metric === 'acc') return 'accuracy';
  if (metric === 'val_acc') return 'val_accuracy';
  if (metric === 'lr') return 'learning_rate';
  return metric;
}

function improves(metric: string, value: number, best: number, minDelta: number): boolean {
  return isMinimised(metric) ? value < best - minDelta : value > best + minDelta;
}

export function stepPlateau(
  state: MonitorState,
  value: number,
  epoch: number,
  config: NonNullable<ResolvedTrain['reduceLr']>,
  lr: number,
): { state: MonitorState; lr: number } {
  const metric = canonicalMetric(config.metric);
  if (improves(metric, value, state.best, 1e-4)) return { state: { best: value, wait: 0, bestEpoch: epoch }, lr };
  const wait = state.wait + 1;
  if (wait >= config.patience && lr > config.min) {
    return { state: { ...state, wait: 0 }, lr: Math.max(lr * config.factor, config.min) };
  }
  return { state: { ...state, wait }, lr };
}

export function stepEarlyStop(
  state: MonitorState,
  value: number,
  epoch: number,
  config: NonNullable<ResolvedTrain['earlyStop']>,
): { state: MonitorState; improved: boolean; stop: boolean } {
  const metric = canonicalMetric(config.metric);
  if (improves(metric, value, state.best, 0)) return { state: { best: value, wait: 0, bestEpoch: epoch }, improved: true, stop: false };
  const wait = state.wait + 1;
  return { state: { ...state, wait }, improved: false, stop: wait >= config.patience };
}
