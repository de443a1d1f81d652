import { describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { compareLocks, defaultLockPath, readLockFile } from '../../src/plan/index.ts';
import { roleLabel } from '../../src/plan/lock.ts';
import { ROLE } from '../../src/data/split.ts';
import type { LockedFile, PipelineLock } from '../../src/plan/index.ts';

function lock(files: Record<string, LockedFile[]>, extra: Partial<PipelineLock> = {}): PipelineLock {
  return {
    seed: 1,
    task: ['NCV', 'CVP'],
    metadataOnly: false,
    split: { form: 'kfold', folds: ['fold1', 'fold2'], assignmentHash: 'a' },
    sources: Object.fromEntries(Object.entries(files).map(([name, list]) => [name, { images: list.length, listHash: JSON.stringify(list), files: list }])),
    ...extra,
  };
}

const f = (id: string, label = 'NORMAL', hash: string | null = `h-${id}`): LockedFile => [id, label, null, null, hash];

describe('compareLocks', () => {
  it('finds nothing when nothing changed', () => {
    const a = lock({ cxri: [f('a.png'), f('b.png')] });
    expect(compareLocks('p', a, a, 'p.lock.json')).toEqual([]);
  });

  it('names added, removed, relabelled and rewritten images per source, and new or gone sources', () => {
    const before = lock({ cxri: [f('a.png'), f('b.png'), f('c.png')], cidc: [f('x.png')] });
    const after = lock({ cxri: [f('a.png', 'PNEUMONIA'), f('c.png', 'NORMAL', 'other'), f('d.png')], padchest: [f('y.png')] });
    const found = compareLocks('p', before, after, 'p.lock.json');
    expect(found.every((d) => d.code === 'CVR650' && d.severity === 'error')).toBe(true);
    expect(found.map((d) => [d.data?.['source'], d.data?.['change'] ?? null, d.data?.['first'] ?? null])).toEqual([
      ['cxri', 'added', ['d.png']],
      ['cxri', 'removed', ['b.png']],
      ['cxri', 'relabelled', ['a.png']],
      ['cxri', 'content', ['c.png']],
      ['cidc', null, null],
      ['padchest', null, null],
    ]);
    expect(found[4]!.message).toContain('"cidc" is gone');
    expect(found[5]!.message).toContain('"padchest" is new');
  });

  it('does not compare contents when one side was locked without reading images', () => {
    const before = lock({ cxri: [f('a.png')] });
    const after = lock({ cxri: [f('a.png', 'NORMAL', null)] }, { metadataOnly: true });
    expect(compareLocks('p', before, after, 'l')).toEqual([]);
  });

  it('reports a changed seed, and a changed assignment with the same data and seed', () => {
    const a = lock({ cxri: [f('a.png')] });
    expect(compareLocks('p', a, { ...a, seed: 2 }, 'l').map((d) => d.message)).toEqual(['pipeline p: seed changed: 1 → 2']);
    const moved = compareLocks('p', a, { ...a, split: { ...a.split, assignmentHash: 'b' } }, 'l');
    expect(moved.map((d) => d.message)).toEqual([expect.stringContaining('split assignment changed')]);
  });
});

describe('image roles (lock version 2)', () => {
  it('labels a role by partition with one fold, by tested and validating folds with several', () => {
    const one = { folds: [{ index: 0, name: 'holdout', roles: Uint8Array.from([ROLE.train, ROLE.val, ROLE.test]), validationIsTest: false }] };
    expect([0, 1, 2].map((i) => roleLabel(one, i))).toEqual(['train', 'val', 'test']);
    const fold = (index: number, roles: number[]) => ({ index, name: `fold${index + 1}`, roles: Uint8Array.from(roles), validationIsTest: false });
    const k = { folds: [fold(0, [ROLE.test, ROLE.val, ROLE.none]), fold(1, [ROLE.val, ROLE.test, ROLE.train])] };
    expect([0, 1, 2].map((i) => roleLabel(k, i))).toEqual(['fold1 val:fold2', 'fold2 val:fold1', 'untested']);
  });

  it('names the images that moved when the assignment changed with the same data and seed', () => {
    const a = lock({ cxri: [f('a.png'), f('b.png')] }, { split: { form: 'kfold', folds: ['fold1', 'fold2'], assignmentHash: 'a', roles: { cxri: { 'a.png': 'fold1', 'b.png': 'fold2' } } } });
    const b = { ...a, split: { ...a.split, assignmentHash: 'b', roles: { cxri: { 'a.png': 'fold2', 'b.png': 'fold2' } } } };
    expect(compareLocks('p', a, b, 'l').map((d) => d.message)).toEqual([expect.stringMatching(/1 image\(s\) moved: "cxri\/a\.png fold1 → fold2"$/)]);
  });

  it('still reads version 1 lock files (no roles), so `cvr audit --frozen` keeps working on them', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cvr-lockv1-'));
    try {
      const file = join(dir, 'old.lock.json');
      writeFileSync(file, JSON.stringify({ lockVersion: 1, versions: { cvr: '0.1.0', node: 'v20' }, pipelines: { p: lock({ cxri: [f('a.png')] }) } }));
      const read = await readLockFile(file);
      expect('lock' in read && read.lock.lockVersion).toBe(1);
      writeFileSync(file, JSON.stringify({ lockVersion: 99, pipelines: {} }));
      expect('diagnostic' in (await readLockFile(file))).toBe(true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('defaultLockPath', () => {
  it.each([
    ['pipelines/a.cvr', 'pipelines/a.lock.json'],
    ['x', 'x.lock.json'],
  ])('%s → %s', (file, expected) => expect(defaultLockPath(file)).toBe(expected));
});
