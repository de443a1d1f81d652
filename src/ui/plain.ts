/**
 * The plain line logger, for pipes, CI and nohup: one line per event worth a line, each with a
 * time stamp. Batches are not logged one by one (too many): a long node prints a progress line
 * (batch i/n, images/s, elapsed, ETA) every PROGRESS_EVERY_MS of event time, and every epoch.
 */
import type { EventSink, RunEvent } from '../run/index.ts';
import { auditHeadline, summaryLines } from './format.ts';
import { fmt, formatMs } from './state.ts';

/** The lines one event produces (none for batches and progress). */
export function plainLines(event: RunEvent): string[] {
  switch (event.type) {
    case 'plan': {
      const cached = event.nodes.filter((n) => n.cached).length;
      return [
        `cvr run ${event.pipeline} · engine ${event.engine} · seed ${event.seed} · cache ${event.cacheDir}`,
        `plan: ${event.nodes.length} nodes, ${cached} cached · run folder ${event.runDir}`,
      ];
    }
    case 'lock-wait':
      return [
        `waiting: the cache is in use by another cvr run (pid ${event.holderPid} on ${event.holderHost}, since ${new Date(event.since).toISOString()}); lock ${event.lockFile}`,
      ];
    case 'lock-stale':
      return [`removed a stale cache lock (pid ${event.holderPid} is gone): ${event.lockFile}`];
    case 'audit':
      return [auditHeadline(event), ...event.findings.map((f) => `  ${f.severity}[${f.code}] ${f.message}`)];
    case 'node-start':
      return [`start     ${event.id}`];
    case 'node-cached':
      return [`cached    ${event.id}`];
    case 'node-done':
      return [`done      ${event.id} (${formatMs(event.ms)})`];
    case 'node-failed':
      return [`failed    ${event.id}: ${event.message}`];
    case 'node-cancelled':
      return [`stopped   ${event.id} (run \`cvr run\` again to resume)`];
    case 'node-resumed':
      return [`resumed   ${event.id} from ${event.from}`];
    case 'epoch': {
      const logs = Object.entries(event.logs).map(([k, v]) => `${k} ${fmt(v)}`);
      return [`epoch     ${event.id} ${event.epoch}/${event.epochs} ${logs.join(' ')}`.trimEnd()];
    }
    case 'metrics':
      return [`metrics   ${event.model} fold ${event.fold + 1}: accuracy ${event.accuracy.toFixed(4)} macro-F1 ${event.macroF1.toFixed(4)}`];
    case 'summary':
      return ['', ...summaryLines(event), ''];
    case 'run-done':
      if (event.ok) return [`run done in ${formatMs(event.ms)} → ${event.runDir}`];
      return [event.cancelled === true ? `run stopped after ${formatMs(event.ms)}; \`cvr run\` again resumes it` : `run failed after ${formatMs(event.ms)}`];
    case 'diagnostic': {
      const d = event.diagnostic;
      const where = d.file !== undefined ? ` (${d.file})` : '';
      return [`${d.severity}[${d.code}] ${event.id !== undefined ? `${event.id}: ` : ''}${d.message}${where}`];
    }
    case 'stopping':
      return ['stopping at the next batch boundary (Ctrl-C again to quit at once)…'];
    case 'batch':
    case 'progress':
      return [];
    default: {
      const unknown: never = event;
      return unknown;
    }
  }
}

/** How often a long node prints a progress line, in event time. */
export const PROGRESS_EVERY_MS = 10_000;

export interface PlainLoggerOptions {
  /** Time stamps in the local time zone (default) or in UTC (tests, logs read elsewhere). */
  readonly clock?: 'local' | 'utc';
}

function stamp(t: number, clock: 'local' | 'utc'): string {
  const d = new Date(t);
  const two = (n: number): string => String(n).padStart(2, '0');
  return clock === 'utc'
    ? `${two(d.getUTCHours())}:${two(d.getUTCMinutes())}:${two(d.getUTCSeconds())}Z`
    : `${two(d.getHours())}:${two(d.getMinutes())}:${two(d.getSeconds())}`;
}

/** Where one running node is: when it started here, and when it last printed a progress line. */
interface Pace {
  readonly startT: number;
  lastPrintT: number;
  /** Batches done here (resumed epochs before the start are not counted in the pace). */
  batchesSeen: number;
}

/** The progress line of a training batch: position, pace, elapsed time and the node's ETA. */
function batchLine(event: Extract<RunEvent, { type: 'batch' }>, pace: Pace): string {
  const elapsed = event.t - pace.startT;
  const epochs = event.epochs ?? event.epoch;
  const left = (epochs - event.epoch) * event.batches + (event.batches - event.batch);
  const perBatch = pace.batchesSeen > 0 ? elapsed / pace.batchesSeen : Number.NaN;
  const eta = Number.isFinite(perBatch) ? `ETA ${formatMs(left * perBatch)}` : 'ETA ?';
  return `progress  ${event.id} epoch ${event.epoch}/${epochs} batch ${event.batch}/${event.batches} · ${event.imagesPerSecond.toFixed(1)} images/s · elapsed ${formatMs(elapsed)} · ${eta}`;
}

function progressLine(event: Extract<RunEvent, { type: 'progress' }>, pace: Pace): string {
  const elapsed = event.t - pace.startT;
  const rate = elapsed > 0 ? (event.done / elapsed) * 1000 : Number.NaN;
  const eta = event.done > 0 && elapsed > 0 ? `ETA ${formatMs(((event.total - event.done) * elapsed) / event.done)}` : 'ETA ?';
  return `progress  ${event.id} ${event.done}/${event.total} ${event.unit} · ${Number.isFinite(rate) ? `${rate.toFixed(1)} ${event.unit}/s` : '?'} · elapsed ${formatMs(elapsed)} · ${eta}`;
}

export function plainLogger(write: (text: string) => void, options: PlainLoggerOptions = {}): EventSink {
  const clock = options.clock ?? 'local';
  const paces = new Map<string, Pace>();
  const emit = (t: number, lines: readonly string[]): void => {
    if (lines.length > 0) write(`${lines.map((line) => (line === '' ? '' : `${stamp(t, clock)} ${line}`)).join('\n')}\n`);
  };
  return (event) => {
    if (event.type === 'node-start') paces.set(event.id, { startT: event.t, lastPrintT: event.t, batchesSeen: 0 });
    if (event.type === 'node-done' || event.type === 'node-failed' || event.type === 'node-cancelled') paces.delete(event.id);
    if (event.type === 'batch' || event.type === 'progress') {
      let pace = paces.get(event.id);
      if (pace === undefined) {
        pace = { startT: event.t, lastPrintT: event.t, batchesSeen: 0 };
        paces.set(event.id, pace);
      }
      if (event.type === 'batch') pace.batchesSeen++;
      if (event.t - pace.lastPrintT >= PROGRESS_EVERY_MS) {
        pace.lastPrintT = event.t;
        emit(event.t, [event.type === 'batch' ? batchLine(event, pace) : progressLine(event, pace)]);
      }
      return;
    }
    // The result tables are printed as they are: a time stamp on every row would break them.
    if (event.type === 'summary') write(`${plainLines(event).join('\n')}\n`);
    else emit(event.t, plainLines(event));
  };
}
