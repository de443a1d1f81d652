/** `cvr diff`: what A and B are decides which diff runs. */
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { diagnostic, displayPath, type Diagnostic } from '../../diag/index.ts';
import { readLockFile } from '../../plan/index.ts';
import { diffCvrFiles } from './cvr-files.ts';
import { diffLockFiles } from './lock-diff.ts';
import { diffRuns } from './run-diff.ts';
import { readMetricsFile } from '../run-folder.ts';
import type { Change } from './types.ts';

export type { Change, DiffResult } from './types.ts';
export { diffPipelines } from './pipeline-diff.ts';
export { diffCvrFiles, pairPipelines } from './cvr-files.ts';
export { diffLockFiles, diffPipelineLocks } from './lock-diff.ts';
export { diffRuns, diffCounts, renderRunDiff } from './run-diff.ts';

export type DiffInputKind = 'cvr' | 'lock' | 'run';

export type DiffOutcome =
  | { readonly ok: true; readonly kind: DiffInputKind; readonly changes: readonly Change[] }
  | { readonly ok: false; readonly diagnostics: readonly Diagnostic[]; readonly files: Map<string, string>; readonly usage?: boolean };

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
  const fail = (d: Diagnostic, usage = false): DiffOutcome => ({ ok: false, diagnostics: [d], files: new Map(), usage });
  for (const [path, kind] of [[a, ka], [b, kb]] as const) {
    if (kind === 'missing') return fail(diagnostic('CVR904', 'no file or folder at this path', { file: path, hint: 'check the path (relative paths start from the current folder)' }));
    if (kind === 'unknown') return fail(diagnostic('CVR905', 'expected a .cvr file, a lock file (.json) or a run folder', { file: path, hint: 'a run folder holds metrics.json; a lock file is what `cvr lock` writes' }), true);
  }
  const name = (k: DiffInputKind | 'missing' | 'unknown'): string => (k === 'run' ? 'run folder' : k === 'cvr' ? '.cvr file' : 'lock file');
  if (ka !== kb) {
    return fail(diagnostic('CVR906', `cannot compare a ${name(ka)} (${displayPath(a, options.cwd)}) with a ${name(kb)} (${displayPath(b, options.cwd)})`, { hint: 'give two .cvr files, two lock files or two run folders' }), true);
  }
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
  const [ma, mb] = await Promise.all([readMetricsFile(a), readMetricsFile(b)]);
  const unread = [ma, mb].flatMap((r) => ('diagnostic' in r ? [r.diagnostic] : []));
  if ('diagnostic' in ma || 'diagnostic' in mb) return { ok: false, diagnostics: unread, files: new Map() };
  const [ca, cb] = await Promise.all([readCounts(a), readCounts(b)]);
  return { ok: true, kind: 'run', changes: diffRuns(ma.metrics, mb.metrics, ca !== undefined && cb !== undefined ? { a: ca, b: cb } : undefined) };
}

const SIGIL = { added: '+', removed: '-', changed: '~' } as const;

/** One line a change: a sigil, the path, what it means. */
export function renderChanges(changes: readonly Change[]): string {
  if (changes.length === 0) return 'no semantic changes\n';
  const width = Math.min(28, Math.max(...changes.map((c) => c.path.length)));
  const lines = changes.map((c) => `${SIGIL[c.kind]} ${c.path.padEnd(width)}  ${c.meaning}`);
  return `${lines.join('\n')}\n${changes.length} change${changes.length === 1 ? '' : 's'}\n`;
}
