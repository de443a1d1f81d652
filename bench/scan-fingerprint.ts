/**
 * `npm run -s bench -- scan-fingerprint [--files N] [--kb K]`: what keying the scan nodes by the
 * data as it is now costs on every `cvr run`. N files of K KiB (default 20,000 × 8 KiB) in one
 * folder source; times the fingerprint with an empty memo (every file read and hashed) and with
 * a warm memo (a stat per file), against a baseline in the same run: the metadata-only listing
 * alone (the cost before this fingerprint existed).
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { loadPipelines } from '../src/dsl/index.ts';
import { scanSources } from '../src/data/scan.ts';
import { sourceFingerprints } from '../src/plan/fingerprint.ts';

function option(argv: readonly string[], name: string, fallback: number): number {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 && argv[i + 1] !== undefined ? Number(argv[i + 1]) : fallback;
}

async function timed(fn: () => Promise<unknown>): Promise<number> {
  const start = performance.now();
  await fn();
  return performance.now() - start;
}

export async function main(argv: string[]): Promise<number> {
  const files = option(argv, 'files', 20_000);
  const kb = option(argv, 'kb', 8);
  const dir = await mkdtemp(join(tmpdir(), 'cvr-bench-fp-'));
  try {
    for (const label of ['normal', 'covid']) await mkdir(join(dir, 'data', label), { recursive: true });
    const body = Buffer.alloc(kb * 1024);
    for (let i = 0; i < files; i++) {
      body.writeUInt32LE(i, 0);
      await writeFile(join(dir, 'data', i % 2 === 0 ? 'normal' : 'covid', `img${i}.png`), body);
    }
    const file = join(dir, 'b.cvr');
    await writeFile(file, `pipeline b {\n  seed 1\n  source s { folder "data" map { "normal" -> NCV  "covid" -> CVP } }\n  task NCV vs CVP\n  split holdout { test 20% stratified }\n  model cvrnet\n}\n`);
    const loaded = await loadPipelines([file], { cwd: dir });
    const pipeline = loaded.pipelines[0];
    if (pipeline === undefined) throw new Error(JSON.stringify(loaded.diagnostics));
    const cacheDir = join(dir, 'cache');
    const listing = await timed(() => scanSources(pipeline, { metadataOnly: true }));
    const cold = await timed(() => sourceFingerprints(pipeline, { cacheDir }));
    const warm = await timed(() => sourceFingerprints(pipeline, { cacheDir }));
    console.log(JSON.stringify({ bench: 'scan-fingerprint', files, kb, listingMs: Math.round(listing), coldMs: Math.round(cold), warmMs: Math.round(warm), warmOverListing: +(warm / listing).toFixed(2), coldOverWarm: +(cold / warm).toFixed(2) }));
    return 0;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
