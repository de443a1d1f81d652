/**
 * Candidate search (docs/dedupe.md): each image keeps its `perImage` nearest images by the
 * Euclidean distance of its low DCT coefficients, in each of the signature's two views (the
 * centroid window and the body frame, signature.ts); the candidates are the union of those
 * pairs. Up to `exactBelow` images the nearest are found by a full scan (exact). Above it, an
 * index narrows the scan: each coefficient becomes a bit, "above the data set's median of that
 * coefficient" (so bits are balanced over the images compared, and unrelated images differ in
 * about half of them), and every image is filed in `rounds` × 4 tables, each keyed by 14 of the
 * 63 bits (a seeded permutation of the bits cut into four disjoint groups per round). An image
 * scans the images sharing its key in any table. Two codes within 3 bits agree on a whole group
 * of every round (pigeonhole), so every such pair is scanned (a property test checks this
 * against a brute-force scan).
 */
import { COEFFS, VIEWS, type Signature } from './signature.ts';
import { distance, Nearest } from './search-nearest.ts';
import { indexedNearest, type IndexOptions } from './search-index.ts';

export interface SearchOptions extends IndexOptions {
  /** Candidates kept per image and view, nearest first (default 16). */
  readonly perImage?: number;
  /** Up to this many images the scan is exhaustive (default 4,096). */
  readonly exactBelow?: number;
}

export const DEFAULT_PER_IMAGE = 16;

/** All signatures' coefficients, VIEWS × COEFFS float32 per image. */
export function coefficientTable(sigs: readonly Signature[]): Float32Array {
  const out = new Float32Array(sigs.length * VIEWS * COEFFS);
  sigs.forEach((s, i) => out.set(s.coeffs, i * VIEWS * COEFFS));
  return out;
}

/** Each image's nearest in one view by a full scan (exact). */
function exhaustive(table: Float32Array, n: number, view: number, k: number, keep: (i: number, j: number) => void): void {
  const nearest = new Nearest(k);
  for (let i = 0; i < n; i++) {
    nearest.reset();
    for (let j = 0; j < n; j++) if (j !== i) nearest.offer(j, distance(table, i, j, view));
    for (let t = 0; t < nearest.size; t++) keep(i, nearest.ids[t]!);
  }
}

/** Candidate pairs as a flat [i, j, i, j, …] array, i < j, each once, sorted by i then j. */
export function candidatePairs(table: Float32Array, options: SearchOptions = {}): Uint32Array {
  const n = table.length / (VIEWS * COEFFS);
  let keys = new Float64Array(1024);
  let count = 0;
  const keep = (i: number, j: number): void => {
    if (count === keys.length) {
      const grown = new Float64Array(keys.length * 2);
      grown.set(keys);
      keys = grown;
    }
    keys[count++] = Math.min(i, j) * n + Math.max(i, j);
  };
  const k = Math.max(1, options.perImage ?? DEFAULT_PER_IMAGE);
  for (let view = 0; view < VIEWS; view++) {
    if (n <= (options.exactBelow ?? 4096)) exhaustive(table, n, view, k, keep);
    else {
      const ids = indexedNearest(table, n, view, k, options);
      for (let t = 0; t < ids.length; t++) if (ids[t]! >= 0) keep(Math.floor(t / k), ids[t]!);
    }
  }
  const sorted = keys.subarray(0, count).sort();
  const out = new Uint32Array(2 * sorted.length);
  let m = 0;
  for (let k = 0; k < sorted.length; k++) {
    if (k > 0 && sorted[k] === sorted[k - 1]) continue;
    out[m++] = Math.floor(sorted[k]! / n);
    out[m++] = sorted[k]! % n;
  }
  return out.slice(0, m);
}
