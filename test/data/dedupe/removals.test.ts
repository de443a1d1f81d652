/**
 * `dedupe near` removals (docs/dedupe.md): clusters are the connected components of the pairs;
 * `keep first` keeps each cluster's first image in source order, `keep none` removes them all.
 * The expectation is computed here by a plain scan over the same components.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { nearDuplicateRemovals } from '../../../src/data/dedupe/index.ts';

/** Components by repeated relaxation (independent of the union-find in the library). */
function components(n: number, edges: readonly [number, number][]): number[] {
  const label = Array.from({ length: n }, (_, i) => i);
  for (let changed = true; changed; ) {
    changed = false;
    for (const [a, b] of edges) {
      const m = Math.min(label[a]!, label[b]!);
      if (label[a] !== m || label[b] !== m) {
        label[a] = label[b] = m;
        changed = true;
      }
    }
  }
  return label;
}

describe('near-duplicate removals', () => {
  it('keep first keeps the first image of each cluster in source order; keep none removes every member', () => {
    fc.assert(
      fc.property(fc.integer({ min: 2, max: 30 }), fc.array(fc.tuple(fc.nat(), fc.nat()), { maxLength: 20 }), fc.array(fc.nat(), { minLength: 30, maxLength: 30 }), (n, raw, ranks) => {
        const edges = raw.map(([x, y]) => [x % n, y % n] as [number, number]).filter(([a, b]) => a !== b).map(([a, b]) => [Math.min(a, b), Math.max(a, b)] as [number, number]);
        const pairs = edges.map(([a, b]) => ({ a, b, similarity: 0.97 }));
        const rank = ranks.slice(0, n);
        const label = components(n, edges);
        const inPair = new Set(edges.flat());
        const firstOf = new Map<number, number>();
        for (let i = 0; i < n; i++) {
          if (!inPair.has(i)) continue;
          const f = firstOf.get(label[i]!);
          if (f === undefined || rank[i]! < rank[f]! || (rank[i] === rank[f] && i < f)) firstOf.set(label[i]!, i);
        }
        const first = nearDuplicateRemovals(n, pairs, 'first', rank).map((r) => r.index).sort((x, y) => x - y);
        const expectFirst = [...inPair].filter((i) => firstOf.get(label[i]!) !== i).sort((x, y) => x - y);
        expect(first).toEqual(expectFirst);
        const none = nearDuplicateRemovals(n, pairs, 'none', rank).map((r) => r.index).sort((x, y) => x - y);
        expect(none).toEqual([...inPair].sort((x, y) => x - y));
      }),
      { numRuns: 200 },
    );
  });

  it('names the kept image each removed copy belongs to, in source order', () => {
    // images 0..3; 3 (rank 0) is the first in source order, 0 and 1 copy it
    const removals = nearDuplicateRemovals(4, [{ a: 0, b: 3, similarity: 0.99 }, { a: 1, b: 3, similarity: 0.96 }], 'first', [5, 6, 7, 0]);
    expect(removals).toEqual([
      { index: 0, first: 3, similarity: 0.99 },
      { index: 1, first: 3, similarity: 0.96 },
    ]);
  });
});
