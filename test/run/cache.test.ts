import { describe, expect, it } from 'vitest';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { NodeCache, resolveCacheDir } from '../../src/run/cache.ts';
import { scratchDirs } from './helpers.ts';

const cacheDirs = scratchDirs('cache');
function cache(): NodeCache {
  return new NodeCache(cacheDirs());
}

const marker = (key: string) => ({ key, id: 'train:m:0', kind: 'train', finishedAt: 1 });

describe('node cache', () => {
  it.each([
    ['the flag first', 'flagged', { CVR_CACHE_DIR: '/env' }, '/work/flagged'],
    ['then CVR_CACHE_DIR', undefined, { CVR_CACHE_DIR: '/env' }, '/env'],
    ['then .cvr-cache in the working folder', undefined, {}, '/work/.cvr-cache'],
    ['an empty CVR_CACHE_DIR counts as unset', undefined, { CVR_CACHE_DIR: '' }, '/work/.cvr-cache'],
  ])('chooses the folder: %s', (_why, flag, env, expected) => {
    expect(resolveCacheDir('/work', flag, env)).toBe(expected);
  });

  it('an entry exists only once committed, with its files, output and marker, and its scratch space is gone', async () => {
    const c = cache();
    const staging = await c.stage('k1');
    writeFileSync(join(staging, 'weights.bin'), 'w');
    mkdirSync(c.workDir('k1'), { recursive: true });
    writeFileSync(join(c.workDir('k1'), 'checkpoint.bin'), 'c');
    expect(await c.has('k1')).toBe(false);
    await c.commit(staging, marker('k1'), { epochs: 3 });
    expect(await c.has('k1')).toBe(true);
    expect(await c.read('k1')).toEqual({ epochs: 3 });
    expect(readFileSync(join(c.entryDir('k1'), 'weights.bin'), 'utf8')).toBe('w');
    expect(existsSync(staging)).toBe(false);
    expect(existsSync(c.workDir('k1'))).toBe(false);
  });

  it('replaces a folder without a marker, and keeps an existing finished entry', async () => {
    const c = cache();
    mkdirSync(c.entryDir('k2'), { recursive: true });
    writeFileSync(join(c.entryDir('k2'), 'output.json'), '"half"');
    await c.commit(await c.stage('k2'), marker('k2'), 'whole');
    expect(await c.read('k2')).toBe('whole');
    await c.commit(await c.stage('k2'), marker('k2'), 'second');
    expect(await c.read('k2')).toBe('whole');
  });

  it('sweeps staging folders left behind', async () => {
    const c = cache();
    const a = await c.stage('k3');
    const b = await c.stage('k4');
    expect(await c.sweepTemp()).toBe(2);
    expect(existsSync(a) || existsSync(b)).toBe(false);
  });
});
