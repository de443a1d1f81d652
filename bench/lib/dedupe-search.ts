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
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { candidatePairs, coefficientTable, type SearchOptions } from '../../src/data/dedupe/search.ts';
import { COEFFS, VIEWS, type Signature } from '../../src/data/dedupe/signature.ts';
import { pairKey, pairSet, SAMPLED } from './dedupe-search-measure.ts';

const JITTER = 0.15;

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
  /**
   * The search runs in a child process that holds only the n signatures (dedupe-search-child.ts):
   * `peakRssMB` is that process's peak (its start-up, the table and the search; sampled every
   * 10 ms and the kernel's high-water mark), `rssBeforeMB` its RSS with the table loaded.
   * `benchProcessRssMB` / `benchProcessPeakRssMB`: the bench's own process (the planted set, its
   * pixels and verification maps) now and at its peak so far, which the search no longer adds to.
   */
  readonly search: {
    signatures: number; seconds: number; cpuSeconds: number; candidatePairs: number; candidatesPerImage: number; peakRssMB: number; rssBeforeMB: number;
    process: 'child'; benchProcessRssMB: number; benchProcessPeakRssMB: number; jitter: number; sampledRecallVsExact: number; sampledQueries: number; loadavg: number[];
  };
}

interface ChildFigures { seconds: number; cpuSeconds: number; pairs: number; peakRss: number; rssBefore: number; recall: number }

/** Runs the search over `table` in dedupe-search-child.ts (see SearchFigures.search). */
async function searchInChild(table: Float32Array, n: number, options: SearchOptions): Promise<ChildFigures> {
  const dir = await mkdtemp(join(tmpdir(), 'cvr-bench-search-'));
  try {
    const file = join(dir, 'table.f32');
    await writeFile(file, new Uint8Array(table.buffer, table.byteOffset, table.byteLength));
    const script = fileURLToPath(new URL('./dedupe-search-child.ts', import.meta.url));
    const tsx = import.meta.resolve('tsx');
    const { stdout } = await promisify(execFile)(process.execPath, ['--expose-gc', '--import', tsx, script, file, String(n), String(options.threads ?? 'default')], { maxBuffer: 1 << 20 });
    return JSON.parse(stdout.trim().split('\n').pop()!) as ChildFigures;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** `planted`: [original, copy] indices into `sigs`; `options` apply to the search over the n synthetic signatures (e.g. `threads: 1`). */
export async function searchFigures(sigs: readonly Signature[], planted: readonly (readonly [number, number])[], n: number, options: SearchOptions = {}): Promise<SearchFigures> {
  const real = coefficientTable(sigs);
  const m = sigs.length;
  const exact = candidatePairs(real);
  const found = pairSet(exact);
  const hit = planted.filter(([a, b]) => found.has(pairKey(a, b))).length;
  const indexed = pairSet(candidatePairs(real, { exactBelow: 0 }));
  let agree = 0;
  for (const key of found) if (indexed.has(key)) agree++;

  const table = syntheticTable(real, m, n);
  const child = await searchInChild(table, n, options);
  const load = loadavg().map((x) => Math.round(x * 100) / 100);
  const mb = (bytes: number): number => Math.round(bytes / 2 ** 20);
  return {
    plantedCandidateRecall: planted.length === 0 ? 1 : hit / planted.length,
    candidatePairs: exact.length / 2,
    candidatesPerImage: exact.length / m,
    shareOfAllPairs: exact.length / 2 / ((m * (m - 1)) / 2),
    indexRecallVsExact: found.size === 0 ? 1 : agree / found.size,
    search: {
      signatures: n, seconds: child.seconds, cpuSeconds: child.cpuSeconds, candidatePairs: child.pairs, candidatesPerImage: (2 * child.pairs) / n,
      peakRssMB: mb(child.peakRss), rssBeforeMB: mb(child.rssBefore), process: 'child',
      benchProcessRssMB: mb(process.memoryUsage().rss), benchProcessPeakRssMB: mb(process.resourceUsage().maxRSS * 1024),
      jitter: JITTER, sampledRecallVsExact: child.recall, sampledQueries: SAMPLED, loadavg: load,
    },
  };
}
