import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { acquireCacheLock, lockFileOf, type LockHolder } from '../../src/run/lock.ts';
import { scratchDirs } from './helpers.ts';

const cacheDir = scratchDirs('lock');

function deadPid(): number {
  const child = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
  return Number(child.stdout);
}

describe('cache lock', () => {
  it('makes a second run wait, telling who holds the lock, until the first releases it', async () => {
    const dir = cacheDir();
    const first = await acquireCacheLock(dir);
    if (!first.ok) throw new Error('first lock failed');
    const waits: LockHolder[] = [];
    let acquired = false;
    const second = acquireCacheLock(dir, { pollMs: 10, onWait: (holder) => waits.push(holder) }).then((r) => {
      acquired = true;
      return r;
    });
    await new Promise((r) => setTimeout(r, 100));
    expect(acquired).toBe(false);
    expect(waits).toHaveLength(1);
    expect(waits[0]).toMatchObject({ pid: process.pid, host: hostname() });
    await first.lock.release();
    const result = await second;
    expect(result.ok).toBe(true);
    if (result.ok) await result.lock.release();
    expect(existsSync(lockFileOf(dir))).toBe(false);
  });

  it('removes a lock whose process is gone, and says so', async () => {
    const dir = cacheDir();
    mkdirSync(dir, { recursive: true });
    const pid = deadPid();
    writeFileSync(lockFileOf(dir), JSON.stringify({ pid, host: hostname(), since: 1, token: 'dead' }));
    const stale: number[] = [];
    const waits: number[] = [];
    const result = await acquireCacheLock(dir, { onStale: (h) => stale.push(h.pid), onWait: (h) => waits.push(h.pid) });
    expect(result.ok).toBe(true);
    expect(stale).toEqual([pid]);
    expect(waits).toEqual([]);
    if (result.ok) await result.lock.release();
  });

  it('treats a lock from another host as live while its heartbeat is fresh', async () => {
    const dir = cacheDir();
    writeFileSync(lockFileOf(dir), JSON.stringify({ pid: 1, host: 'elsewhere', since: 1, token: 'remote' }));
    const controller = new AbortController();
    const waits: string[] = [];
    const pending = acquireCacheLock(dir, { pollMs: 10, signal: controller.signal, onWait: (h) => waits.push(h.host) });
    await new Promise((r) => setTimeout(r, 60));
    controller.abort();
    expect(await pending).toEqual({ ok: false, reason: 'aborted' });
    expect(waits).toEqual(['elsewhere']);
  });

  it('does not remove a lock it no longer holds', async () => {
    const dir = cacheDir();
    const first = await acquireCacheLock(dir);
    if (!first.ok) throw new Error('lock failed');
    writeFileSync(lockFileOf(dir), JSON.stringify({ pid: process.pid, host: hostname(), since: 2, token: 'someone-else' }));
    await first.lock.release();
    expect(existsSync(lockFileOf(dir))).toBe(true);
  });
});
