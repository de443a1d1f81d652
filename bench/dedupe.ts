/**
 * `npm run -s bench -- dedupe [--scale S] [--copies N] [--size PX] [--search N] [--rounds R]`
 * (docs/dedupe.md). One JSON object:
 * - precision / recall on a planted set (and, to see the margin, the planted pairs' similarity
 *   range and the five highest false pairs, named): `cvr synth --preset paper` (default scale 0.04, about
 *   2,100 images) with N planted near-duplicates (default 300), prepared at PX × PX (default
 *   128) as a pipeline's `image` block would; hard negatives (other images of one phantom
 *   patient) counted separately;
 * - signatures per second (from prepared pixels);
 * - candidate recall of the planted copies, and search time and peak memory over `--search`
 *   signatures (default 100,000, derived from the real ones: bench/lib/dedupe-search.ts);
 * - prep time with and without signatures, interleaved rounds (fresh caches), median and range.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { performance } from 'node:perf_hooks';
import { prepareImages, openPrepared, preparedSignatures, nearDuplicatePairs, clustersOf, DEFAULT_THRESHOLD } from '../src/data/index.ts';
import type { Signature } from '../src/data/index.ts';
import { candidatePairs, coefficientTable } from '../src/data/dedupe/search.ts';
import { signatureOf } from '../src/data/dedupe/signature.ts';
import { prepareThumb, similarity } from '../src/data/dedupe/verify.ts';
import { getPreset, planPreset } from '../src/data/synth/index.ts';
import { parseBenchArgs } from './lib/bench-args.ts';
import { plantedSet } from './lib/planted-set.ts';
import { searchFigures } from './lib/dedupe-search.ts';
import { lowerMedian as median, summary } from './lib/summary.ts';


/** Both modes' rounds summarised, and the overhead of the median with over the median without. */
function withAgainstWithout(t: Record<'with' | 'without', number[]>) {
  return { without: summary(t.without), with: summary(t.with), overhead: median(t.with) / median(t.without) - 1 };
}

export async function main(argv: string[]): Promise<number> {
  const a = parseBenchArgs(argv, { scale: '0.04', copies: '300', size: '128', search: '100000', rounds: '3' });
  const size = Number(a.size);
  const work = await mkdtemp(join(tmpdir(), 'cvr-bench-dedupe-'));
  try {
    const data = join(work, 'data');
    const { truth, files, index } = await plantedSet(data, Number(a.scale), Number(a.copies));
    const image = { width: size, height: size, channels: 1 as const, resize: 'area' as const };
    const items = files.map((f, i) => ({ id: String(i), path: f }));

    // Prep time with and without signatures: interleaved rounds, fresh caches.
    const times: Record<'with' | 'without', number[]> = { with: [], without: [] };
    // CPU seconds too (the process's, libvips's threads included): less noisy than wall time on a shared machine.
    const cpuTimes: Record<'with' | 'without', number[]> = { with: [], without: [] };
    let prepared;
    for (let r = 0; r < Number(a.rounds); r++) {
      for (const mode of ['without', 'with'] as const) {
        const cacheDir = join(work, `cache-${mode}-${r}`);
        const t0 = performance.now();
        const c0 = process.cpuUsage();
        const result = await prepareImages(items, image as never, { cacheDir, signatures: mode === 'with' });
        const c = process.cpuUsage(c0);
        times[mode].push((performance.now() - t0) / 1000);
        cpuTimes[mode].push((c.user + c.system) / 1e6);
        if (!result.ok) throw new Error(JSON.stringify(result.diagnostics));
        if (mode === 'with') prepared = result.prepared;
        await rm(cacheDir, { recursive: true, force: true }).catch(() => {});
        if (mode === 'with' && r < Number(a.rounds) - 1) prepared = undefined;
      }
    }
    // The last "with" cache was removed; prepare once more to read signatures back.
    const finalCache = join(work, 'cache-final');
    const final = await prepareImages(items, image as never, { cacheDir: finalCache });
    if (!final.ok) throw new Error('prep failed');
    prepared = final.prepared;
    const byId = await preparedSignatures(prepared);
    const sigs: Signature[] = files.map((_, i) => byId.get(String(i))!);

    // Signatures per second, from prepared pixels.
    const opened = openPrepared(prepared);
    if (!opened.ok) throw new Error('open failed');
    const pixels = files.slice(0, 500).map((_, i) => opened.source.read(String(i)));
    opened.source.close();
    const s0 = performance.now();
    for (const p of pixels) signatureOf(p, size, size, 1);
    const sigPerSecond = pixels.length / ((performance.now() - s0) / 1000);

    // Precision and recall; the candidate rate and the cost of one verification.
    const v0 = performance.now();
    const pairs = nearDuplicatePairs(sigs, { threshold: DEFAULT_THRESHOLD });
    const verifySeconds = (performance.now() - v0) / 1000;
    const plantedCandidates = candidatePairs(coefficientTable(sigs)).length / 2;
    const cluster = new Map<number, number>();
    truth.copies.forEach((c, k) => {
      const o = index.get(c.original)!;
      const root = cluster.get(o) ?? o;
      cluster.set(o, root);
      cluster.set(index.get(c.copy)!, root);
      void k;
    });
    const same = (x: number, y: number): boolean => cluster.has(x) && cluster.get(x) === cluster.get(y);
    const truePairs = pairs.filter((p) => same(p.a, p.b)).length;
    const found = clustersOf(files.length, pairs);
    const member = new Map<number, number>();
    found.forEach((g, gi) => g.forEach((i) => member.set(i, gi)));
    const recovered = truth.copies.filter((c) => {
      const x = member.get(index.get(c.copy)!);
      return x !== undefined && x === member.get(index.get(c.original)!);
    }).length;
    const pairSet = new Set(pairs.map((p) => `${p.a},${p.b}`));
    const hardFound = truth.hardNegatives.filter(([x, y]) => {
      const i = index.get(x)!;
      const j = index.get(y)!;
      return pairSet.has(`${Math.min(i, j)},${Math.max(i, j)}`);
    }).length;

    // Where the threshold sits: every planted pair's similarity (both directions, as near.ts
    // tries them), and the highest false pairs found, named.
    const both = (i: number, j: number): number => {
      const [x, y] = [prepareThumb(sigs[i]!.thumb), prepareThumb(sigs[j]!.thumb)];
      return Math.max(similarity(x, y), similarity(y, x));
    };
    const copyScores = truth.copies.map((c) => both(index.get(c.original)!, index.get(c.copy)!)).sort((x, y) => x - y);
    const round3 = (x: number): number => Math.round(x * 1000) / 1000;
    const falsePairs = pairs.filter((p) => !same(p.a, p.b));
    // What the false pairs are: modality, and one patient or two (a copy counts as its original).
    const planned = new Map(planPreset(getPreset('paper'), { seed: 11, scale: Number(a.scale), size: 256 }).map((p) => [p.file, p]));
    const originalOf = new Map(truth.copies.map((c) => [c.copy, c.original]));
    const kindOf = (i: number, j: number): string => {
      const [x, y] = [i, j].map((k) => { const f = relative(data, files[k]!); return planned.get(originalOf.get(f) ?? f); });
      if (x === undefined || y === undefined) return 'unknown';
      const modality = x.recipe.modality === y.recipe.modality ? x.recipe.modality : 'mixed';
      return `${modality}-${x.plan.key === y.plan.key && x.recipe.patient === y.recipe.patient ? 'samePatient' : 'otherPatients'}`;
    };
    const falseKinds: Record<string, number> = {};
    for (const p of falsePairs) falseKinds[kindOf(p.a, p.b)] = (falseKinds[kindOf(p.a, p.b)] ?? 0) + 1;
    const hardSet = new Set(truth.hardNegatives.map(([x, y]) => [index.get(x)!, index.get(y)!].sort((u, v) => u - v).join(',')));

    // Candidate recall, and the search over many signatures (bench/lib/dedupe-search.ts).
    const searched = await searchFigures(sigs, truth.copies.map((c) => [index.get(c.original)!, index.get(c.copy)!] as const), Number(a.search));

    const out = {
      bench: 'dedupe',
      images: files.length,
      plantedCopies: truth.copies.length,
      hardNegativePairs: truth.hardNegatives.length,
      preparedSize: size,
      threshold: DEFAULT_THRESHOLD,
      foundPairs: pairs.length,
      precision: pairs.length === 0 ? 1 : truePairs / pairs.length,
      recall: recovered / truth.copies.length,
      hardNegativesFlagged: hardFound,
      falsePairs: falsePairs.length,
      falsePairsByKind: falseKinds,
      copySimilarity: copyScores.length === 0 ? null : { min: round3(copyScores[0]!), p05: round3(copyScores[Math.floor(0.05 * (copyScores.length - 1))]!), median: round3(median(copyScores)) },
      topFalsePairs: falsePairs.slice(0, 5).map((p) => ({ a: relative(data, files[p.a]!), b: relative(data, files[p.b]!), similarity: round3(p.similarity), hardNegative: hardSet.has(`${p.a},${p.b}`) })),
      verifySeconds,
      candidates: { pairs: plantedCandidates, shareOfAllPairs: plantedCandidates / ((files.length * (files.length - 1)) / 2), microsecondsPerCandidate: (verifySeconds * 1e6) / Math.max(1, plantedCandidates) },
      hardNegativesFlaggedShare: truth.hardNegatives.length === 0 ? 0 : hardFound / truth.hardNegatives.length,
      signaturesPerSecond: Math.round(sigPerSecond),
      candidateRecall: searched.plantedCandidateRecall,
      candidatesPerImage: searched.candidatesPerImage,
      indexRecallVsExact: searched.indexRecallVsExact,
      search: searched.search,
      prepSeconds: {
        ...withAgainstWithout(times),
        cpu: withAgainstWithout(cpuTimes),
      },
      loadavg: loadavg().map((x) => Math.round(x * 100) / 100),
    };
    process.stdout.write(`${JSON.stringify(out)}\n`);
    return 0;
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}
