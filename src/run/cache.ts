/**
 * The content-addressed node cache: `<root>/nodes/<key>/` holds one finished node's output
 * (`output.json` plus any files the node wrote), and a `finished` marker written last.
 * An entry is built in `<root>/tmp/` and renamed into place, so a killed run never leaves a
 * half-written entry under `nodes/`; leftovers in `tmp/` are swept by the next lock holder.
 * `<root>/work/<key>/` is a node's scratch space that survives a crash (training checkpoints),
 * removed once the node's entry is committed.
 *
 * Integrity: the marker records the size and sha256 of every file of the entry, and of every
 * file outside it that the entry's output points at (preprocessed shards under `<root>/prep/`),
 * all as paths relative to the cache root, so a copied or moved cache is checked and read on
 * its own files. `verify` checks them before an entry is used; a mismatch makes the entry
 * corrupt, and the executor discards and recomputes it.
 */
import { readFile, rm, stat, readdir } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { isAbsolute, join, relative, resolve, sep } from 'node:path';
import { hashFile } from '../data/index.ts';
import { ensureDir, renameIn, writeFileIn } from '../data/index.ts';

export const DEFAULT_CACHE_DIR = '.cvr-cache';

/**
 * `--cache DIR`, else `CVR_CACHE_DIR` (both relative to the working directory), else `.cvr-cache/`
 * in `base`: the project's root when there is one (so every subfolder shares one cache), else the
 * working directory.
 */
export function resolveCacheDir(cwd: string, flag: string | undefined, env: Readonly<Record<string, string | undefined>>, base: string = cwd): string {
  const chosen = flag ?? env['CVR_CACHE_DIR'];
  return chosen !== undefined && chosen !== '' ? resolve(cwd, chosen) : resolve(base, DEFAULT_CACHE_DIR);
}

/** Size and content digest of one file, as recorded at commit. */
export interface FileRecord {
  readonly size: number;
  readonly sha256: string;
}

/** What the `finished` marker records: enough to tell, by hand, what an entry is. */
export interface EntryMarker {
  readonly key: string;
  readonly id: string;
  readonly kind: string;
  readonly finishedAt: number;
}

/** The marker as written: the entry's files (relative to the entry) and its references (relative to the cache root). */
export interface StoredMarker extends EntryMarker {
  readonly integrity: 1;
  readonly files: Readonly<Record<string, FileRecord>>;
  readonly refs: Readonly<Record<string, FileRecord>>;
}

/** Why an entry cannot be used: the first file found wrong. */
export interface Corruption {
  /** Absolute path of the bad file (the marker itself when it is the problem). */
  readonly file: string;
  readonly reason: string;
  /** Whether the bad file lies outside the entry (a shared shard); it is deleted on discard. */
  readonly shared: boolean;
}

export type EntryCheck = { readonly ok: true; readonly marker: StoredMarker } | { readonly ok: false; readonly problem: Corruption };

/**
 * Files up to this size are hashed every time their entry is used; larger ones have their size
 * checked on use and their digest checked by `cvr cache verify` (`deep`).
 */
export const VERIFY_ALWAYS_BYTES = 256 * 1024 * 1024;

export const OUTPUT_FILE = 'output.json';
export const MARKER_FILE = 'finished';

export class NodeCache {
  readonly root: string;

  constructor(root: string) {
    this.root = root;
  }

  entryDir(key: string): string {
    return join(this.root, 'nodes', key);
  }

  workDir(key: string): string {
    return join(this.root, 'work', key);
  }

  async has(key: string): Promise<boolean> {
    return exists(join(this.entryDir(key), MARKER_FILE));
  }

  /** The entry's output. Call `verify` first: this only parses. */
  async read(key: string): Promise<unknown> {
    const text = await readFile(join(this.entryDir(key), OUTPUT_FILE), 'utf8');
    return JSON.parse(text) as unknown;
  }

  /** Checks the marker and every recorded file (size always, digest up to `VERIFY_ALWAYS_BYTES`, or always when `deep`). */
  async verify(key: string, options: { readonly deep?: boolean } = {}): Promise<EntryCheck> {
    const dir = this.entryDir(key);
    const markerFile = join(dir, MARKER_FILE);
    const bad = (file: string, reason: string, shared = false): EntryCheck => ({ ok: false, problem: { file, reason, shared } });
    let marker: StoredMarker;
    try {
      marker = parseMarker(await readFile(markerFile, 'utf8'));
    } catch (error) {
      return bad(markerFile, `its integrity record is unreadable (${error instanceof Error ? error.message : String(error)})`);
    }
    if (marker.key !== key) return bad(markerFile, `its integrity record names another entry (${marker.key.slice(0, 12)}…)`);
    if (marker.files[OUTPUT_FILE] === undefined) return bad(markerFile, 'its integrity record lists no output.json');
    const actual = await listFiles(dir);
    for (const name of actual) {
      if (name !== MARKER_FILE && marker.files[name] === undefined) return bad(join(dir, name), 'the file is not in the integrity record (added after commit)');
    }
    for (const [name, record] of Object.entries(marker.files)) {
      const problem = await checkFile(this.resolveInside(dir, name), record, options.deep === true);
      if (problem !== undefined) return bad(this.resolveInside(dir, name), problem);
    }
    for (const [name, record] of Object.entries(marker.refs)) {
      const file = this.resolveInside(this.root, name);
      const problem = await checkFile(file, record, options.deep === true);
      if (problem !== undefined) return bad(file, problem, true);
    }
    return { ok: true, marker };
  }

  /** Removes a corrupt entry, and the shared file that made it corrupt (a damaged shard is damaged for everyone). */
  async discard(key: string, problem?: Corruption): Promise<void> {
    await rm(this.entryDir(key), { recursive: true, force: true });
    if (problem?.shared === true && isInside(this.root, problem.file)) await rm(problem.file, { force: true });
  }

  /** A fresh, private staging folder for a node's files; pass it to `commit`. */
  async stage(key: string): Promise<string> {
    const dir = join(this.root, 'tmp', `${key}.${process.pid}.${randomBytes(4).toString('hex')}`);
    await ensureDir(dir);
    return dir;
  }

  /**
   * Writes the output and the marker (last) into the staging folder, then renames it into place.
   * The rename is the commit point: before it the entry does not exist, after it is complete.
   * `refs` are files under the cache root, outside the entry, that the output points at.
   */
  async commit(staging: string, marker: EntryMarker, output: unknown, refs: readonly string[] = []): Promise<void> {
    try {
      await writeFileIn(join(staging, OUTPUT_FILE), `${JSON.stringify(output ?? null)}\n`);
      const files: Record<string, FileRecord> = {};
      for (const name of await listFiles(staging)) files[name] = await record(join(staging, name));
      const refRecords: Record<string, FileRecord> = {};
      for (const ref of refs) {
        const file = resolve(this.root, ref);
        if (!isInside(this.root, file)) throw new Error(`Internal error: ${marker.id} references ${file}, outside the cache`);
        refRecords[toPosix(relative(this.root, file))] = await record(file);
      }
      const stored: StoredMarker = { ...marker, integrity: 1, files, refs: refRecords };
      await writeFileIn(join(staging, MARKER_FILE), `${JSON.stringify(stored)}\n`);
      const target = this.entryDir(marker.key);
      await ensureDir(join(this.root, 'nodes'));
      if (await this.has(marker.key)) {
        // Same key means same content: the existing entry is as good as ours.
        await rm(staging, { recursive: true, force: true });
      } else {
        // A folder without a marker can only come from outside tampering; replace it.
        await rm(target, { recursive: true, force: true });
        await renameIn(staging, target);
      }
    } catch (error) {
      // Nothing half-written stays behind: the staging folder goes, the entry never appeared.
      await rm(staging, { recursive: true, force: true }).catch(() => undefined);
      throw error;
    }
    await rm(this.workDir(marker.key), { recursive: true, force: true });
  }

  /** Removes staging folders left by killed runs. Only the lock holder may call this. */
  async sweepTemp(): Promise<number> {
    const tmp = join(this.root, 'tmp');
    let names: string[];
    try {
      names = await readdir(tmp);
    } catch {
      return 0;
    }
    await Promise.all(names.map((name) => rm(join(tmp, name), { recursive: true, force: true })));
    return names.length;
  }

  /** Keys of every committed entry (with a marker) and of every folder without one. */
  async keys(): Promise<{ readonly finished: readonly string[]; readonly unfinished: readonly string[] }> {
    let names: string[];
    try {
      names = await readdir(join(this.root, 'nodes'));
    } catch {
      return { finished: [], unfinished: [] };
    }
    const finished: string[] = [];
    const unfinished: string[] = [];
    for (const name of names.sort()) ((await this.has(name)) ? finished : unfinished).push(name);
    return { finished, unfinished };
  }

  /** A recorded relative path, refused when it would leave `base` (a tampered marker must not make us read elsewhere). */
  private resolveInside(base: string, name: string): string {
    const file = resolve(base, name);
    if (isAbsolute(name) || !isInside(base, file)) return join(base, '..invalid..', String(name).replaceAll(/[/\\]/g, '_'));
    return file;
  }
}

function parseMarker(text: string): StoredMarker {
  const parsed = JSON.parse(text) as unknown;
  if (typeof parsed !== 'object' || parsed === null) throw new Error('not an object');
  const m = parsed as Partial<StoredMarker>;
  if (m.integrity !== 1 || typeof m.files !== 'object' || m.files === null || typeof m.refs !== 'object' || m.refs === null) {
    throw new Error('no file digests: written by an older cvr, or edited');
  }
  if (typeof m.key !== 'string' || typeof m.id !== 'string' || typeof m.kind !== 'string') throw new Error('fields missing');
  for (const r of [...Object.values(m.files), ...Object.values(m.refs)]) {
    if (typeof r !== 'object' || r === null || typeof r.size !== 'number' || typeof r.sha256 !== 'string') throw new Error('a file record is malformed');
  }
  return m as StoredMarker;
}

async function record(file: string): Promise<FileRecord> {
  const { hash, bytes } = await hashFile(file);
  return { size: bytes, sha256: hash };
}

/** Undefined when the file matches its record; else what is wrong. */
async function checkFile(file: string, expected: FileRecord, deep: boolean): Promise<string | undefined> {
  let size: number;
  try {
    const st = await stat(file);
    if (!st.isFile()) return 'it is not a regular file';
    size = st.size;
  } catch (error) {
    return `it is missing (${(error as NodeJS.ErrnoException).code ?? String(error)})`;
  }
  if (size !== expected.size) return `its size is ${size} bytes, ${expected.size} were written (truncated or appended to)`;
  if (!deep && size > VERIFY_ALWAYS_BYTES) return undefined;
  const { hash } = await hashFile(file);
  return hash === expected.sha256 ? undefined : 'its content differs from what was written (sha256 mismatch)';
}

/** Every file below `dir`, as POSIX paths relative to it, sorted. */
async function listFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  const pending = [''];
  while (pending.length > 0) {
    const rel = pending.pop() ?? '';
    let entries;
    try {
      entries = await readdir(join(dir, rel), { withFileTypes: true });
    } catch {
      continue;
    }
    for (const entry of entries) {
      const name = rel === '' ? entry.name : `${rel}/${entry.name}`;
      if (entry.isDirectory()) pending.push(name);
      else out.push(name);
    }
  }
  return out.sort();
}

function isInside(root: string, file: string): boolean {
  const rel = relative(root, file);
  return rel !== '' && !rel.startsWith('..') && !isAbsolute(rel);
}

function toPosix(path: string): string {
  return sep === '/' ? path : path.split(sep).join('/');
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch {
    return false;
  }
}
