/**
 * Typed run events: the only thing `ui/` knows about a run. `run/` emits them, the Ink view and
 * the plain logger render them, and `--events F` writes them one JSON object per line.
 * Every event carries `t`, milliseconds since the Unix epoch.
 */
import type { PlanNodeKind } from '../plan/types.ts';

export type NodeStatus = 'pending' | 'running' | 'cached' | 'done' | 'failed';

export interface PlanEvent {
  readonly type: 'plan';
  readonly t: number;
  readonly pipeline: string;
  readonly engine: string;
  readonly seed: number;
  readonly cacheDir: string;
  readonly runDir: string;
  readonly nodes: readonly { readonly id: string; readonly kind: PlanNodeKind; readonly cached: boolean }[];
}

export interface AuditEvent {
  readonly type: 'audit';
  readonly t: number;
  readonly sourceOnlyBaseline: number;
  readonly cramersV: number;
  readonly independent: boolean;
  readonly findings: readonly { readonly code: string; readonly severity: string; readonly message: string }[];
}

export interface NodeStartEvent {
  readonly type: 'node-start';
  readonly t: number;
  readonly id: string;
  readonly kind: PlanNodeKind;
}

export interface NodeCachedEvent {
  readonly type: 'node-cached';
  readonly t: number;
  readonly id: string;
  readonly kind: PlanNodeKind;
}

export interface NodeDoneEvent {
  readonly type: 'node-done';
  readonly t: number;
  readonly id: string;
  readonly kind: PlanNodeKind;
  readonly ms: number;
}

export interface NodeFailedEvent {
  readonly type: 'node-failed';
  readonly t: number;
  readonly id: string;
  readonly kind: PlanNodeKind;
  readonly message: string;
}

/** Progress of a long node that is not training (scanning, preprocessing, predicting). */
export interface ProgressEvent {
  readonly type: 'progress';
  readonly t: number;
  readonly id: string;
  readonly done: number;
  readonly total: number;
  readonly unit: string;
}

export interface BatchEvent {
  readonly type: 'batch';
  readonly t: number;
  /** The training node. */
  readonly id: string;
  readonly model: string;
  readonly fold: number;
  readonly epoch: number;
  readonly batch: number;
  readonly batches: number;
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
  readonly epoch: number;
  readonly epochs: number;
  /** Every logged metric of the epoch: loss, accuracy, val_loss, val_accuracy, lr … */
  readonly logs: Readonly<Record<string, number>>;
}

export interface MetricsEvent {
  readonly type: 'metrics';
  readonly t: number;
  readonly model: string;
  readonly fold: number;
  readonly accuracy: number;
  readonly macroF1: number;
}

export interface RunDoneEvent {
  readonly type: 'run-done';
  readonly t: number;
  readonly ok: boolean;
  readonly runDir: string;
  readonly ms: number;
}

export type RunEvent =
  | PlanEvent
  | AuditEvent
  | NodeStartEvent
  | NodeCachedEvent
  | NodeDoneEvent
  | NodeFailedEvent
  | ProgressEvent
  | BatchEvent
  | EpochEvent
  | MetricsEvent
  | RunDoneEvent;

export type EventSink = (event: RunEvent) => void;
