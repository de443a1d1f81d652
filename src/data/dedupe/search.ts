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

export interface SearchOptions {
  /** Candidates kept per image and view, nearest first (default 16). */
  readonly perImage?: number;
  /** Up to this many images the scan is exhaustive (default 4,096). */
  readonly exactBelow?: number;
  /** Permutation rounds of the index (4 tables each; default 6). */
  readonly rounds?: number;
  /** Buckets larger than this are scanned only this far (default 48): the guarantee above holds when none is. */
  readonly maxBucket?: number;
}

export const DEFAULT_PER_IMAGE = 16;
const GROUP_BITS = 14;
const GROUPS = 4;

/** All signatures' coefficients, VIEWS × COEFFS float32 per image. */
export function coefficientTable(sigs: readonly Signature[]): Float32Array {
  const out = new Float32Array(sigs.length * VIEWS * COEFFS);
  sigs.forEach((s, i) => out.set(s.coeffs, i * VIEWS * COEFFS));
  return out;
}

/** Squared distance of images i and j in one view. */
function distance(table: Float32Array, i: number, j: number, view: number): number {
  const a = (i * VIEWS + view) * COEFFS;
  const b = (j * VIEWS + view) * COEFFS;
  let s = 0;
  for (let k = 0; k < COEFFS; k++) {
    const d = table[a + k]! - table[b + k]!;
    s += d * d;
  }
  return s;
}

/** The k nearest seen so far of one image: parallel arrays kept sorted by distance, then index. */
class Nearest {
  readonly ids: Int32Array;
  readonly dist: Float64Array;
  size = 0;
  constructor(readonly k: number) {
    this.ids = new Int32Array(k);
    this.dist = new Float64Array(k);
  }
  reset(): void {
    this.size = 0;
  }
  offer(j: number, d: number): void {
    const { ids, dist } = this;
    if (this.size === this.k && (d > dist[this.k - 1]! || (d === dist[this.k - 1]! && j > ids[this.k - 1]!))) return;
    let p = this.size < this.k ? this.size++ : this.k - 1;
    while (p > 0 && (dist[p - 1]! > d || (dist[p - 1]! === d && ids[p - 1]! > j))) {
      dist[p] = dist[p - 1]!;
      ids[p] = ids[p - 1]!;
      p--;
    }
    dist[p] = d;
    ids[p] = j;
  }
}

/**
 * Per image, the bits of one view: bit k is set when coefficient k is above the median of
 * coefficient k over all images (the lower median, sorted[⌊(n − 1) / 2⌋]). As 63 bytes of 0/1.
 */
export function medianBits(table: Float32Array, n: number, view: number): Uint8Array {
  const out = new Uint8Array(n * COEFFS);
  const column = new Float32Array(n);
  for (let k = 0; k < COEFFS; k++) {
    for (let i = 0; i < n; i++) column[i] = table[(i * VIEWS + view) * COEFFS + k]!;
    const median = Float32Array.from(column).sort()[Math.floor((n - 1) / 2)]!;
    for (let i = 0; i < n; i++) out[i * COEFFS + k] = column[i]! > median ? 1 : 0;
  }
  return out;
}

/** The index's bit groups: per round a seeded permutation of the 63 bits, cut into four groups of 14. */
export function bitGroups(rounds: number): number[][] {
  let state = 0x9e3779b9;
  const rand = (): number => (state = (Math.imul(state, 1664525) + 1013904223) >>> 0) / 2 ** 32;
  const out: number[][] = [];
  for (let r = 0; r < rounds; r++) {
    const perm = Array.from({ length: COEFFS }, (_, k) => k);
    for (let k = perm.length - 1; k > 0; k--) {
      const m = Math.floor(rand() * (k + 1));
      [perm[k], perm[m]] = [perm[m]!, perm[k]!];
    }
    for (let g = 0; g < GROUPS; g++) out.push(perm.slice(g * GROUP_BITS, (g + 1) * GROUP_BITS));
  }
  return out;
}

interface Bucketed {
  readonly offsets: Uint32Array;
  readonly items: Uint32Array;
  readonly keys: Uint32Array;
}

/** Counting sort of all images by one group's key. */
function bucketBy(bits: Uint8Array, n: number, group: readonly number[]): Bucketed {
  const keys = new Uint32Array(n);
  for (let i = 0; i < n; i++) {
    let key = 0;
    for (let t = 0; t < group.length; t++) key |= bits[i * COEFFS + group[t]!]! << t;
    keys[i] = key;
  }
  const offsets = new Uint32Array((1 << GROUP_BITS) + 1);
  for (let i = 0; i < n; i++) offsets[keys[i]! + 1]!++;
  for (let v = 0; v < 1 << GROUP_BITS; v++) offsets[v + 1]! += offsets[v]!;
  const fill = offsets.slice(0, 1 << GROUP_BITS);
  const items = new Uint32Array(n);
  for (let i = 0; i < n; i++) items[fill[keys[i]!]!++] = i;
  return { offsets, items, keys };
}

/** Each image's nearest in one view, offered to `keep(i, j)`; exhaustive or through the index. */
function nearestInView(table: Float32Array, n: number, view: number, options: SearchOptions, keep: (i: number, j: number) => void): void {
  const nearest = new Nearest(Math.max(1, options.perImage ?? DEFAULT_PER_IMAGE));
  const exact = n <= (options.exactBelow ?? 4096);
  const bits = exact ? undefined : medianBits(table, n, view);
  const buckets = bits === undefined ? [] : bitGroups(options.rounds ?? 6).map((g) => bucketBy(bits, n, g));
  const maxBucket = options.maxBucket ?? 48;
  const stamp = new Int32Array(n).fill(-1);
  for (let i = 0; i < n; i++) {
    nearest.reset();
    if (exact) {
      for (let j = 0; j < n; j++) if (j !== i) nearest.offer(j, distance(table, i, j, view));
    } else {
      stamp[i] = i;
      for (const { offsets, items, keys } of buckets) {
        const from = offsets[keys[i]!]!;
        const to = Math.min(offsets[keys[i]! + 1]!, from + maxBucket);
        for (let k = from; k < to; k++) {
          const j = items[k]!;
          if (stamp[j] === i) continue;
          stamp[j] = i;
          nearest.offer(j, distance(table, i, j, view));
        }
      }
    }
    for (let k = 0; k < nearest.size; k++) keep(i, nearest.ids[k]!);
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
  for (let view = 0; view < VIEWS; view++) nearestInView(table, n, view, options, keep);
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
