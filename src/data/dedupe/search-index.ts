/**
 * The candidate index for large sets (search.ts, docs/dedupe.md): approximate k nearest per view.
 * 1. The view's coefficients are projected on their `lead` leading principal axes (search-pca.ts).
 * 2. A forest of `trees` randomised k-d trees on those coordinates (search-forest.ts): each
 *    image's first candidates are its leaf mates in every tree.
 * 3. `refine` rounds of neighbour-of-neighbour search: an image's new candidates are its current
 *    neighbours' neighbours and the images that list it (a near pair one tree separates is
 *    usually reached through a common neighbour).
 * Every candidate's distance is the full one over the 63 coefficients (float32 sums in wasm
 * SIMD, search-simd.ts), computed only when the
 * partial distance over the principal coordinates, a lower bound, does not already exceed the
 * image's current k-th; so each list holds the true k nearest among the images it scanned.
 * Each image's list depends only on the forest and the previous round's lists, never on the
 * order images are processed in.
 */
import { Nearest } from './search-nearest.ts';
import { simdDistances, type Distances } from './search-simd.ts';
import { COEFFS, VIEWS } from './signature.ts';
import { principalAxes, project } from './search-pca.ts';
import { buildTree, type Tree } from './search-forest.ts';

export interface IndexOptions {
  /** k-d trees (default 8). */
  readonly trees?: number;
  /** Images per leaf at most (default 32). */
  readonly leaf?: number;
  /** Principal coordinates the trees cut and the lower bound uses (default 16; a multiple of 4). */
  readonly lead?: number;
  /** Neighbours whose lists a refinement round scans (default: all k). */
  readonly hops?: number;
  /** Use wasm SIMD where the runtime has it (default true; false: the bit-identical JavaScript reference). */
  readonly simd?: boolean;
  /** Neighbour-of-neighbour rounds (default 1). */
  readonly refine?: number;
}

/** A full row in the distance memory: 63 coefficients and a zero. */
const ROW_BYTES = 256;

/** Rounding slack of the lower bound (float32 coordinates against float64 sums). */
const SLACK = 1 + 1e-4;

interface Scan {
  readonly d: Distances;
  /** Byte offset of the lead rows in d's memory, and a lead row's bytes. */
  readonly leadBase: number;
  readonly leadBytes: number;
  readonly nearest: Nearest;
  readonly stamp: Int32Array;
  readonly hops: number;
}

/** Offers j to image i's list unless already seen for i or the lower bound rules it out. */
function consider(s: Scan, i: number, j: number): void {
  if (s.stamp[j] === i) return;
  s.stamp[j] = i;
  const { nearest } = s;
  const bound = nearest.size === nearest.k ? nearest.dist[nearest.k - 1]! * SLACK : Infinity;
  const d = s.d.bounded(s.leadBase + i * s.leadBytes, s.leadBase + j * s.leadBytes, i * ROW_BYTES, j * ROW_BYTES, bound);
  if (d <= bound) nearest.offer(j, d);
}

/** Copies image i's list into row i of `ids` (−1 where fewer than k were found). */
function store(nearest: Nearest, ids: Int32Array, i: number): void {
  const k = nearest.k;
  ids.fill(-1, i * k, (i + 1) * k);
  ids.set(nearest.ids.subarray(0, nearest.size), i * k);
}

/** First lists: each image's leaf mates in every tree. */
function fromForest(s: Scan, n: number, forest: readonly Tree[], ids: Int32Array): void {
  for (let i = 0; i < n; i++) {
    s.nearest.reset();
    s.stamp[i] = i;
    for (const { order, start, end } of forest) {
      for (let p = start[i]!, e = end[i]!; p < e; p++) consider(s, i, order[p]!);
    }
    store(s.nearest, ids, i);
  }
}

/** Who lists whom: for each image, the images whose row of `ids` holds it (CSR). */
function reverse(ids: Int32Array, n: number, k: number): { offsets: Int32Array; items: Int32Array } {
  const offsets = new Int32Array(n + 1);
  for (let t = 0; t < n * k; t++) if (ids[t]! >= 0) offsets[ids[t]! + 1]!++;
  for (let i = 0; i < n; i++) offsets[i + 1]! += offsets[i]!;
  const fill = offsets.slice(0, n);
  const items = new Int32Array(offsets[n]!);
  for (let t = 0; t < n * k; t++) if (ids[t]! >= 0) items[fill[ids[t]!]!++] = Math.floor(t / k);
  return { offsets, items };
}

/** One round: each image rescans its list, its neighbours' lists and the images listing it. */
function refineRound(s: Scan, n: number, ids: Int32Array): Int32Array {
  const k = s.nearest.k;
  const rev = reverse(ids, n, k);
  const out = new Int32Array(n * k);
  for (let i = 0; i < n; i++) {
    s.nearest.reset();
    s.stamp[i] = i;
    for (let t = i * k; t < (i + 1) * k; t++) {
      const u = ids[t]!;
      if (u < 0) break;
      consider(s, i, u);
    }
    for (let p = rev.offsets[i]!; p < rev.offsets[i + 1]!; p++) consider(s, i, rev.items[p]!);
    for (let t = i * k; t < i * k + s.hops; t++) {
      const u = ids[t]!;
      if (u < 0) break;
      for (let q = u * k; q < (u + 1) * k; q++) {
        const v = ids[q]!;
        if (v < 0) break;
        if (v !== i) consider(s, i, v);
      }
    }
    store(s.nearest, out, i);
  }
  return out;
}

/**
 * The view's rows (padded to 64 floats) and lead coordinates in one distance memory, in the
 * order of the first tree's leaves (`perm[p]` is the image at position p): near images then lie
 * near in memory, which at 100,000 images halves the time lost to cache misses.
 */
function layout(table: Float32Array, n: number, view: number, views: number, lead: number, simd: boolean, first: Float32Array, perm: Int32Array): { d: Distances; coords: Float32Array } {
  const leadBase = n * ROW_BYTES;
  const d = simdDistances(leadBase + n * lead * 4, lead / 4, simd);
  const coords = d.floats.subarray(leadBase / 4, leadBase / 4 + n * lead);
  for (let p = 0; p < n; p++) {
    const i = perm[p]!;
    d.floats.set(table.subarray((i * views + view) * COEFFS, (i * views + view + 1) * COEFFS), p * 64);
    coords.set(first.subarray(i * lead, (i + 1) * lead), p * lead);
  }
  return { d, coords };
}

/**
 * Each image's (approximately) k nearest in one view: n × k ids, nearest first, −1 padded.
 * `packed`: `table` holds only this view's coefficients (the worker's copy, half the memory).
 */
export function indexedNearest(table: Float32Array, n: number, view: number, k: number, options: IndexOptions = {}, packed = false): Int32Array {
  const views = packed ? 1 : VIEWS;
  const column = packed ? 0 : view;
  const lead = Math.min(4 * Math.max(1, Math.round((options.lead ?? 16) / 4)), 64);
  const leaf = Math.max(2, options.leaf ?? 32);
  const seed = (t: number): number => 0x5eed + 7919 * t + 104729 * view;
  const first = project(table, n, column, principalAxes(table, n, column, lead, views), views);
  const tree0 = buildTree(first, n, lead, leaf, seed(0));
  const perm = tree0.order;
  const { d, coords } = layout(table, n, column, views, lead, options.simd ?? true, first, perm);
  // in the new order, tree 0's leaves are the contiguous runs its starts and ends name
  const forest: Tree[] = [{ order: Int32Array.from({ length: n }, (_, p) => p), start: Int32Array.from(perm, (i) => tree0.start[i]!), end: Int32Array.from(perm, (i) => tree0.end[i]!) }];
  for (let t = 1; t < (options.trees ?? 8); t++) forest.push(buildTree(coords, n, lead, leaf, seed(t)));
  const s: Scan = { d, leadBase: n * ROW_BYTES, leadBytes: lead * 4, nearest: new Nearest(k), stamp: new Int32Array(n).fill(-1), hops: Math.min(k, options.hops ?? k) };
  let ids: Int32Array = new Int32Array(n * k);
  fromForest(s, n, forest, ids);
  for (let r = 0; r < (options.refine ?? 1); r++) {
    s.stamp.fill(-1);
    ids = refineRound(s, n, ids);
  }
  const out = new Int32Array(n * k);
  for (let p = 0; p < n; p++) for (let t = 0; t < k; t++) out[perm[p]! * k + t] = ids[p * k + t]! < 0 ? -1 : perm[ids[p * k + t]!]!;
  return out;
}
