/**
 * The view model of a run, folded from events alone: both renderers (the Ink view and, for its
 * summary, the plain logger) read this and nothing of training internals.
 */
import type { AuditEvent, EpochEvent, NodeStatus, PlanEvent, RunDoneEvent, RunEvent, SummaryEvent } from '../run/events.ts';

export interface NodeView {
  readonly id: string;
  readonly kind: string;
  readonly status: NodeStatus;
}

export interface RunningView {
  readonly id: string;
  readonly model: string;
  readonly fold: number;
  readonly folds?: number;
  readonly epoch: number;
  readonly epochs?: number;
  readonly batch: number;
  readonly batches: number;
  readonly imagesPerSecond: number;
  readonly loss: number;
  readonly accuracy: number;
  /** Milliseconds left, from the pace since this node started here; absent until known. */
  readonly etaMs?: number;
}

/** One line printed once above the live area (Ink's `<Static>`). */
export interface FinishedLine {
  readonly key: string;
  readonly text: string;
  readonly tone: 'ok' | 'bad' | 'note';
}

export interface ViewState {
  readonly header?: Omit<PlanEvent, 'type' | 't' | 'nodes'>;
  readonly lockWait?: { readonly pid: number; readonly host: string; readonly since: number; readonly lockFile: string };
  readonly audit?: AuditEvent;
  readonly nodes: readonly NodeView[];
  readonly running?: RunningView;
  /** Per-batch loss and accuracy of the running training node, most recent last. */
  readonly losses: readonly number[];
  readonly accuracies: readonly number[];
  readonly finished: readonly FinishedLine[];
  readonly summary?: SummaryEvent;
  readonly done?: RunDoneEvent;
  /** Set once Ctrl-C was pressed. */
  readonly stopping?: boolean;
  /** Where the running node started and how many batches it has done since, for the ETA. */
  readonly pace?: { readonly id: string; readonly startT: number; readonly batches: number };
  /** Progress of a running node that is not training (preprocessing, prediction). */
  readonly progress?: { readonly id: string; readonly done: number; readonly total: number; readonly unit: string };
  /** The latest finished epoch, shown with the running node and in its finished line. */
  readonly lastEpoch?: EpochEvent;
}

export const SPARK_HISTORY = 40;

export const initialViewState: ViewState = { nodes: [], losses: [], accuracies: [], finished: [] };

function setStatus(nodes: readonly NodeView[], id: string, status: NodeStatus): readonly NodeView[] {
  return nodes.map((node) => (node.id === id ? { ...node, status } : node));
}

function push(values: readonly number[], value: number): readonly number[] {
  return [...values, value].slice(-SPARK_HISTORY);
}

export function formatMs(ms: number): string {
  if (!Number.isFinite(ms)) return '?';
  if (ms < 1000) return `${Math.round(ms)}ms`;
  const s = ms / 1000;
  if (s < 60) return `${s.toFixed(1)}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m${String(Math.round(s - m * 60)).padStart(2, '0')}s`;
  return `${Math.floor(m / 60)}h${String(m % 60).padStart(2, '0')}m`;
}

export function reduce(state: ViewState, event: RunEvent): ViewState {
  switch (event.type) {
    case 'plan': {
      const { type: _type, t: _t, nodes, ...header } = event;
      return {
        ...state,
        header,
        lockWait: undefined,
        nodes: nodes.map((n) => ({ id: n.id, kind: n.kind, status: n.cached ? 'cached' : 'pending' })),
      };
    }
    case 'lock-wait':
      return { ...state, lockWait: { pid: event.holderPid, host: event.holderHost, since: event.since, lockFile: event.lockFile } };
    case 'lock-stale':
      return { ...state, finished: [...state.finished, { key: `stale-${event.t}`, text: `removed a stale cache lock (pid ${event.holderPid} is gone)`, tone: 'note' }] };
    case 'audit':
      return { ...state, audit: event };
    case 'node-start':
      return { ...state, nodes: setStatus(state.nodes, event.id, 'running'), pace: { id: event.id, startT: event.t, batches: 0 } };
    case 'node-cached':
      return { ...state, nodes: setStatus(state.nodes, event.id, 'cached') };
    case 'node-done': {
      const running = state.running?.id === event.id ? undefined : state.running;
      const finished =
        event.kind === 'train'
          ? [...state.finished, { key: `done-${event.id}`, text: trainedLine(event.id, state, event.ms), tone: 'ok' as const }]
          : state.finished;
      const progress = state.progress?.id === event.id ? undefined : state.progress;
      return { ...state, nodes: setStatus(state.nodes, event.id, 'done'), running, progress, finished };
    }
    case 'node-failed':
      return {
        ...state,
        nodes: setStatus(state.nodes, event.id, 'failed'),
        running: state.running?.id === event.id ? undefined : state.running,
        progress: state.progress?.id === event.id ? undefined : state.progress,
        finished: [...state.finished, { key: `failed-${event.id}`, text: `✖ ${event.id} failed: ${event.message}`, tone: 'bad' }],
      };
    case 'node-cancelled':
      return {
        ...state,
        nodes: setStatus(state.nodes, event.id, 'pending'),
        running: undefined,
        progress: undefined,
        finished: [...state.finished, { key: `cancel-${event.id}`, text: `■ ${event.id} stopped; \`cvr run\` again resumes it`, tone: 'note' }],
      };
    case 'diagnostic': {
      const d = event.diagnostic;
      const text = `${d.severity === 'error' ? '✖' : '!'} ${d.severity}[${d.code}] ${event.id !== undefined ? `${event.id}: ` : ''}${d.message}`;
      return { ...state, finished: [...state.finished, { key: `diag-${d.code}-${event.t}-${state.finished.length}`, text, tone: d.severity === 'error' ? 'bad' : 'note' }] };
    }
    case 'node-resumed':
      return { ...state, finished: [...state.finished, { key: `resume-${event.id}-${event.t}`, text: `↻ ${event.id} resumed from ${event.from}`, tone: 'note' }] };
    case 'progress':
      return { ...state, progress: { id: event.id, done: event.done, total: event.total, unit: event.unit } };
    case 'batch': {
      const pace = state.pace?.id === event.id ? { ...state.pace, batches: state.pace.batches + 1 } : { id: event.id, startT: event.t, batches: 0 };
      const perBatch = pace.batches > 0 ? (event.t - pace.startT) / pace.batches : undefined;
      const fresh = state.running?.id !== event.id;
      // Batch events may omit the planned epochs; the node's last epoch event says them.
      const epochs = event.epochs ?? (fresh ? undefined : state.running?.epochs) ?? (state.lastEpoch?.id === event.id ? state.lastEpoch.epochs : undefined);
      const remaining = epochs !== undefined ? (epochs - event.epoch) * event.batches + (event.batches - event.batch) : undefined;
      return {
        ...state,
        pace,
        running: {
          id: event.id,
          model: event.model,
          fold: event.fold,
          folds: event.folds,
          epoch: event.epoch,
          epochs,
          batch: event.batch,
          batches: event.batches,
          imagesPerSecond: event.imagesPerSecond,
          loss: event.loss,
          accuracy: event.accuracy,
          etaMs: perBatch !== undefined && remaining !== undefined ? perBatch * remaining : undefined,
        },
        losses: push(fresh ? [] : state.losses, event.loss),
        accuracies: push(fresh ? [] : state.accuracies, event.accuracy),
      };
    }
    case 'epoch':
      return {
        ...state,
        running:
          state.running?.id === event.id ? { ...state.running, epoch: event.epoch, epochs: event.epochs } : state.running,
        lastEpoch: event,
      };
    case 'metrics':
      return {
        ...state,
        finished: [
          ...state.finished,
          {
            key: `metrics-${event.model}-${event.fold}`,
            text: `● ${event.model} fold ${event.fold}: accuracy ${event.accuracy.toFixed(3)}  macro-F1 ${event.macroF1.toFixed(3)}`,
            tone: 'ok',
          },
        ],
      };
    case 'summary':
      return { ...state, summary: event };
    case 'stopping':
      return { ...state, stopping: true };
    case 'run-done':
      return { ...state, done: event, running: undefined, progress: undefined, stopping: undefined };
    default: {
      const unknown: never = event;
      return unknown;
    }
  }
}

function trainedLine(id: string, state: ViewState, ms: number): string {
  const last = state.lastEpoch;
  const logs = last?.id === id ? Object.entries(last.logs).map(([k, v]) => `${k} ${fmt(v)}`).join('  ') : '';
  const epochs = last?.id === id ? `${last.epoch} epochs  ` : '';
  return `✔ ${id}  ${epochs}${logs}  (${formatMs(ms)})`.replace(/ {3,}\(/, '  (');
}

export function fmt(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  if (value !== 0 && Math.abs(value) < 1e-3) return value.toExponential(2);
  return value.toFixed(4);
}

export function foldState(events: readonly RunEvent[]): ViewState {
  return events.reduce(reduce, initialViewState);
}
