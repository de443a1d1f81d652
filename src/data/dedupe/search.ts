/**
 * Sub-quadratic candidate search (docs/dedupe.md): multi-index hashing. Each 64-bit hash is cut
 * into four 16-bit chunks and every image is filed under each chunk's value; two hashes within
 * Hamming distance r share a chunk within ⌊r/4⌋ bits (pigeonhole), so probing every chunk value
 * at distance ≤ 1 finds every pair within 7 bits. Both hashes are indexed, so a pair that one
 * hash misses the other may still catch. Candidates are then filtered by full Hamming distance.
 */

/** Hashes of n images: [phashHi, phashLo, dhashHi, dhashLo] per image. */
export type HashTable = Uint32Array;

export interface SearchOptions {
  /** Largest Hamming distance of a candidate, per hash (≤ 7 keeps the search exact). */
  readonly radius: number;
  /** Skip a probed bucket larger than this (degenerate images all sharing a chunk). */
  readonly maxBucket?: number;
  /** Candidates kept per image, nearest first (default 32). */
  readonly perImage?: number;
}

export const DEFAULT_PER_IMAGE = 32;

export function popcount32(x: number): number {
  x -= (x >>> 1) & 0x55555555;
  x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
  return (((x + (x >>> 4)) & 0x0f0f0f0f) * 0x01010101) >>> 24;
}

function chunk(table: HashTable, i: number, hash: 0 | 1, c: number): number {
  const word = table[i * 4 + hash * 2 + (c >> 1)]!;
  return c % 2 === 0 ? word >>> 16 : word & 0xffff;
}

interface ChunkIndex {
  readonly offsets: Uint32Array;
  readonly items: Uint32Array;
}

/** Counting sort of all images by one chunk's value. */
function buildIndex(table: HashTable, n: number, hash: 0 | 1, c: number): ChunkIndex {
  const offsets = new Uint32Array(65537);
  for (let i = 0; i < n; i++) offsets[chunk(table, i, hash, c) + 1]!++;
  for (let v = 0; v < 65536; v++) offsets[v + 1]! += offsets[v]!;
  const fill = offsets.slice(0, 65536);
  const items = new Uint32Array(n);
  for (let i = 0; i < n; i++) items[fill[chunk(table, i, hash, c)]!++] = i;
  return { offsets, items };
}

export function hamming(table: HashTable, i: number, j: number, hash: 0 | 1): number {
  const a = i * 4 + hash * 2;
  const b = j * 4 + hash * 2;
  return popcount32((table[a]! ^ table[b]!) >>> 0) + popcount32((table[a + 1]! ^ table[b + 1]!) >>> 0);
}

/**
 * Pairs within `radius` bits on the DCT hash or on the difference hash, each once, as a flat
 * [i, j, i, j, …] array sorted by i then j. Each image keeps at most `perImage` candidates, its
 * nearest by the sum of both distances: chest images' hashes are so alike that without the cap
 * a large set has a sizeable share of all pairs as candidates (docs/dedupe.md, "Limits").
 */
export function candidatePairs(table: HashTable, options: SearchOptions): Uint32Array {
  const n = table.length / 4;
  const maxBucket = options.maxBucket ?? Math.max(2000, Math.ceil(n / 20));
  const cap = options.perImage ?? DEFAULT_PER_IMAGE;
  const indexes = ([0, 1] as const).flatMap((hash) => [0, 1, 2, 3].map((c) => ({ hash, c, index: buildIndex(table, n, hash, c) })));
  const found = new Set<number>();
  const seen = new Map<number, number>();
  for (let i = 0; i < n; i++) {
    seen.clear();
    for (const { hash, c, index } of indexes) {
      const v = chunk(table, i, hash, c);
      for (let bit = -1; bit < 16; bit++) {
        const probe = bit < 0 ? v : v ^ (1 << bit);
        const from = index.offsets[probe]!;
        const to = index.offsets[probe + 1]!;
        if (to - from > maxBucket) continue;
        for (let k = from; k < to; k++) {
          const j = index.items[k]!;
          if (j === i || seen.has(j)) continue;
          const dp = hamming(table, i, j, 0);
          const dd = hamming(table, i, j, 1);
          seen.set(j, dp <= options.radius || dd <= options.radius ? dp + dd : -1);
        }
      }
    }
    const near = [...seen].filter(([, d]) => d >= 0).sort((x, y) => x[1] - y[1] || x[0] - y[0]);
    for (const [j] of near.slice(0, cap)) found.add(Math.min(i, j) * n + Math.max(i, j));
  }
  const keys = [...found].sort((a, b) => a - b);
  const out = new Uint32Array(keys.length * 2);
  keys.forEach((key, k) => {
    out[2 * k] = Math.floor(key / n);
    out[2 * k + 1] = key % n;
  });
  return out;
}
