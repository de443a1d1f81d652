/**
 * A forest of randomised k-d trees over the images' leading principal coordinates
 * (search-pca.ts), for the candidate index (search.ts). Each tree halves its images at the median
 * (of a sample) of one coordinate, drawn (seeded) among the three of largest spread in that node, until at
 * most `leaf` images remain; near images mostly share a leaf, and the trees' different cuts
 * catch the pairs one tree separates. An image's candidates are its leaf mates in every tree.
 */

export interface Tree {
  /** The images, each leaf contiguous. */
  readonly order: Int32Array;
  /** Per image, its leaf's [start, end) in `order`. */
  readonly start: Int32Array;
  readonly end: Int32Array;
}

/** Seeded LCG in [0, 1). */
function lcg(seed: number): () => number {
  let state = seed >>> 0 || 1;
  return () => (state = (Math.imul(state, 1664525) + 1013904223) >>> 0) / 2 ** 32;
}

/** The coordinate to cut [lo, hi) of `order` on: one of the three of largest spread (sampled; ties to the lower). */
function splitAxis(coords: Float32Array, lead: number, order: Int32Array, lo: number, hi: number, rand: () => number): number {
  const step = Math.max(1, Math.floor((hi - lo) / 64));
  let m = 0;
  let best0 = -1, best1 = -1, best2 = -1;
  let s0 = -Infinity, s1 = -Infinity, s2 = -Infinity;
  for (let c = 0; c < lead; c++) {
    let sum = 0;
    let sq = 0;
    m = 0;
    for (let p = lo; p < hi; p += step, m++) {
      const v = coords[order[p]! * lead + c]!;
      sum += v;
      sq += v * v;
    }
    const spread = sq / m - (sum / m) ** 2;
    if (spread > s0) [best2, s2, best1, s1, best0, s0] = [best1, s1, best0, s0, c, spread];
    else if (spread > s1) [best2, s2, best1, s1] = [best1, s1, c, spread];
    else if (spread > s2) [best2, s2] = [c, spread];
  }
  const pick = Math.floor(rand() * Math.min(3, lead));
  return pick === 0 ? best0 : pick === 1 ? best1 : best2;
}

/** The median of an evenly spaced sample of at most 63 values of `axis` in order[lo, hi). */
function samplePivot(coords: Float32Array, lead: number, axis: number, order: Int32Array, lo: number, hi: number): number {
  const m = Math.min(63, hi - lo);
  const sample = new Float32Array(m);
  for (let t = 0; t < m; t++) sample[t] = coords[order[lo + Math.floor((t * (hi - lo)) / m)]! * lead + axis]!;
  return sample.sort()[m >> 1]!;
}

/**
 * Hoare partition of order[lo, hi) about `pivot` on `axis` (one pass; values equal to the pivot
 * fall on both sides): returns the cut, or the middle when one side would be empty.
 */
function partition(coords: Float32Array, lead: number, axis: number, order: Int32Array, lo: number, hi: number, pivot: number): number {
  let i = lo;
  let j = hi - 1;
  while (i <= j) {
    while (i <= j && coords[order[i]! * lead + axis]! < pivot) i++;
    while (i <= j && coords[order[j]! * lead + axis]! > pivot) j--;
    if (i <= j) {
      const t = order[i]!;
      order[i] = order[j]!;
      order[j] = t;
      i++;
      j--;
    }
  }
  return i <= lo || i >= hi ? (lo + hi) >>> 1 : i;
}

/** One tree over n images' `lead` coordinates, cut down to leaves of at most `leaf` images. */
export function buildTree(coords: Float32Array, n: number, lead: number, leaf: number, seed: number): Tree {
  const order = Int32Array.from({ length: n }, (_, i) => i);
  const start = new Int32Array(n);
  const end = new Int32Array(n);
  const rand = lcg(seed);
  const stack: number[] = [0, n];
  while (stack.length > 0) {
    const hi = stack.pop()!;
    const lo = stack.pop()!;
    if (hi - lo <= leaf) {
      for (let p = lo; p < hi; p++) {
        start[order[p]!] = lo;
        end[order[p]!] = hi;
      }
      continue;
    }
    const axis = splitAxis(coords, lead, order, lo, hi, rand);
    const mid = partition(coords, lead, axis, order, lo, hi, samplePivot(coords, lead, axis, order, lo, hi));
    stack.push(lo, mid, mid, hi);
  }
  return { order, start, end };
}
