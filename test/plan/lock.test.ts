import { describe, expect, it } from 'vitest';
import { compareLocks, defaultLockPath } from '../../src/plan/index.ts';
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

describe('defaultLockPath', () => {
  it.each([
    ['pipelines/a.cvr', 'pipelines/a.lock.json'],
    ['x', 'x.lock.json'],
  ])('%s → %s', (file, expected) => expect(defaultLockPath(file)).toBe(expected));
});
