/**
 * A read-only or full disk, a permission denied, too many open files, a cache folder deleted
 * during the run: exit 1 with a coded diagnostic naming the path (never exit 3 and a stack trace),
 * nothing half-written in the cache, and a rerun after the fix resumes to a clean run's metrics.
 * The faults are injected at cvr's one write seam (write-atomic.ts): the tests run as root, for
 * whom `chmod` makes nothing read-only.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { existsSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { errnoError, setWriteFault, type WriteOp } from '../../src/data/write-atomic.ts';
import { useTinyProject } from './fixtures/tiny-project.ts';

let dir = '';
let reference: unknown;
const cvrRun = useTinyProject('env-faults', 'metrics accuracy', (made) => ({ dir, reference } = made));

/** Every file below `root`, relative. */
function filesBelow(root: string): string[] {
  if (!existsSync(root)) return [];
  const out: string[] = [];
  const walk = (d: string): void => {
    for (const name of readdirSync(d)) {
      const p = join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else out.push(relative(root, p));
    }
  };
  walk(root);
  return out;
}

/** Nothing half-written: no temporary files, no staging folders, every entry folder finished. */
function expectNothingHalfWritten(cache: string): void {
  const root = join(dir, cache);
  const files = filesBelow(root);
  expect(files.filter((f) => f.endsWith('.tmp'))).toEqual([]);
  expect(files.filter((f) => f.startsWith('tmp/'))).toEqual([]);
  if (existsSync(join(root, 'nodes'))) {
    for (const key of readdirSync(join(root, 'nodes'))) expect(existsSync(join(root, 'nodes', key, 'finished')), key).toBe(true);
  }
}

afterEach(() => setWriteFault(undefined));

describe('environment faults are diagnostics', () => {
  it('a read-only cache: exit 1, CVR854 naming the cache, nothing written; a writable rerun runs', { timeout: 120_000 }, async () => {
    const cache = join(dir, 'ro');
    setWriteFault((_op, path) => {
      if (path.startsWith(cache)) throw errnoError('EROFS', path, 'mkdir');
    });
    const failed = await cvrRun('ro');
    expect(failed.code, failed.output).toBe(1);
    expect(failed.output).toContain('error[CVR854]');
    expect(failed.output).toContain(cache);
    expect(failed.output).toMatch(/--cache DIR/);
    expect(failed.output).not.toMatch(/internal error|at .*\.ts:\d+/);
    expectNothingHalfWritten('ro');
    setWriteFault(undefined);
    const rerun = await cvrRun('ro');
    expect(rerun.code, rerun.output).toBe(0);
    expect(rerun.metrics).toEqual(reference);
  });

  // [errno, code, the write that fails, which matching write fails]: some nodes are committed
  // before it, the rest must follow on the rerun.
  const midRun: readonly (readonly [string, string, WriteOp, RegExp, number])[] = [
    ['ENOSPC', 'CVR855', 'write', /weights\.bin$/, 1],
    ['EDQUOT', 'CVR855', 'write', /output\.json$/, 3],
    ['EACCES', 'CVR856', 'rename', /nodes\/[0-9a-f]+$/, 2],
    ['EMFILE', 'CVR857', 'write', /\.shard$/, 2],
    ['EIO', 'CVR859', 'write', /finished$/, 3],
  ];
  it.each(midRun)('%s in the middle of a run: exit 1 with %s, nothing half-written, and the rerun resumes', { timeout: 120_000 }, async (errno, code, op, pattern, nth) => {
    const cache = `mid-${errno}`;
    let hits = 0;
    setWriteFault((kind, path) => {
      if (kind === op && pattern.test(path) && path.startsWith(join(dir, cache)) && ++hits === nth) throw errnoError(errno, path, kind);
    });
    const failed = await cvrRun(cache);
    expect(failed.code, failed.output).toBe(1);
    expect(failed.output).toContain(`[${code}]`);
    expect(failed.output).toContain(join(dir, cache));
    expect(failed.output).not.toMatch(/internal error|this is a bug/);
    expectNothingHalfWritten(cache);
    setWriteFault(undefined);
    const rerun = await cvrRun(cache);
    expect(rerun.code, rerun.output).toBe(0);
    expect(rerun.output).toMatch(/^\S+ cached +scan:a/m);
    expect(rerun.metrics).toEqual(reference);
  });

  it('the cache folder deleted during the run: exit 1 with CVR858, and a rerun rebuilds it', { timeout: 120_000 }, async () => {
    const cache = join(dir, 'vanishing');
    setWriteFault((op, path) => {
      if (op === 'write' && path.endsWith('weights.bin') && path.startsWith(cache)) rmSync(cache, { recursive: true, force: true });
    });
    const failed = await cvrRun('vanishing');
    expect(failed.code, failed.output).toBe(1);
    expect(failed.output).toContain('[CVR858]');
    expect(failed.output).not.toMatch(/internal error|this is a bug/);
    setWriteFault(undefined);
    const rerun = await cvrRun('vanishing');
    expect(rerun.code, rerun.output).toBe(0);
    expect(rerun.metrics).toEqual(reference);
    expect(readFileSync(join(cache, 'file-hashes.json'), 'utf8')).toMatch(/^\{"v":2,/);
  });
});
