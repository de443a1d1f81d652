/**
 * The search part of `npm run -s bench -- dedupe` (docs/dedupe.md, "Measured"):
 * - candidate recall on the planted set: the share of planted copies whose pair with their
 *   original is a candidate, and candidates per image;
 * - the index's recall against the exhaustive scan, on the real signatures (the index forced on);
 * - search time (wall and CPU), candidate pairs and peak RSS over `n` synthetic signatures, and
 *   the index's recall there against brute force for `SAMPLED` seeded query images (the share of
 *   their exact 16 nearest per view that are candidate pairs).
 *   They are derived from the real phantom signatures, not uniform random: signature i is real
 *   signature i mod m with each coefficient jittered by seeded Gaussian noise of `JITTER` times
 *   that coefficient's standard deviation over the real set. So about n / m signatures cluster
 *   around each real image (as many near-copies as a large set's worst cluster), and the bits'
 *   balance and correlations are the real ones.
 */
import { performance } from 'node:perf_hooks';
import { loadavg } from 'node:os';
import { Worker } from 'node:worker_threads';
import { candidatePairs, coefficientTable, DEFAULT_PER_IMAGE, type SearchOptions } from '../../src/data/dedupe/search.ts';
import { COEFFS, VIEWS, type Signature } from '../../src/data/dedupe/signature.ts';

const JITTER = 0.15;
const SAMPLED = 100;

/** For SAMPLED seeded images, the share of their exact `k` nearest per view (brute force) among `pairs`. */
function sampledRecall(table: Float32Array, n: number, pairs: Set<number>, k: number): number {
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
        if (pairs.has(Math.min(i, j) * 2 ** 20 + Math.max(i, j))) found++;
      }
    }
  }
  return found / total;
}

function pairSet(pairs: Uint32Array): Set<number> {
  const out = new Set<number>();
  for (let k = 0; k < pairs.length; k += 2) out.add(pairs[k]! * 2 ** 20 + pairs[k + 1]!);
  return out;
}

/** n synthetic coefficient rows around the real ones (see above), seeded. */
export function syntheticTable(real: Float32Array, m: number, n: number, seed = 12345): Float32Array {
  const d = VIEWS * COEFFS;
  const sd = new Float64Array(d);
  const mean = new Float64Array(d);
  for (let i = 0; i < m; i++) for (let k = 0; k < d; k++) mean[k]! += real[i * d + k]! / m;
  for (let i = 0; i < m; i++) for (let k = 0; k < d; k++) sd[k]! += (real[i * d + k]! - mean[k]!) ** 2 / m;
  let state = seed >>> 0;
  const uniform = (): number => ((state = (Math.imul(state, 1664525) + 1013904223) >>> 0) + 0.5) / 2 ** 32;
  const out = new Float32Array(n * d);
  for (let i = 0; i < n; i++) {
    const src = (i % m) * d;
    for (let k = 0; k < d; k++) {
      const gauss = Math.sqrt(-2 * Math.log(uniform())) * Math.cos(2 * Math.PI * uniform());
      out[i * d + k] = real[src + k]! + JITTER * Math.sqrt(sd[k]!) * gauss;
    }
  }
  return out;
}

export interface SearchFigures {
  readonly plantedCandidateRecall: number;
  readonly candidatePairs: number;
  readonly candidatesPerImage: number;
  readonly shareOfAllPairs: number;
  readonly indexRecallVsExact: number;
  /** peakRssMB: the process's peak during the search (sampled on another thread, every 10 ms). */
  readonly search: { signatures: number; seconds: number; cpuSeconds: number; candidatePairs: number; candidatesPerImage: number; peakRssMB: number; rssBeforeMB: number; jitter: number; sampledRecallVsExact: number; sampledQueries: number; loadavg: number[] };
}

/**
 * Peak RSS, sampled every 10 ms on a thread of its own: the search is synchronous, so a timer
 * on this thread (as before) never fired during it and "peak" was the RSS after it.
 */
function rssSampler(): { ready: Promise<void>; stop: () => Promise<number> } {
  const peak = new Float64Array(new SharedArrayBuffer(8));
  const code = `const { parentPort, workerData } = require('node:worker_threads');
    const peak = new Float64Array(workerData);
    const tick = () => { const r = process.memoryUsage.rss(); if (r > peak[0]) peak[0] = r; };
    tick(); setInterval(tick, 10); parentPort.postMessage('ready');`;
  const worker = new Worker(code, { eval: true, workerData: peak.buffer });
  const ready = new Promise<void>((resolve) => worker.once('message', () => resolve()));
  return { ready, stop: async () => (await worker.terminate(), peak[0]!) };
}

/** `planted`: [original, copy] indices into `sigs`. */
/** `options` apply to the search over the n synthetic signatures (e.g. `threads: 1`). */
export async function searchFigures(sigs: readonly Signature[], planted: readonly (readonly [number, number])[], n: number, options: SearchOptions = {}): Promise<SearchFigures> {
  const real = coefficientTable(sigs);
  const m = sigs.length;
  const exact = candidatePairs(real);
  const found = pairSet(exact);
  const hit = planted.filter(([a, b]) => found.has(Math.min(a, b) * 2 ** 20 + Math.max(a, b))).length;
  const indexed = pairSet(candidatePairs(real, { exactBelow: 0 }));
  let agree = 0;
  for (const key of found) if (indexed.has(key)) agree++;

  const table = syntheticTable(real, m, n);
  global.gc?.();
  const rss0 = process.memoryUsage().rss;
  const sampler = rssSampler();
  await sampler.ready;
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const big = candidatePairs(table, options);
  const seconds = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  const peak = Math.max(await sampler.stop(), process.memoryUsage().rss);
  const load = loadavg().map((x) => Math.round(x * 100) / 100);
  const recall = sampledRecall(table, n, pairSet(big), DEFAULT_PER_IMAGE);
  return {
    plantedCandidateRecall: planted.length === 0 ? 1 : hit / planted.length,
    candidatePairs: exact.length / 2,
    candidatesPerImage: exact.length / m,
    shareOfAllPairs: exact.length / 2 / ((m * (m - 1)) / 2),
    indexRecallVsExact: found.size === 0 ? 1 : agree / found.size,
    search: { signatures: n, seconds, cpuSeconds: (cpu.user + cpu.system) / 1e6, candidatePairs: big.length / 2, candidatesPerImage: big.length / n, peakRssMB: Math.round(peak / 2 ** 20), rssBeforeMB: Math.round(rss0 / 2 ** 20), jitter: JITTER, sampledRecallVsExact: recall, sampledQueries: SAMPLED, loadavg: load },
  };
}
