/**
 * Candidate search (docs/dedupe.md): each image keeps its `perImage` nearest images by the
 * Euclidean distance of its low DCT coefficients, in each of the signature's two views (the
 * centroid window and the body frame, signature.ts); the candidates are the union of those
 * pairs. Up to `exactBelow` images the nearest are found by a full scan (exact; a property test
 * checks it against brute force). Above it an approximate index (search-index.ts: principal
 * axes, a randomised k-d forest, one neighbour-of-neighbour round, wasm SIMD distances) finds
 * most of them: it guarantees no recall, the bench measures it against the exact scan. Above
 * `workerAbove` images the second view runs on a worker thread; the lists do not depend on it.
 */
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { Worker } from 'node:worker_threads';
import { packageRoot, runsCompiled } from '../../diag/index.ts';
import { COEFFS, VIEWS, type Signature } from './signature.ts';
import { distance, Nearest } from './search-nearest.ts';
import { indexedNearest, type IndexOptions } from './search-index.ts';

export interface SearchOptions extends IndexOptions {
  /** Threads for the index (default 2 where the machine has two cores: the views in parallel). */
  readonly threads?: number;
  /** The index uses a worker thread only above this many images (default 20,000: a worker costs ≈ 0.1–1 s to start). */
  readonly workerAbove?: number;
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

/** Each image's nearest in one view by a full scan (exact): n × k ids, nearest first, −1 padded. */
function exhaustive(table: Float32Array, n: number, view: number, k: number): Int32Array {
  const nearest = new Nearest(k);
  const ids = new Int32Array(n * k).fill(-1);
  for (let i = 0; i < n; i++) {
    nearest.reset();
    for (let j = 0; j < n; j++) if (j !== i) nearest.offer(j, distance(table, i, j, view));
    ids.set(nearest.ids.subarray(0, nearest.size), i * k);
  }
  return ids;
}

/** The union of the lists' pairs as [i, j, …], i < j, each once, sorted by i then j (counting sort by i). */
function pairsOf(lists: readonly Int32Array[], n: number, k: number): Uint32Array {
  const offsets = new Int32Array(n + 1);
  for (const ids of lists) for (let t = 0; t < n * k; t++) if (ids[t]! >= 0) offsets[Math.min(ids[t]!, Math.floor(t / k)) + 1]!++;
  for (let i = 0; i < n; i++) offsets[i + 1]! += offsets[i]!;
  const fill = offsets.slice(0, n);
  const his = new Int32Array(offsets[n]!);
  for (const ids of lists) {
    for (let t = 0; t < n * k; t++) {
      const j = ids[t]!;
      const i = Math.floor(t / k);
      if (j >= 0) his[fill[Math.min(i, j)]!++] = Math.max(i, j);
    }
  }
  const out = new Uint32Array(2 * his.length);
  let m = 0;
  for (let i = 0; i < n; i++) {
    const from = offsets[i]!;
    const to = offsets[i + 1]!;
    // insertion sort: a bucket holds a few dozen
    for (let p = from + 1; p < to; p++) {
      const v = his[p]!;
      let q = p;
      for (; q > from && his[q - 1]! > v; q--) his[q] = his[q - 1]!;
      his[q] = v;
    }
    for (let p = from; p < to; p++) {
      if (p > from && his[p] === his[p - 1]) continue;
      out[m++] = i;
      out[m++] = his[p]!;
    }
  }
  return out.slice(0, m);
}

/**
 * Both views' index lists, the second on a worker thread while this one computes the first
 * (each view's lists are the same whichever thread computes them). This thread blocks on shared
 * memory until the worker is done, so the search stays synchronous; a worker that fails or is
 * not done long after this thread's own view is abandoned and its view computed here.
 */
function indexedViews(table: Float32Array, n: number, k: number, options: SearchOptions): Int32Array[] {
  // the worker's view only: half the table's memory
  const shared = new Float32Array(new SharedArrayBuffer(n * COEFFS * 4));
  for (let i = 0; i < n; i++) shared.set(table.subarray((i * VIEWS + 1) * COEFFS, (i * VIEWS + 2) * COEFFS), i * COEFFS);
  const out = new SharedArrayBuffer(n * k * 4);
  const flag = new Int32Array(new SharedArrayBuffer(4));
  const { threads: _threads, workerAbove: _above, ...index } = options;
  let worker: Worker | undefined;
  try {
    worker = new Worker(join(packageRoot(), runsCompiled() ? 'dist' : 'src', 'data', 'dedupe', 'search-worker.mjs'), {
      workerData: { table: shared.buffer, out, flag: flag.buffer, n, view: 1, k, options: index },
    });
  } catch {
    worker = undefined;
  }
  const started = performance.now();
  const first = indexedNearest(table, n, 0, k, index);
  const own = performance.now() - started;
  if (worker !== undefined) Atomics.wait(flag, 0, 0, 4 * own + 30_000);
  void worker?.terminate();
  return [first, Atomics.load(flag, 0) === 1 ? new Int32Array(out) : indexedNearest(table, n, 1, k, index)];
}

/** Candidate pairs as a flat [i, j, i, j, …] array, i < j, each once, sorted by i then j. */
export function candidatePairs(table: Float32Array, options: SearchOptions = {}): Uint32Array {
  const n = table.length / (VIEWS * COEFFS);
  const k = Math.max(1, options.perImage ?? DEFAULT_PER_IMAGE);
  const exact = n <= (options.exactBelow ?? 4096);
  const threads = options.threads ?? (availableParallelism() > 1 ? 2 : 1);
  const lists = !exact && threads > 1 && n > (options.workerAbove ?? 20_000) ? indexedViews(table, n, k, options) : Array.from({ length: VIEWS }, (_, view) => (exact ? exhaustive(table, n, view, k) : indexedNearest(table, n, view, k, options)));
  return pairsOf(lists, n, k);
}
