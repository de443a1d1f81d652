/**
 * Near-duplicate pairs among signatures: candidates from the hash index (search.ts), each
 * verified at the pixel level (verify.ts) against the threshold.
 */
import type { Signature } from './signature.ts';
import { candidatePairs, coefficientTable } from './search.ts';
import { prepareThumb, similarity, type Prepared } from './verify.ts';

/**
 * The near-duplicate method's version, part of the audit's and a deduplicating split's keys:
 * bumped when the same signatures can verify to other pairs (2: local agreement and the finer
 * alignment), so a cached audit computed the old way is not read back.
 */
export const NEAR_METHOD = 2;

/** Default verification threshold (language.md's `dedupe near { threshold 0.95 }`). */
export const DEFAULT_THRESHOLD = 0.95;

export interface NearPair {
  /** Indices into the signature list, a < b. */
  readonly a: number;
  readonly b: number;
  readonly similarity: number;
}

export interface NearOptions {
  readonly threshold?: number;
  /** Candidates kept per image and view (search.ts). */
  readonly perImage?: number;
}

/** Every verified pair, sorted by similarity (highest first), then by indices. */
export function nearDuplicatePairs(sigs: readonly Signature[], options: NearOptions = {}): NearPair[] {
  const threshold = options.threshold ?? DEFAULT_THRESHOLD;
  const candidates = candidatePairs(coefficientTable(sigs), options.perImage === undefined ? {} : { perImage: options.perImage });
  const prepared = new Map<number, Prepared>();
  const of = (i: number): Prepared => {
    let p = prepared.get(i);
    if (p === undefined) {
      p = prepareThumb(sigs[i]!.thumb);
      prepared.set(i, p);
    }
    return p;
  };
  const out: NearPair[] = [];
  for (let k = 0; k < candidates.length; k += 2) {
    const a = candidates[k]!;
    const b = candidates[k + 1]!;
    const first = similarity(of(a), of(b));
    const s = first >= threshold ? first : Math.max(first, similarity(of(b), of(a)));
    if (s >= threshold) out.push({ a, b, similarity: s });
  }
  return out.sort((x, y) => y.similarity - x.similarity || x.a - y.a || x.b - y.b);
}

/** Connected components of the pairs with more than one member, each sorted, by first member. */
export function clustersOf(n: number, pairs: readonly NearPair[]): number[][] {
  const parent = Int32Array.from({ length: n }, (_, i) => i);
  const find = (i: number): number => {
    while (parent[i] !== i) {
      parent[i] = parent[parent[i]!]!;
      i = parent[i]!;
    }
    return i;
  };
  for (const p of pairs) {
    const ra = find(p.a);
    const rb = find(p.b);
    if (ra !== rb) parent[Math.max(ra, rb)] = Math.min(ra, rb);
  }
  const groups = new Map<number, number[]>();
  for (const p of pairs) {
    for (const i of [p.a, p.b]) {
      const r = find(i);
      const g = groups.get(r) ?? [];
      if (!g.includes(i)) g.push(i);
      groups.set(r, g);
    }
  }
  return [...groups.values()].map((g) => g.sort((x, y) => x - y)).sort((x, y) => x[0]! - y[0]!);
}
