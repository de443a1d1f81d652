/**
 * Typed run events: the only thing `ui/` knows about a run. `run/` emits them, the Ink view and
 * the plain logger render them, and `--events F` writes them one JSON object per line.
 * Every event carries `t`, milliseconds since the Unix epoch.
 */
import type { PlanNodeKind } from '../plan/index.ts';
import type { BatchEvent, EpochEvent } from '../train/index.ts';

export type { BatchEvent, EpochEvent } from '../train/index.ts';
import type { Diagnostic } from '../diag/index.ts';
import type { SourceLedger } from '../data/index.ts';

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
  /** Sent when the audit stops the run, so its audit.json still has the ledger. */
  readonly ledger?: readonly SourceLedger[];
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
  /** A one-line-per-diagnostic rendering of `diagnostics`, for logs. */
  readonly message: string;
  /** Why it failed, as diagnostics (codes, files, hints); absent only in events of older runs. */
  readonly diagnostics?: readonly Diagnostic[];
  /** True when the failure is a bug in cvr (exit 3), not a problem of the data or the machine. */
  readonly isBug?: boolean;
}

/** A diagnostic raised while running that is not a node's failure (a corrupt cache entry discarded). */
export interface DiagnosticEvent {
  readonly type: 'diagnostic';
  readonly t: number;
  /** The node concerned, if any. */
  readonly id?: string;
  readonly diagnostic: Diagnostic;
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
  /** True when the run stopped on request (SIGINT); rerunning resumes it. */
  readonly cancelled?: boolean;
}

/** A node stopped on request before finishing; nothing of it was cached except its checkpoints. */
export interface NodeCancelledEvent {
  readonly type: 'node-cancelled';
  readonly t: number;
  readonly id: string;
  readonly kind: PlanNodeKind;
}

/** Ctrl-C was pressed: the run stops at the next batch boundary, after a checkpoint. */
export interface StoppingEvent {
  readonly type: 'stopping';
  readonly t: number;
}

/** A node picked up where an interrupted run left it (a training checkpoint). */
export interface NodeResumedEvent {
  readonly type: 'node-resumed';
  readonly t: number;
  readonly id: string;
  readonly kind: PlanNodeKind;
  /** What was restored, for people: `epoch 3 of 10`. */
  readonly from: string;
}

/** Another run holds the cache; this one waits until it is free (or its holder is found dead). */
export interface LockWaitEvent {
  readonly type: 'lock-wait';
  readonly t: number;
  readonly lockFile: string;
  readonly holderPid: number;
  readonly holderHost: string;
  /** When the holder took the lock, ms since the Unix epoch. */
  readonly since: number;
}

/** A stale lock (its process is gone) was removed. */
export interface LockStaleEvent {
  readonly type: 'lock-stale';
  readonly t: number;
  readonly lockFile: string;
  readonly holderPid: number;
}

export interface MeanStdValue {
  readonly mean: number;
  readonly std: number;
}

/** The end-of-run summary: per model, fold mean ± std, per-class means and the summed confusion. */
export interface SummaryEvent {
  readonly type: 'summary';
  readonly t: number;
  /** Task classes in model output order (rows and columns of `confusion`). */
  readonly classes: readonly string[];
  readonly models: Readonly<
    Record<
      string,
      {
        readonly folds: number;
        readonly accuracy: MeanStdValue;
        readonly macroF1: MeanStdValue;
        readonly perClass: Readonly<
          Record<string, { readonly precision: MeanStdValue; readonly recall: MeanStdValue; readonly f1: MeanStdValue }>
        >;
        /** Summed over folds; rows true class, columns predicted. */
        readonly confusion: readonly (readonly number[])[];
      }
    >
  >;
  readonly audit?: { readonly sourceOnlyBaseline: number; readonly independent: boolean };
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
  | RunDoneEvent
  | NodeCancelledEvent
  | NodeResumedEvent
  | LockWaitEvent
  | LockStaleEvent
  | SummaryEvent
  | StoppingEvent
  | DiagnosticEvent;

export type EventSink = (event: RunEvent) => void;
