/**
 * `npm run -s bench -- dedupe-search [--scale S] [--copies N] [--size PX] [--search N] [--rounds R] [--threads T]`
 * (docs/dedupe.md, "Candidates"): the search part of `bench -- dedupe` alone, for idle
 * measurements. The same planted set (`cvr synth --preset paper`, seed 11, default scale 0.04
 * with 300 copies, prepared at 128 × 128 by area), then R rounds of bench/lib/dedupe-search.ts:
 * candidate recall of the planted copies (exhaustive up to 4,096 images), the index's recall
 * against the exhaustive scan on the real signatures, and the search over N synthetic signatures
 * (default 100,000; `--threads 1` keeps it on one thread). One JSON object: every round's
 * figures, and the median, min and max of the search's wall and CPU seconds and peak RSS (of the
 * child process that runs the search on the signatures alone: bench/lib/dedupe-search-child.ts).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { prepareImages, preparedSignatures } from '../src/data/index.ts';
import type { Signature } from '../src/data/index.ts';
import { parseBenchArgs } from './lib/bench-args.ts';
import { plantedSet } from './lib/planted-set.ts';
import { searchFigures, type SearchFigures } from './lib/dedupe-search.ts';
import { summary } from './lib/summary.ts';

export async function main(argv: string[]): Promise<number> {
  const a = parseBenchArgs(argv, { scale: '0.04', copies: '300', size: '128', search: '100000', rounds: '3', threads: '' });
  const work = await mkdtemp(join(tmpdir(), 'cvr-bench-dedupe-search-'));
  try {
    const data = join(work, 'data');
    const { truth, files, index } = await plantedSet(data, Number(a.scale), Number(a.copies));
    const size = Number(a.size);
    const image = { width: size, height: size, channels: 1 as const, resize: 'area' as const };
    const prepared = await prepareImages(files.map((f, i) => ({ id: String(i), path: f })), image as never, { cacheDir: join(work, 'cache') });
    if (!prepared.ok) throw new Error(JSON.stringify(prepared.diagnostics));
    const byId = await preparedSignatures(prepared.prepared);
    const sigs: Signature[] = files.map((_, i) => byId.get(String(i))!);
    const planted = truth.copies.map((c) => [index.get(c.original)!, index.get(c.copy)!] as const);
    const options = a.threads === '' ? {} : { threads: Number(a.threads) };
    const rounds: SearchFigures[] = [];
    for (let r = 0; r < Number(a.rounds); r++) rounds.push(await searchFigures(sigs, planted, Number(a.search), options));
    const out = {
      bench: 'dedupe-search',
      images: files.length,
      plantedCopies: truth.copies.length,
      threads: a.threads === '' ? 'default' : Number(a.threads),
      searchSeconds: summary(rounds.map((r) => r.search.seconds)),
      searchCpuSeconds: summary(rounds.map((r) => r.search.cpuSeconds)),
      peakRssMB: summary(rounds.map((r) => r.search.peakRssMB)),
      rounds,
      loadavg: loadavg().map((x) => Math.round(x * 100) / 100),
    };
    process.stdout.write(`${JSON.stringify(out)}\n`);
    return 0;
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}
