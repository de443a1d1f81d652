/**
 * `npm run -s bench -- hash [--files N] [--size PX] [--concurrency C]`: scan a folder source of N
 * small PNGs (default 10,000 noise images of 64×64) and sha256 every file the way `cvr audit`
 * does, beside `sha256sum` over the same files (one process through xargs). After one warm-up
 * run each (page cache), the two alternate --repeats times (default 3) and each one's best
 * counts; prints MB/s for each and their ratio (> 1: cvr is faster).
 */
import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import sharp from 'sharp';
import { hashFiles, mapLimit, scanSources } from '../src/data/index.ts';
import type { ResolvedPipeline } from '../src/dsl/resolved.ts';

function option(argv: readonly string[], name: string, fallback: number): number {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 && argv[i + 1] !== undefined ? Number(argv[i + 1]) : fallback;
}

function folderPipeline(dir: string): ResolvedPipeline {
  return {
    name: 'bench',
    file: join(dir, 'bench.cvr'),
    seed: 1,
    classes: { classes: [{ name: 'NOR', leaves: ['NOR'], isUnion: false }, { name: 'CVP', leaves: ['CVP'], isUnion: false }] },
    sources: [{ name: 'phantoms', locations: [{ kind: 'folder', dir }], map: { NORMAL: 'NOR', COVID: 'CVP' }, coarse: 'error' }],
    task: { classes: ['NOR', 'CVP'] },
    split: { form: 'kfold', k: 5, stratified: true, groupByPatient: false, validation: { fraction: 0, stratified: false, fromTest: false } },
    image: { width: 224, height: 224, resize: 'nearest', channels: 3, normalize: 'unit' },
    augment: [],
    models: [],
    train: { optimizer: { name: 'adam', lr: 1e-4, params: {} }, loss: 'categorical_crossentropy', classWeights: { mode: 'balanced' }, batch: 8, epochs: 1 },
    evaluate: { metrics: ['accuracy'], confusion: false, bySource: false, bootstrap: 0 },
    engine: 'auto',
    spans: {},
  };
}

export async function main(argv: string[]): Promise<number> {
  const files = option(argv, 'files', 10_000);
  const size = option(argv, 'size', 64);
  const concurrency = option(argv, 'concurrency', 16);
  const dir = await mkdtemp(join(tmpdir(), 'cvr-bench-hash-'));
  try {
    await mkdir(join(dir, 'NORMAL'));
    await mkdir(join(dir, 'COVID'));
    await mapLimit(Array.from({ length: files }, (_, i) => i), 8, async (i) => {
      const pixels = Buffer.alloc(size * size);
      let x = (i + 1) * 2654435761;
      for (let p = 0; p < pixels.length; p++) {
        x = (x * 1103515245 + 12345) >>> 0;
        pixels[p] = x >>> 24;
      }
      const png = await sharp(pixels, { raw: { width: size, height: size, channels: 1 } }).png().toBuffer();
      await writeFile(join(dir, i % 2 === 0 ? 'NORMAL' : 'COVID', `img${i}.png`), png);
    });

    const ours = async (): Promise<{ seconds: number; bytes: number }> => {
      const t0 = performance.now();
      const scan = await scanSources(folderPipeline(dir), { metadataOnly: false });
      const hashed = await hashFiles(scan.images.map((i) => i.absPath), concurrency);
      if (hashed.failures.length > 0 || scan.images.length !== files) throw new Error('bench: scan or hash failed');
      return { seconds: (performance.now() - t0) / 1000, bytes: hashed.bytes };
    };
    const sha256sum = (): number => {
      const t0 = performance.now();
      execFileSync('sh', ['-c', `find "${dir}" -type f -name '*.png' -print0 | xargs -0 sha256sum > /dev/null`]);
      return (performance.now() - t0) / 1000;
    };
    // Warm the page cache, then alternate the two and keep each one's best of --repeats.
    await ours();
    sha256sum();
    const repeats = option(argv, 'repeats', 3);
    let mine = await ours();
    let theirs = sha256sum();
    for (let r = 1; r < repeats; r++) {
      const m = await ours();
      if (m.seconds < mine.seconds) mine = m;
      theirs = Math.min(theirs, sha256sum());
    }
    const mb = mine.bytes / 1e6;
    process.stdout.write(
      `${JSON.stringify({
        bench: 'hash',
        files,
        mb: Number(mb.toFixed(1)),
        concurrency,
        cvr_seconds: Number(mine.seconds.toFixed(3)),
        cvr_mb_s: Number((mb / mine.seconds).toFixed(1)),
        sha256sum_seconds: Number(theirs.toFixed(3)),
        sha256sum_mb_s: Number((mb / theirs).toFixed(1)),
        ratio_to_sha256sum: Number((theirs / mine.seconds).toFixed(2)),
        cvr_files_s: Math.round(files / mine.seconds),
      })}\n`,
    );
    return 0;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
