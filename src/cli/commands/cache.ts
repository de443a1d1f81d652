/**
 * `cvr cache info|verify|gc [--cache DIR]`: what the node cache holds, a full integrity check of
 * every entry (every file's size and sha256, large files included), and a clean-up of what no
 * entry uses. verify and gc take the cache lock, so they never race a run.
 */
import { readdir, readFile, rm, stat } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { existsSync } from 'node:fs';
import type { CliIo } from '../io.ts';
import { EXIT } from '../io.ts';
import { settleCommandLine, usageError } from '../args.ts';
import { CACHE } from '../specs.ts';
import { projectBase } from '../project.ts';
import type { Diagnostic } from '../../diag/index.ts';
import { renderDiagnostics } from '../../diag/index.ts';
import { makeDiagnostic } from '../../dsl/index.ts';
import { MARKER_FILE, NodeCache, resolveCacheDir } from '../../run/index.ts';
import { acquireCacheLock } from '../../run/index.ts';
import { envFaultDiagnostic } from '../../run/index.ts';
import { readMemo, writeMemo } from '../../data/index.ts';
import { DIGEST_MEMO_FILE } from '../../plan/index.ts';
import { diskUsage } from '../disk-usage.ts';

/** Bytes under a path (a file or a folder). */
async function sizeOf(path: string): Promise<number> {
  return (await diskUsage(path)).bytes;
}

async function list(dir: string): Promise<string[]> {
  try {
    return (await readdir(dir)).sort();
  } catch {
    return [];
  }
}

/** Every file under `<cache>/prep/`, relative to the cache root. */
async function prepFiles(root: string): Promise<string[]> {
  const out: string[] = [];
  for (const level of await list(join(root, 'prep'))) {
    const path = join(root, 'prep', level);
    if ((await stat(path)).isDirectory()) for (const name of await list(path)) out.push(`prep/${level}/${name}`);
    else out.push(`prep/${level}`);
  }
  return out;
}

function mb(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

export async function run(argv: readonly string[], io: CliIo): Promise<number> {
  const parsed = settleCommandLine(CACHE, argv, io);
  if (typeof parsed === 'number') return parsed;
  const action = parsed.positional[0];
  if (action !== 'info' && action !== 'verify' && action !== 'gc') return usageError(CACHE, `unknown action "${action}"; give info, verify or gc`, io);
  const args = { action, discard: parsed.values.discard === true, cache: parsed.values.cache } as const;
  const root = resolveCacheDir(io.cwd, args.cache, io.env, projectBase(io.cwd));
  const render = (ds: readonly Diagnostic[]): string => renderDiagnostics(ds, { files: new Map(), cwd: io.cwd });
  if (!existsSync(root)) {
    io.stderr(`cvr cache: no cache at ${root} (nothing has run with it yet)\n`);
    return args.action === 'info' ? EXIT.ok : EXIT.failed;
  }
  try {
    if (args.action === 'info') return await info(root, io);
    const locked = await acquireCacheLock(root, { onWait: () => io.stderr(`cvr cache: waiting for the run that holds the cache lock…\n`) });
    if (!locked.ok) return EXIT.failed;
    try {
      return args.action === 'verify' ? await verify(root, args.discard, io, render) : await gc(root, io, render);
    } finally {
      await locked.lock.release().catch(() => undefined);
    }
  } catch (error) {
    const fault = envFaultDiagnostic(error, { cacheDir: root });
    if (fault === undefined) throw error;
    io.stderr(render([fault]));
    return EXIT.failed;
  }
}

async function info(root: string, io: CliIo): Promise<number> {
  const cache = new NodeCache(root);
  const { finished, unfinished } = await cache.keys();
  const byKind = new Map<string, { n: number; bytes: number }>();
  for (const key of finished) {
    let kind = '?';
    try {
      kind = (JSON.parse(await readFile(join(cache.entryDir(key), MARKER_FILE), 'utf8')) as { kind?: string }).kind ?? '?';
    } catch {
      kind = 'unreadable marker';
    }
    const row = byKind.get(kind) ?? { n: 0, bytes: 0 };
    byKind.set(kind, { n: row.n + 1, bytes: row.bytes + (await sizeOf(cache.entryDir(key))) });
  }
  const shards = await prepFiles(root);
  const memo = await readMemo(join(root, DIGEST_MEMO_FILE));
  const lines = [
    `cache ${root}: ${mb(await sizeOf(root))}`,
    `entries: ${finished.length} finished${unfinished.length > 0 ? `, ${unfinished.length} unfinished (cvr cache gc removes them)` : ''}`,
    ...[...byKind].sort(([a], [b]) => a.localeCompare(b)).map(([kind, row]) => `  ${kind.padEnd(10)} ${String(row.n).padStart(5)}  ${mb(row.bytes)}`),
    `preprocessed shards: ${shards.length}, ${mb(await sizeOf(join(root, 'prep')))}`,
    `scan memo: ${Object.keys(memo).length} files remembered`,
    `staging leftovers: ${(await list(join(root, 'tmp'))).length} · interrupted nodes with checkpoints: ${(await list(join(root, 'work'))).length}`,
  ];
  io.stdout(`${lines.join('\n')}\n`);
  return EXIT.ok;
}

async function verify(root: string, discard: boolean, io: CliIo, render: (ds: readonly Diagnostic[]) => string): Promise<number> {
  const cache = new NodeCache(root);
  const { finished } = await cache.keys();
  const diagnostics: Diagnostic[] = [];
  for (const key of finished) {
    const check = await cache.verify(key, { deep: true });
    if (check.ok) continue;
    diagnostics.push(makeDiagnostic('CVR851', undefined, `cache entry ${key.slice(0, 12)}… is corrupt: ${check.problem.reason}${discard ? '; discarded' : ''}`, {
      hint: discard ? 'the next run recomputes it' : 'the next run discards and recomputes it; `cvr cache verify --discard` removes it now',
    }, check.problem.file));
    if (discard) await cache.discard(key, check.problem);
  }
  let memoProblem: string | undefined;
  await readMemo(join(root, DIGEST_MEMO_FILE), (_file, reason) => (memoProblem = reason));
  if (memoProblem !== undefined) {
    diagnostics.push(makeDiagnostic('CVR852', undefined, `the scan memo is corrupt: ${memoProblem}${discard ? '; discarded' : ''}`, { hint: 'harmless: the next run hashes the image files again' }, join(root, DIGEST_MEMO_FILE)));
    if (discard) await rm(join(root, DIGEST_MEMO_FILE), { force: true });
  }
  if (diagnostics.length > 0) io.stderr(render(diagnostics));
  io.stdout(`${finished.length} entries checked (every file's size and sha256): ${diagnostics.length === 0 ? 'all intact' : `${diagnostics.length} problem(s)`}\n`);
  return diagnostics.length === 0 || discard ? EXIT.ok : EXIT.failed;
}

async function gc(root: string, io: CliIo, render: (ds: readonly Diagnostic[]) => string): Promise<number> {
  const cache = new NodeCache(root);
  const { finished, unfinished } = await cache.keys();
  const removed: string[] = [];
  for (const key of unfinished) {
    await rm(cache.entryDir(key), { recursive: true, force: true });
    removed.push(`unfinished entry ${key.slice(0, 12)}…`);
  }
  const swept = await cache.sweepTemp();
  if (swept > 0) removed.push(`${swept} staging folder(s)`);
  // Shards some intact entry references; any other file under prep/ is an orphan or the old layout.
  const referenced = new Set<string>();
  for (const key of finished) {
    const check = await cache.verify(key);
    if (check.ok) for (const ref of Object.keys(check.marker.refs)) referenced.add(ref);
  }
  let freed = 0;
  let shards = 0;
  for (const file of await prepFiles(root)) {
    if (referenced.has(file)) continue;
    freed += await sizeOf(join(root, file));
    await rm(join(root, file), { recursive: true, force: true });
    shards++;
  }
  if (shards > 0) removed.push(`${shards} preprocessed shard(s) or old-layout file(s) no entry uses (${mb(freed)})`);
  const memoFile = join(root, DIGEST_MEMO_FILE);
  const memo = await readMemo(memoFile);
  const kept = Object.fromEntries(Object.entries(memo).filter(([path]) => existsSync(path)));
  const stale = Object.keys(memo).length - Object.keys(kept).length;
  if (stale > 0) {
    await writeMemo(memoFile, kept);
    removed.push(`${stale} scan-memo line(s) of files that no longer exist`);
  }
  const summary = removed.length === 0 ? 'nothing to remove' : removed.join('; ');
  io.stdout(render([makeDiagnostic('CVR870', undefined, `cvr cache gc ${relative(io.cwd, root) || root}: ${summary}`)]));
  return EXIT.ok;
}
