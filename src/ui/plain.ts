/**
 * The plain line logger, for pipes and CI: one line per event worth a line. Batches are not
 * logged (too many); epochs are.
 */
import type { EventSink, RunEvent } from '../run/events.ts';
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
      return [`metrics   ${event.model} fold ${event.fold}: accuracy ${event.accuracy.toFixed(4)} macro-F1 ${event.macroF1.toFixed(4)}`];
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

export function plainLogger(write: (text: string) => void): EventSink {
  return (event) => {
    const lines = plainLines(event);
    if (lines.length > 0) write(`${lines.join('\n')}\n`);
  };
}
