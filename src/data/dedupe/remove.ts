/**
 * `dedupe near { threshold T  keep first|none }` (docs/dedupe.md): which images a set of
 * verified near-duplicate pairs removes. Pairs are joined into clusters (connected components);
 * `keep first` keeps each cluster's first image in the given order (source order) and removes
 * the later copies, `keep none` removes every member. Pure: the caller supplies the order and
 * books the removals in the ledger.
 */
import type { NearPair } from './near.ts';
import { clustersOf } from './near.ts';

export interface Removal {
  /** The removed image (an index into the list the pairs refer to). */
  readonly index: number;
  /** The cluster's first image in order (kept with `keep first`). */
  readonly first: number;
  /** The highest similarity of the removed image to any cluster member. */
  readonly similarity: number;
}

/**
 * `rank[i]`: image i's position in source order (lower comes first). Returns the removals,
 * sorted by rank.
 */
export function nearDuplicateRemovals(n: number, pairs: readonly NearPair[], keep: 'first' | 'none', rank: ArrayLike<number>): Removal[] {
  const best = new Float64Array(n);
  for (const p of pairs) {
    best[p.a] = Math.max(best[p.a]!, p.similarity);
    best[p.b] = Math.max(best[p.b]!, p.similarity);
  }
  const out: Removal[] = [];
  for (const cluster of clustersOf(n, pairs)) {
    const ordered = [...cluster].sort((x, y) => rank[x]! - rank[y]! || x - y);
    const first = ordered[0]!;
    for (const i of keep === 'first' ? ordered.slice(1) : ordered) out.push({ index: i, first, similarity: best[i]! });
  }
  return out.sort((x, y) => rank[x.index]! - rank[y.index]! || x.index - y.index);
}
