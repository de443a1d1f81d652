/**
 * The candidate search's worker thread (search.ts): one view's index lists (`table` holds that
 * view's coefficients only), written into shared
 * memory; the parent waits on `flag` (1 done, 2 failed), so its `candidatePairs` stays synchronous.
 */
import { workerData } from 'node:worker_threads';
import { indexedNearest, type IndexOptions } from './search-index.ts';

interface Job {
  readonly table: SharedArrayBuffer;
  readonly out: SharedArrayBuffer;
  readonly flag: SharedArrayBuffer;
  readonly n: number;
  readonly view: number;
  readonly k: number;
  readonly options: IndexOptions;
}

const job = workerData as Job;
const flag = new Int32Array(job.flag);
try {
  new Int32Array(job.out).set(indexedNearest(new Float32Array(job.table), job.n, job.view, job.k, job.options, true));
  Atomics.store(flag, 0, 1);
} catch {
  Atomics.store(flag, 0, 2);
}
Atomics.notify(flag, 0);
