/**
 * One run at a time per cache: `<cache>/lock.json` is created exclusively (`wx`) and holds the
 * holder's pid, host and start time. A waiting run polls; a lock whose process is gone (same
 * host, pid not alive) or whose heartbeat stopped (another host, mtime older than `staleMs`) is
 * stale and removed. The holder touches the file every `heartbeatMs` so a live run on another
 * machine sharing the cache is never mistaken for a dead one.
 */
import { checkWrite, ensureDir } from '../data/index.ts';
import { open, readFile, rename, rm, stat, utimes } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';

export interface LockHolder {
  readonly pid: number;
  readonly host: string;
  readonly since: number;
  readonly token: string;
}

export interface LockOptions {
  /** Called once when the lock is found held by a live run, before waiting. */
  readonly onWait?: (holder: LockHolder, lockFile: string) => void;
  /** Called when a stale lock is removed. */
  readonly onStale?: (holder: LockHolder, lockFile: string) => void;
  readonly pollMs?: number;
  readonly heartbeatMs?: number;
  readonly staleMs?: number;
  readonly signal?: AbortSignal;
}

export interface CacheLock {
  readonly file: string;
  release(): Promise<void>;
}

export type LockResult = { readonly ok: true; readonly lock: CacheLock } | { readonly ok: false; readonly reason: 'aborted' };

export function lockFileOf(cacheDir: string): string {
  return join(cacheDir, 'lock.json');
}

export async function acquireCacheLock(cacheDir: string, options: LockOptions = {}): Promise<LockResult> {
  const file = lockFileOf(cacheDir);
  const pollMs = options.pollMs ?? 250;
  const heartbeatMs = options.heartbeatMs ?? 5_000;
  const staleMs = options.staleMs ?? 60_000;
  const token = `${process.pid}-${Date.now()}-${Math.random().toString(36).slice(2)}`;
  const me: LockHolder = { pid: process.pid, host: hostname(), since: Date.now(), token };
  await ensureDir(cacheDir);
  let told = false;
  for (;;) {
    if (options.signal?.aborted === true) return { ok: false, reason: 'aborted' };
    if (await tryCreate(file, me)) return { ok: true, lock: heldLock(file, token, heartbeatMs) };
    const holder = await readHolder(file);
    if (holder === undefined) {
      // Between its create and its write, or just released: look again shortly.
      await sleep(pollMs / 5, options.signal);
      continue;
    }
    if (await isStale(file, holder, staleMs)) {
      await removeStale(file, holder);
      options.onStale?.(holder, file);
      continue;
    }
    if (!told) {
      options.onWait?.(holder, file);
      told = true;
    }
    await sleep(pollMs, options.signal);
  }
}

async function tryCreate(file: string, me: LockHolder): Promise<boolean> {
  try {
    checkWrite('write', file);
    const handle = await open(file, 'wx');
    try {
      await handle.writeFile(JSON.stringify(me));
    } finally {
      await handle.close();
    }
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  }
}

async function readHolder(file: string): Promise<LockHolder | undefined> {
  try {
    const parsed = JSON.parse(await readFile(file, 'utf8')) as Partial<LockHolder>;
    if (typeof parsed.pid !== 'number' || typeof parsed.host !== 'string' || typeof parsed.token !== 'string') return undefined;
    return { pid: parsed.pid, host: parsed.host, since: typeof parsed.since === 'number' ? parsed.since : 0, token: parsed.token };
  } catch {
    return undefined;
  }
}

async function isStale(file: string, holder: LockHolder, staleMs: number): Promise<boolean> {
  if (holder.host === hostname()) return !processAlive(holder.pid);
  try {
    return Date.now() - (await stat(file)).mtimeMs > staleMs;
  } catch {
    return false;
  }
}

export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Renames the stale file aside before deleting it, and only if it is still the one we judged:
 * two waiters that both see the same stale lock must not delete a fresh one taken in between.
 */
async function removeStale(file: string, holder: LockHolder): Promise<void> {
  const aside = `${file}.stale-${process.pid}-${Math.random().toString(36).slice(2)}`;
  try {
    await rename(file, aside);
  } catch {
    return;
  }
  const moved = await readHolder(aside);
  if (moved !== undefined && moved.token !== holder.token) {
    // We moved a fresh lock: put it back unless someone has taken the name meanwhile.
    try {
      const handle = await open(file, 'wx');
      await handle.writeFile(JSON.stringify(moved));
      await handle.close();
    } catch {
      // The name is taken again; the fresh holder will notice its lock is gone only at release.
    }
  }
  await rm(aside, { force: true });
}

function heldLock(file: string, token: string, heartbeatMs: number): CacheLock {
  const timer = setInterval(() => {
    const now = new Date();
    utimes(file, now, now).catch(() => undefined);
  }, heartbeatMs);
  timer.unref();
  return {
    file,
    async release() {
      clearInterval(timer);
      const holder = await readHolder(file);
      if (holder?.token === token) await rm(file, { force: true });
    },
  };
}

function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((done) => {
    const timer = setTimeout(finish, ms);
    function finish(): void {
      clearTimeout(timer);
      signal?.removeEventListener('abort', finish);
      done();
    }
    signal?.addEventListener('abort', finish, { once: true });
  });
}
