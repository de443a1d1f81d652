/**
 * Lock files: the resolved data fingerprint of each pipeline of a .cvr file — every image of
 * every source (identity, native label, patient, declared partition, content hash when read),
 * per-source hashes of those lists, the seed, the split-assignment hash and the versions.
 * `cvr audit --frozen` recomputes it and fails naming what changed.
 */
import type { SourceLedger } from '../data/index.ts';
import { readFile } from 'node:fs/promises';
import type { Diagnostic } from '../diag/index.ts';
import { assignmentHash, ROLE, ROLE_NAMES, type SplitResult } from '../data/index.ts';
import { diagnostic, firstFew } from '../diag/index.ts';
import { sha256Hex } from './canonical.ts';
import type { PipelineAudit } from './audit-pipeline.ts';

/** 2 added `split.roles`; version 1 files (no roles) are still read. */
export const LOCK_VERSION = 2;
const READABLE_VERSIONS: ReadonlySet<number> = new Set([1, 2]);

/** [id, native label, patient, partition, sha256] — null where unknown. */
export type LockedFile = readonly [id: string, label: string, patient: string | null, partition: string | null, sha256: string | null];

export interface SourceLock {
  readonly images: number;
  /** sha256 over the sorted (id, label, patient, partition) lines. */
  readonly listHash: string;
  /** sha256 over the sorted (id, sha256) lines; absent when images were not read. */
  readonly contentHash?: string;
  readonly files: readonly LockedFile[];
}

export interface PipelineLock {
  /** What each source read and where it went (absent in older lock files). */
  readonly ledger?: readonly SourceLedger[];
  readonly seed: number;
  readonly task: readonly string[];
  readonly metadataOnly: boolean;
  readonly split: {
    readonly form: string;
    readonly folds: readonly string[];
    readonly assignmentHash: string;
    /**
     * Per source, image id → its role (see `roleLabel`), keys sorted: what lets `cvr diff` name
     * the images that moved. Absent in version 1 lock files.
     */
    readonly roles?: Readonly<Record<string, Readonly<Record<string, string>>>>;
  };
  readonly sources: Readonly<Record<string, SourceLock>>;
}

export interface LockFile {
  readonly lockVersion: number;
  readonly versions: { readonly cvr: string; readonly node: string };
  readonly pipelines: Readonly<Record<string, PipelineLock>>;
}

import { cvrVersion } from '../diag/index.ts';
export { cvrVersion };

/** The lock of one audited pipeline; undefined when the audit stopped before the split. */
export function pipelineLock(result: PipelineAudit): PipelineLock | undefined {
  const split = result.split;
  if (split === undefined) return undefined;
  const hashes = result.contentHashes;
  const bySource = new Map<string, LockedFile[]>();
  split.images.forEach((image, i) => {
    const list = bySource.get(image.source) ?? [];
    list.push([image.id, image.nativeLabel, image.patient ?? null, image.partition ?? null, hashes?.[i] ?? null]);
    bySource.set(image.source, list);
  });
  const sources: Record<string, SourceLock> = {};
  for (const source of result.pipeline.sources) {
    const files = (bySource.get(source.name) ?? []).sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
    const lock: { -readonly [K in keyof SourceLock]: SourceLock[K] } = {
      images: files.length,
      listHash: sha256Hex(files.map((f) => `${f[0]}\t${f[1]}\t${f[2] ?? ''}\t${f[3] ?? ''}`).join('\n')),
      files,
    };
    if (hashes !== undefined) lock.contentHash = sha256Hex(files.map((f) => `${f[0]}\t${f[4] ?? ''}`).join('\n'));
    sources[source.name] = lock;
  }
  return {
    seed: result.seed,
    task: result.pipeline.task.classes,
    metadataOnly: hashes === undefined,
    split: { form: split.form, folds: split.folds.map((f) => f.name), assignmentHash: assignmentHash(split), roles: rolesBySource(split) },
    sources,
    ...(result.ledger === undefined ? {} : { ledger: result.ledger }),
  };
}

/**
 * An image's role in a compact, readable form: with one fold its partition (`train`, `val`,
 * `test`, `none`); with several, the fold it is tested in, then any folds where it validates
 * (`fold2`, `fold2 val:fold1`), or `untested` when no fold tests it.
 */
export function roleLabel(split: Pick<SplitResult, 'folds'>, index: number): string {
  const folds = split.folds;
  if (folds.length === 1) return ROLE_NAMES[folds[0]!.roles[index] ?? ROLE.none] ?? 'none';
  const tested = folds.filter((f) => f.roles[index] === ROLE.test).map((f) => f.name);
  const validated = folds.filter((f) => f.roles[index] === ROLE.val && !f.validationIsTest).map((f) => `val:${f.name}`);
  return [tested.length > 0 ? tested.join('+') : 'untested', ...validated].join(' ');
}

function rolesBySource(split: SplitResult): Record<string, Record<string, string>> {
  const bySource = new Map<string, [string, string][]>();
  split.images.forEach((image, i) => {
    const list = bySource.get(image.source) ?? [];
    list.push([image.id, roleLabel(split, i)]);
    bySource.set(image.source, list);
  });
  const sorted = [...bySource].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return Object.fromEntries(sorted.map(([source, list]) => [source, Object.fromEntries(list.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))]));
}

/** Images whose role differs between two locks (both with roles), as `source:id`, sorted. */
export function movedImages(a: PipelineLock, b: PipelineLock): { readonly id: string; readonly source: string; readonly from: string; readonly to: string }[] {
  const ra = a.split.roles;
  const rb = b.split.roles;
  if (ra === undefined || rb === undefined) return [];
  const out: { id: string; source: string; from: string; to: string }[] = [];
  for (const source of Object.keys(ra).sort()) {
    const before = ra[source] ?? {};
    const after = rb[source];
    if (after === undefined) continue;
    for (const id of Object.keys(before).sort()) {
      const from = before[id];
      const to = after[id];
      if (from !== undefined && to !== undefined && from !== to) out.push({ id, source, from, to });
    }
  }
  return out;
}

export function lockFileOf(pipelines: Readonly<Record<string, PipelineLock>>): LockFile {
  return { lockVersion: LOCK_VERSION, versions: { cvr: cvrVersion(), node: process.version }, pipelines };
}

/** `pipelines/a.cvr` → `pipelines/a.lock.json`. */
export function defaultLockPath(cvrFile: string): string {
  return cvrFile.endsWith('.cvr') ? `${cvrFile.slice(0, -4)}.lock.json` : `${cvrFile}.lock.json`;
}

export async function readLockFile(path: string): Promise<{ lock: LockFile } | { diagnostic: Diagnostic }> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    return { diagnostic: diagnostic('CVR651', `no lock file at ${JSON.stringify(path)}`, { file: path, hint: 'write one with `cvr lock FILE`' }) };
  }
  try {
    const lock = JSON.parse(text) as LockFile;
    if (!READABLE_VERSIONS.has(lock.lockVersion) || typeof lock.pipelines !== 'object' || lock.pipelines === null) throw new Error('shape');
    return { lock };
  } catch {
    return { diagnostic: diagnostic('CVR651', `${JSON.stringify(path)} is not a cvr lock file (version ${LOCK_VERSION})`, { file: path, hint: 'rewrite it with `cvr lock FILE`' }) };
  }
}

/** What changed between a locked and a current fingerprint, one CVR650 error per kind of change. */
export function compareLocks(pipeline: string, locked: PipelineLock, current: PipelineLock, lockPath: string): Diagnostic[] {
  const out: Diagnostic[] = [];
  const changed = (message: string, data: Record<string, unknown>, hint?: string): void => {
    out.push(diagnostic('CVR650', `pipeline ${pipeline}: ${message}`, { file: lockPath, data, hint: hint ?? 'if the change is intended, rewrite the lock with `cvr lock FILE`' }));
  };
  if (locked.seed !== current.seed) changed(`seed changed: ${locked.seed} → ${current.seed}`, { from: locked.seed, to: current.seed });
  if (locked.task.join(',') !== current.task.join(',')) changed(`task changed: ${locked.task.join(' vs ')} → ${current.task.join(' vs ')}`, { from: locked.task, to: current.task });
  const names = [...new Set([...Object.keys(locked.sources), ...Object.keys(current.sources)])];
  let dataChanged = false;
  for (const name of names) {
    const before = locked.sources[name];
    const after = current.sources[name];
    if (before === undefined) {
      changed(`source "${name}" is new (${after!.images} images)`, { source: name, images: after!.images });
      dataChanged = true;
      continue;
    }
    if (after === undefined) {
      changed(`source "${name}" is gone (had ${before.images} images)`, { source: name, images: before.images });
      dataChanged = true;
      continue;
    }
    const old = new Map(before.files.map((f) => [f[0], f]));
    const now = new Map(after.files.map((f) => [f[0], f]));
    const added = after.files.filter((f) => !old.has(f[0])).map((f) => f[0]);
    const removed = before.files.filter((f) => !now.has(f[0])).map((f) => f[0]);
    const relabelled: string[] = [];
    const rewritten: string[] = [];
    for (const [id, f] of now) {
      const o = old.get(id);
      if (o === undefined) continue;
      if (o[1] !== f[1] || o[2] !== f[2] || o[3] !== f[3]) relabelled.push(id);
      if (o[4] !== null && f[4] !== null && o[4] !== f[4]) rewritten.push(id);
    }
    if (added.length > 0) changed(`source "${name}": ${added.length} image(s) added: ${firstFew(added)}`, { source: name, change: 'added', count: added.length, first: added.slice(0, 5) });
    if (removed.length > 0) changed(`source "${name}": ${removed.length} image(s) removed: ${firstFew(removed)}`, { source: name, change: 'removed', count: removed.length, first: removed.slice(0, 5) });
    if (relabelled.length > 0) changed(`source "${name}": label, patient or partition changed for ${relabelled.length} image(s): ${firstFew(relabelled)}`, { source: name, change: 'relabelled', count: relabelled.length, first: relabelled.slice(0, 5) });
    if (rewritten.length > 0) changed(`source "${name}": content changed for ${rewritten.length} image(s): ${firstFew(rewritten)}`, { source: name, change: 'content', count: rewritten.length, first: rewritten.slice(0, 5) });
    if (added.length + removed.length + relabelled.length + rewritten.length > 0) dataChanged = true;
  }
  if (locked.split.assignmentHash !== current.split.assignmentHash && !dataChanged && locked.seed === current.seed) {
    const moved = movedImages(locked, current);
    const which = moved.length === 0 ? '' : `; ${moved.length} image(s) moved: ${firstFew(moved.map((m) => `${m.source}/${m.id} ${m.from} → ${m.to}`))}`;
    changed(`split assignment changed (${locked.split.form} → ${current.split.form}) with the same data and seed${which}`, { from: { ...locked.split, roles: undefined }, to: { ...current.split, roles: undefined } }, 'the split statement or the assignment algorithm changed; rewrite the lock if intended');
  }
  return out;
}
