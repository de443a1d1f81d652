/**
 * The view model of a run, folded from events alone: both renderers (the Ink view and, for its
 * summary, the plain logger) read this and nothing of training internals.
 */
import type { AuditEvent, EpochEvent, NodeStatus, PlanEvent, RunDoneEvent, RunEvent, SummaryEvent } from '../run/index.ts';
import { auditHeadline } from './format.ts';

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

/** One running training node's bars and sparklines (several side by side with `--jobs N`). */
export interface TrainingView {
  readonly running: RunningView;
  /** Per-batch loss and accuracy of this node, most recent last. */
  readonly losses: readonly number[];
  readonly accuracies: readonly number[];
  /** Where this node started here and how many batches it has done since, for its ETA. */
  readonly pace: { readonly id: string; readonly startT: number; readonly batches: number };
}

/** One line printed once above the live area (Ink's `<Static>`). */
export interface FinishedLine {
  readonly key: string;
  readonly text: string;
  readonly tone: 'ok' | 'bad' | 'note' | 'header' | 'quiet';
}

export interface ViewState {
  readonly header?: Omit<PlanEvent, 'type' | 't' | 'nodes'>;
  readonly lockWait?: { readonly pid: number; readonly host: string; readonly since: number; readonly lockFile: string };
  readonly audit?: AuditEvent;
  readonly nodes: readonly NodeView[];
  /** The training node that reported the latest batch (its bars, `losses` and `accuracies` below). */
  readonly running?: RunningView;
  /** Every training node that is running, in the order they started: one box each in the view. */
  readonly trainings: readonly TrainingView[];
  /** When each running node started here (several at once with `--jobs N`), for the run's ETA. */
  readonly started: Readonly<Record<string, number>>;
  /** Per-batch loss and accuracy of the latest-batch training node, most recent last. */
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
  /** Event time of the plan (the run's start) and of the latest event, for the run's elapsed time. */
  readonly startT?: number;
  readonly lastT?: number;
  /** Time the nodes computed in this run took, by kind, for the run's ETA. */
  readonly durations: Readonly<Record<string, { readonly ms: number; readonly n: number }>>;
}

export const SPARK_HISTORY = 40;

export const initialViewState: ViewState = { nodes: [], trainings: [], started: {}, losses: [], accuracies: [], finished: [], durations: {} };

/** The node's entry dropped from the running ones (done, failed or stopped). */
function ended(state: ViewState, id: string): Pick<ViewState, 'trainings' | 'started'> {
  const { [id]: _gone, ...started } = state.started;
  return { trainings: state.trainings.filter((t) => t.running.id !== id), started };
}

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
  return { ...reduceEvent(state, event), lastT: event.t };
}

/** Findings are wrapped at this width, continuation lines indented under the message. */
export const WRAP_COLUMNS = 80;

/** Words wrapped to `width` columns; lines after the first start with `indent`. */
export function wrap(text: string, width: number, indent: string): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    const prefix = lines.length === 0 ? '' : indent;
    if (line !== '' && (prefix + line + ' ' + word).length > width) {
      lines.push(prefix + line);
      line = word;
    } else line = line === '' ? word : `${line} ${word}`;
  }
  lines.push((lines.length === 0 ? '' : indent) + line);
  return lines;
}

function auditLines(event: AuditEvent): FinishedLine[] {
  const lines: FinishedLine[] = [{ key: `audit-${event.t}`, text: auditHeadline(event), tone: event.independent ? 'ok' : 'note' }];
  event.findings.forEach((f, i) => {
    const tone = f.severity === 'error' ? 'bad' : f.severity === 'warning' ? 'note' : 'quiet';
    lines.push({ key: `finding-${event.t}-${i}`, text: wrap(`  ${f.severity}[${f.code}] ${f.message}`, WRAP_COLUMNS, '      ').join('\n'), tone });
  });
  return lines;
}

/** The run's nodes finished or cached, its elapsed time, and an estimate of what is left. */
export interface RunProgress {
  readonly done: number;
  readonly total: number;
  readonly elapsedMs: number;
  readonly etaMs?: number;
}

/**
 * The ETA of the whole run: the running training node's own ETA, plus each node still to run at
 * the mean time of the nodes of its kind computed so far (a kind not seen yet adds nothing, so the
 * estimate firms up as the run goes; a training node not started yet counts as long as the
 * running one will have taken).
 */
export function runProgress(state: ViewState): RunProgress | undefined {
  if (state.startT === undefined) return undefined;
  const done = state.nodes.filter((n) => n.status === 'done' || n.status === 'cached').length;
  const elapsedMs = (state.lastT ?? state.startT) - state.startT;
  const now = state.lastT ?? state.startT;
  const training = new Map(state.trainings.map((t) => [t.running.id, t]));
  // A training node not started yet is taken to last as long as the running ones will have, on average.
  const totals = state.trainings.flatMap((t) => (t.running.etaMs !== undefined ? [now - t.pace.startT + t.running.etaMs] : []));
  const runningTotal = totals.length > 0 ? totals.reduce((a, b) => a + b, 0) / totals.length : undefined;
  const mean = (kind: string): number | undefined => {
    const seen = state.durations[kind];
    return seen === undefined ? undefined : seen.ms / seen.n;
  };
  let eta = 0;
  let known = true;
  for (const node of state.nodes) {
    if (node.status === 'running') {
      const typical = mean(node.kind);
      const own = training.get(node.id)?.running.etaMs;
      const since = state.started[node.id];
      if (own !== undefined) eta += own;
      else if (typical !== undefined) eta += Math.max(0, typical - (since !== undefined ? now - since : 0));
      else known = false;
    } else if (node.status === 'pending') {
      const typical = mean(node.kind) ?? (node.kind === 'train' ? runningTotal : 0);
      if (typical === undefined) known = false;
      else eta += typical;
    }
  }
  // Nodes side by side: what is left of them is shared out over the nodes running at once.
  const parallel = Math.max(1, state.nodes.filter((n) => n.status === 'running').length);
  if (parallel > 1) eta /= parallel;
  return { done, total: state.nodes.length, elapsedMs, ...(known ? { etaMs: eta } : {}) };
}

function reduceEvent(state: ViewState, event: RunEvent): ViewState {
  switch (event.type) {
    case 'plan': {
      const { type: _type, t: _t, nodes, ...header } = event;
      return {
        ...state,
        header,
        startT: event.t,
        lockWait: undefined,
        nodes: nodes.map((n) => ({ id: n.id, kind: n.kind, status: n.cached ? 'cached' : 'pending' })),
        // Printed once, first: the finished lines then follow below it, in order.
        finished: [
          ...state.finished,
          { key: `header-${event.t}`, text: `cvr run ${header.pipeline}  engine ${header.engine} · seed ${header.seed} · cache ${header.cacheDir}`, tone: 'header' },
        ],
      };
    }
    case 'lock-wait':
      return { ...state, lockWait: { pid: event.holderPid, host: event.holderHost, since: event.since, lockFile: event.lockFile } };
    case 'lock-stale':
      return { ...state, finished: [...state.finished, { key: `stale-${event.t}`, text: `removed a stale cache lock (pid ${event.holderPid} is gone)`, tone: 'note' }] };
    case 'audit':
      return { ...state, audit: event, finished: [...state.finished, ...auditLines(event)] };
    case 'node-start':
      return {
        ...state,
        nodes: setStatus(state.nodes, event.id, 'running'),
        pace: { id: event.id, startT: event.t, batches: 0 },
        started: { ...state.started, [event.id]: event.t },
      };
    case 'node-cached':
      return { ...state, nodes: setStatus(state.nodes, event.id, 'cached') };
    case 'node-done': {
      const running = state.running?.id === event.id ? undefined : state.running;
      const finished =
        event.kind === 'train'
          ? [...state.finished, { key: `done-${event.id}`, text: trainedLine(event.id, state, event.ms), tone: 'ok' as const }]
          : state.finished;
      const progress = state.progress?.id === event.id ? undefined : state.progress;
      const seen = state.durations[event.kind] ?? { ms: 0, n: 0 };
      const durations = { ...state.durations, [event.kind]: { ms: seen.ms + event.ms, n: seen.n + 1 } };
      return { ...state, ...ended(state, event.id), nodes: setStatus(state.nodes, event.id, 'done'), running, progress, finished, durations };
    }
    case 'node-failed':
      return {
        ...state,
        ...ended(state, event.id),
        nodes: setStatus(state.nodes, event.id, 'failed'),
        running: state.running?.id === event.id ? undefined : state.running,
        progress: state.progress?.id === event.id ? undefined : state.progress,
        finished: [...state.finished, { key: `failed-${event.id}`, text: `✖ ${event.id} failed: ${event.message}`, tone: 'bad' }],
      };
    case 'node-cancelled':
      return {
        ...state,
        ...ended(state, event.id),
        nodes: setStatus(state.nodes, event.id, 'pending'),
        running: state.running?.id === event.id ? undefined : state.running,
        progress: state.progress?.id === event.id ? undefined : state.progress,
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
    case 'batch':
      return reduceBatch(state, event);
    case 'epoch':
      return {
        ...state,
        running:
          state.running?.id === event.id ? { ...state.running, epoch: event.epoch, epochs: event.epochs } : state.running,
        trainings: state.trainings.map((t) => (t.running.id === event.id ? { ...t, running: { ...t.running, epoch: event.epoch, epochs: event.epochs } } : t)),
        lastEpoch: event,
      };
    case 'metrics':
      return {
        ...state,
        finished: [
          ...state.finished,
          {
            key: `metrics-${event.model}-${event.fold}`,
            text: `● ${event.model} fold ${event.fold + 1}: accuracy ${event.accuracy.toFixed(3)}  macro-F1 ${event.macroF1.toFixed(3)}`,
            tone: 'ok',
          },
        ],
      };
    case 'summary':
      return { ...state, summary: event };
    case 'stopping':
      return { ...state, stopping: true };
    case 'run-done':
      return { ...state, done: event, running: undefined, trainings: [], started: {}, progress: undefined, stopping: undefined };
    default: {
      const unknown: never = event;
      return unknown;
    }
  }
}

/** A training batch: that node's bars, pace, ETA and sparklines (its entry in `trainings`; `running` follows the latest batch). */
function reduceBatch(state: ViewState, event: Extract<RunEvent, { type: 'batch' }>): ViewState {
  const before = state.trainings.find((t) => t.running.id === event.id);
  const since = state.started[event.id];
  // The pace counts from the node's start (model building included), as the plain log's does.
  const pace = before !== undefined ? { ...before.pace, batches: before.pace.batches + 1 } : since !== undefined ? { id: event.id, startT: since, batches: 1 } : { id: event.id, startT: event.t, batches: 0 };
  const perBatch = pace.batches > 0 ? (event.t - pace.startT) / pace.batches : undefined;
  // Batch events may omit the planned epochs; the node's last epoch event says them.
  const epochs = event.epochs ?? before?.running.epochs ?? (state.lastEpoch?.id === event.id ? state.lastEpoch.epochs : undefined);
  const remaining = epochs !== undefined ? (epochs - event.epoch) * event.batches + (event.batches - event.batch) : undefined;
  const running: RunningView = {
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
  };
  const training: TrainingView = { running, pace, losses: push(before?.losses ?? [], event.loss), accuracies: push(before?.accuracies ?? [], event.accuracy) };
  const trainings = before !== undefined ? state.trainings.map((t) => (t === before ? training : t)) : [...state.trainings, training];
  return { ...state, pace, running, trainings, losses: training.losses, accuracies: training.accuracies };
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
