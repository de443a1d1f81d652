// Measuring helpers shared by bench/lib/dedupe-search.ts and its child process.
import { Worker } from 'node:worker_threads';
import { COEFFS, VIEWS } from '../../src/data/dedupe/signature.ts';

export const SAMPLED = 100;

/** For SAMPLED seeded images, the share of their exact `k` nearest per view (brute force) among `pairs`. */
export function sampledRecall(table: Float32Array, n: number, pairs: Set<number>, k: number): number {
  const d = VIEWS * COEFFS;
  let found = 0;
  let total = 0;
  const dist = new Float64Array(n);
  const ids = new Int32Array(n);
  for (let q = 0; q < SAMPLED; q++) {
    const i = (q * 7919 + 13) % n;
    for (let v = 0; v < VIEWS; v++) {
      for (let j = 0; j < n; j++) {
        let s = 0;
        for (let c = 0; c < COEFFS; c++) s += (table[i * d + v * COEFFS + c]! - table[j * d + v * COEFFS + c]!) ** 2;
        dist[j] = j === i ? Infinity : s;
        ids[j] = j;
      }
      const nearest = Array.from(ids).sort((x, y) => dist[x]! - dist[y]! || x - y).slice(0, k);
      for (const j of nearest) {
        total++;
        if (pairs.has(pairKey(i, j))) found++;
      }
    }
  }
  return found / total;
}

/** One number for the unordered pair {a, b} (indices below 2^20). */
export const pairKey = (a: number, b: number): number => Math.min(a, b) * 2 ** 20 + Math.max(a, b);

/** The keys of a search's pairs (each written smaller index first). */
export function pairSet(pairs: Uint32Array): Set<number> {
  const out = new Set<number>();
  for (let k = 0; k < pairs.length; k += 2) out.add(pairKey(pairs[k]!, pairs[k + 1]!));
  return out;
}

/**
 * Peak RSS, sampled every 10 ms on a thread of its own: the search is synchronous, so a timer
 * on this thread (as before) never fired during it and "peak" was the RSS after it.
 */
export function rssSampler(): { ready: Promise<void>; stop: () => Promise<number> } {
  const peak = new Float64Array(new SharedArrayBuffer(8));
  const code = `const { parentPort, workerData } = require('node:worker_threads');
    const peak = new Float64Array(workerData);
    const tick = () => { const r = process.memoryUsage.rss(); if (r > peak[0]) peak[0] = r; };
    tick(); setInterval(tick, 10); parentPort.postMessage('ready');`;
  const worker = new Worker(code, { eval: true, workerData: peak.buffer });
  const ready = new Promise<void>((resolve) => worker.once('message', () => resolve()));
  return { ready, stop: async () => (await worker.terminate(), peak[0]!) };
}

