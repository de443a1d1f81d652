// npm run -s bench -- synth [--n 1000] [--size 256] [--concurrency 4] [--workers W]
// Renders, encodes and writes N phantom images (radiographs and CT slices, all classes, with a
// paper source's artifacts) into a temporary folder. Prints one JSON line. The baseline, measured
// in the same run, is sharp alone encoding the same number of ready-made images of that size, so
// `ratio_to_encode_only` says how much the drawing costs on top of writing PNGs at all.
// The timed run includes starting the worker threads (the default: up to 4 for 200+ images).
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRenderPool, defaultWorkers, encodePng, FINDING_CLASSES, PAPER_STYLES, renderImage } from '../src/data/synth/index.ts';
import type { ImageRecipe, RenderedImage } from '../src/data/synth/index.ts';

function option(argv: readonly string[], name: string, fallback: number): number {
  const i = argv.indexOf(name);
  const v = i >= 0 ? Number(argv[i + 1]) : NaN;
  return Number.isFinite(v) && v >= 0 ? v : fallback;
}

async function pipelined<T>(items: readonly T[], concurrency: number, step: (item: T, i: number) => Promise<void>): Promise<void> {
  const inFlight = new Set<Promise<void>>();
  for (let i = 0; i < items.length; i++) {
    const p: Promise<void> = step(items[i]!, i).finally(() => inFlight.delete(p));
    inFlight.add(p);
    if (inFlight.size >= concurrency) await Promise.race(inFlight);
  }
  await Promise.all(inFlight);
}

export async function main(argv: string[]): Promise<number> {
  const n = Math.max(1, option(argv, '--n', 1000));
  const size = option(argv, '--size', 256);
  const concurrency = option(argv, '--concurrency', 4);
  const workers = option(argv, '--workers', defaultWorkers(n));
  const dir = await mkdtemp(join(tmpdir(), 'cvr-bench-synth-'));
  try {
    const styles = [PAPER_STYLES.cxri, PAPER_STYLES.chestxray8, PAPER_STYLES.scov, PAPER_STYLES.ccii];
    const recipes: ImageRecipe[] = Array.from({ length: n }, (_, i) => {
      const style = styles[i % styles.length]!;
      return {
        seed: 1,
        source: 'bench',
        patient: String(i),
        index: i,
        modality: style.modality,
        finding: FINDING_CLASSES[Math.floor(i / styles.length) % FINDING_CLASSES.length]!,
        severity: (i % 10) / 10,
        profile: { ...style.profile, size: 1 },
        baseSize: size,
      };
    });

    // baseline: encode + write only, of one ready image repeated
    const ready: RenderedImage = renderImage(recipes[0]!);
    const t0 = performance.now();
    await pipelined(recipes, concurrency, async (_, i) => writeFile(join(dir, `base-${i}.png`), await encodePng(ready)));
    const baseSeconds = (performance.now() - t0) / 1000;

    // rendering cost alone, in this thread, on a sample
    const sample = recipes.slice(0, Math.min(100, n));
    const ts = performance.now();
    for (const r of sample) renderImage(r);
    const renderMs = (performance.now() - ts) / sample.length;

    const pool = createRenderPool(workers, concurrency);
    const cpu0 = process.cpuUsage();
    const t1 = performance.now();
    try {
      await pipelined(recipes, pool.capacity, async (r, i) => writeFile(join(dir, `img-${i}.png`), (await pool.render(r)).png));
    } finally {
      await pool.close();
    }
    const seconds = (performance.now() - t1) / 1000;
    // CPU time of this process (all threads, sharp's included): on a shared machine it says more
    // about the cost than the wall clock does
    const cpu = process.cpuUsage(cpu0);
    process.stdout.write(
      `${JSON.stringify({
        bench: 'synth',
        images: n,
        size,
        concurrency,
        workers,
        seconds: Number(seconds.toFixed(2)),
        images_per_s: Number((n / seconds).toFixed(1)),
        render_ms_per_image: Number(renderMs.toFixed(2)),
        cpu_ms_per_image: Number(((cpu.user + cpu.system) / 1000 / n).toFixed(2)),
        encode_only_images_per_s: Number((n / baseSeconds).toFixed(1)),
        ratio_to_encode_only: Number((seconds / baseSeconds).toFixed(2)),
      })}\n`,
    );
    return 0;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
