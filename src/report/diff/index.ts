/** `cvr diff`: what A and B are decides which diff runs. */
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Diagnostic } from '../../diag/index.ts';
import type { MetricsFile } from '../../evaluate/index.ts';
import { readLockFile } from '../../plan/index.ts';
import { diffCvrFiles } from './cvr-files.ts';
import { diffLockFiles } from './lock-diff.ts';
import { diffRuns } from './run-diff.ts';
import type { Change } from './types.ts';

export type { Change, DiffResult } from './types.ts';
export { diffPipelines } from './pipeline-diff.ts';
export { diffCvrFiles, pairPipelines } from './cvr-files.ts';
export { diffLockFiles, diffPipelineLocks } from './lock-diff.ts';
export { diffRuns, diffCounts, renderRunDiff } from './run-diff.ts';

export type DiffInputKind = 'cvr' | 'lock' | 'run';

export type DiffOutcome =
  | { readonly ok: true; readonly kind: DiffInputKind; readonly changes: readonly Change[] }
  | { readonly ok: false; readonly diagnostics: readonly Diagnostic[]; readonly files: Map<string, string>; readonly message?: string; readonly usage?: boolean };

async function kindOf(path: string): Promise<DiffInputKind | 'missing' | 'unknown'> {
  try {
    const s = await stat(path);
    if (s.isDirectory()) return 'run';
  } catch {
    return 'missing';
  }
  if (path.endsWith('.cvr')) return 'cvr';
  if (path.endsWith('.json')) return 'lock';
  return 'unknown';
}

async function readMetrics(runDir: string): Promise<MetricsFile | string> {
  try {
    const value = JSON.parse(await readFile(join(runDir, 'metrics.json'), 'utf8')) as MetricsFile;
    if (typeof value !== 'object' || value === null || typeof value.models !== 'object') return `${join(runDir, 'metrics.json')} is not a cvr metrics file`;
    return value;
  } catch {
    return `${runDir} is not a finished run folder: it has no readable metrics.json (a run writes it when it finishes)`;
  }
}

type CountRows = { source: string; class: string; partition: string; n: number }[];

/** audit.json's count table, when the run folder has one. */
async function readCounts(runDir: string): Promise<CountRows | undefined> {
  try {
    const value = JSON.parse(await readFile(join(runDir, 'audit.json'), 'utf8')) as { counts?: unknown };
    if (!Array.isArray(value.counts)) return undefined;
    return value.counts.filter(
      (r): r is CountRows[number] => typeof r === 'object' && r !== null && typeof r.source === 'string' && typeof r.class === 'string' && typeof r.partition === 'string' && typeof r.n === 'number',
    );
  } catch {
    return undefined;
  }
}

export async function diffPaths(a: string, b: string, options: { cwd: string; pair?: { a: string; b: string } }): Promise<DiffOutcome> {
  const [ka, kb] = await Promise.all([kindOf(a), kindOf(b)]);
  const fail = (message: string, usage = false): DiffOutcome => ({ ok: false, diagnostics: [], files: new Map(), message, usage });
  for (const [path, kind] of [[a, ka], [b, kb]] as const) {
    if (kind === 'missing') return fail(`no file or folder at ${path}`);
    if (kind === 'unknown') return fail(`${path}: expected a .cvr file, a lock file (.json) or a run folder`, true);
  }
  if (ka !== kb) return fail(`cannot compare a ${ka === 'run' ? 'run folder' : ka === 'cvr' ? '.cvr file' : 'lock file'} with a ${kb === 'run' ? 'run folder' : kb === 'cvr' ? '.cvr file' : 'lock file'}`, true);
  if (ka === 'cvr') {
    const result = await diffCvrFiles(a, b, options);
    return result.ok ? { ok: true, kind: 'cvr', changes: result.changes } : { ...result, ok: false };
  }
  if (ka === 'lock') {
    const [la, lb] = await Promise.all([readLockFile(a), readLockFile(b)]);
    const diagnostics = [la, lb].flatMap((r) => ('diagnostic' in r ? [r.diagnostic] : []));
    if ('diagnostic' in la || 'diagnostic' in lb) return { ok: false, diagnostics, files: new Map() };
    return { ok: true, kind: 'lock', changes: diffLockFiles(la.lock, lb.lock) };
  }
  const [ma, mb] = await Promise.all([readMetrics(a), readMetrics(b)]);
  if (typeof ma === 'string') return fail(ma);
  if (typeof mb === 'string') return fail(mb);
  const [ca, cb] = await Promise.all([readCounts(a), readCounts(b)]);
  return { ok: true, kind: 'run', changes: diffRuns(ma, mb, ca !== undefined && cb !== undefined ? { a: ca, b: cb } : undefined) };
}

const SIGIL = { added: '+', removed: '-', changed: '~' } as const;

/** One line a change: a sigil, the path, what it means. */
export function renderChanges(changes: readonly Change[]): string {
  if (changes.length === 0) return 'no semantic changes\n';
  const width = Math.min(28, Math.max(...changes.map((c) => c.path.length)));
  const lines = changes.map((c) => `${SIGIL[c.kind]} ${c.path.padEnd(width)}  ${c.meaning}`);
  return `${lines.join('\n')}\n${changes.length} change${changes.length === 1 ? '' : 's'}\n`;
}
