import { describe, expect, it } from 'vitest';
import { synthesize } from '../../../src/data/synth/index.ts';
import { hashTree, tempDir } from './helpers.ts';

describe('cvr synth determinism', () => {
  it('writes byte-identical files for the same seed, and different ones for another seed', async () => {
    const [a, b, c] = await Promise.all([tempDir('a'), tempDir('b'), tempDir('c')]);
    for (const out of [a, b]) expect((await synthesize({ preset: 'tiny', out, seed: 42, corrupt: 4 })).ok).toBe(true);
    const other = await synthesize({ preset: 'tiny', out: c, seed: 43, corrupt: 4 });
    if (!other.ok) throw new Error(other.message);
    const planted = new Set(other.summary.corrupt.map((p) => p.file));
    const [ha, hb, hc] = await Promise.all([hashTree(a), hashTree(b), hashTree(c)]);
    expect(ha.size).toBeGreaterThan(48);
    expect([...hb]).toEqual([...ha]);
    // another seed: as many files (patients may group differently), none of the same images
    expect(hc.size).toBe(ha.size);
    const seen = new Set([...ha].filter(([f]) => f.endsWith('.png')).map(([, h]) => h));
    // (the planted non-images and empty files are the same bytes under any seed)
    const shared = [...hc].filter(([f, h]) => f.endsWith('.png') && !planted.has(f) && seen.has(h));
    expect(shared).toEqual([]);
  });

  it('does not depend on the write concurrency or on rendering in worker threads', async () => {
    const [a, b, c] = await Promise.all([tempDir('c1'), tempDir('c8'), tempDir('w2')]);
    await synthesize({ preset: 'tiny', out: a, seed: 5, concurrency: 1, workers: 0 });
    await synthesize({ preset: 'tiny', out: b, seed: 5, concurrency: 8, workers: 0 });
    await synthesize({ preset: 'tiny', out: c, seed: 5, workers: 2 });
    const ha = [...(await hashTree(a))];
    expect([...(await hashTree(b))]).toEqual(ha);
    expect([...(await hashTree(c))]).toEqual(ha);
  });
});
