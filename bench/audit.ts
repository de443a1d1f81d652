/**
 * `npm run -s bench -- audit [--rows N]`: a metadata-only audit of a generated N-row manifest
 * (default 30,000; six sources, patients, 5-fold stratified grouped CV with validation), load of
 * the .cvr file included. Baseline in the same run: reading and line-splitting the manifest.
 * Target: under 2 s. Prints the best of --repeats (default 3) wall and CPU times.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { loadPipelines } from '../src/dsl/index.ts';
import { auditPipeline } from '../src/plan/index.ts';

const SOURCES = [
  ['cxri', 'NCV', 0.3],
  ['chexpert', 'NCV', 0.15],
  ['chestxray8', 'NCV', 0.1],
  ['ccxri', 'CVP', 0.25],
  ['padchest', 'CVP', 0.1],
  ['cidc', 'CVP', 0.1],
] as const;

function option(argv: readonly string[], name: string, fallback: number): number {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 && argv[i + 1] !== undefined ? Number(argv[i + 1]) : fallback;
}

export async function main(argv: string[]): Promise<number> {
  const rows = option(argv, 'rows', 30_000);
  const repeats = option(argv, 'repeats', 3);
  const dir = await mkdtemp(join(tmpdir(), 'cvr-bench-audit-'));
  try {
    const lines = ['image,label,patient,source'];
    for (let i = 0; i < rows; i++) {
      // Deterministic mix: sources by share, a second label in every source, ~3 images a patient.
      const u = ((i * 2654435761) % 2 ** 32) / 2 ** 32;
      let acc = 0;
      let pick: (typeof SOURCES)[number] = SOURCES[0];
      for (const s of SOURCES) {
        acc += s[2];
        if (u < acc) {
          pick = s;
          break;
        }
      }
      const label = i % 10 === 0 ? (pick[1] === 'NCV' ? 'CVP' : 'NCV') : pick[1];
      lines.push(`images/${pick[0]}/${i}.png,${label},p${Math.floor(i / 3)},${pick[0]}`);
    }
    const manifest = join(dir, 'all.csv');
    await writeFile(manifest, `${lines.join('\n')}\n`);
    await writeFile(
      join(dir, 'bench.cvr'),
      `pipeline bench {
  seed 1
  classes covid
  sources from manifest "all.csv" { image "image" label "label" patient "patient" source "source"  map { "NCV" -> NCV, "CVP" -> CVP } }
  task NCV vs CVP
  split kfold 5 { stratified  grouped by patient  validation 10% }
  model cvrnet { weights none }
}
`,
    );
    const timings: number[] = [];
    const cpuTimings: number[] = [];
    const baselines: number[] = [];
    let images = 0;
    let baseline = 0;
    for (let r = 0; r < repeats; r++) {
      const b0 = performance.now();
      const text = await readFile(manifest, 'utf8');
      baseline = text.split('\n').map((l) => l.split(',')).length;
      baselines.push((performance.now() - b0) / 1000);
      const t0 = performance.now();
      const c0 = process.cpuUsage();
      const loaded = await loadPipelines([join(dir, 'bench.cvr')], { cwd: dir });
      const pipeline = loaded.pipelines[0];
      if (pipeline === undefined) throw new Error(`bench pipeline did not load: ${loaded.diagnostics.map((d) => d.message).join('; ')}`);
      const result = await auditPipeline(pipeline, { metadataOnly: true });
      if (result.report === undefined) throw new Error(`audit stopped: ${result.diagnostics.map((d) => d.message).join('; ')}`);
      images = result.split?.images.length ?? 0;
      timings.push((performance.now() - t0) / 1000);
      const c = process.cpuUsage(c0);
      cpuTimings.push((c.user + c.system) / 1e6);
    }
    const best = Math.min(...timings);
    const bestBaseline = Math.min(...baselines);
    process.stdout.write(
      `${JSON.stringify({
        bench: 'audit',
        rows,
        images,
        baselineLines: baseline,
        seconds: Number(best.toFixed(3)),
        seconds_all: timings.map((t) => Number(t.toFixed(3))),
        // CPU seconds of this process: steadier than wall time on a shared, loaded machine.
        cpu_seconds: Number(Math.min(...cpuTimings).toFixed(3)),
        target_s: 2,
        within_target: best < 2,
        baseline_read_split_s: Number(bestBaseline.toFixed(4)),
        ratio_to_read_split: Number((best / bestBaseline).toFixed(1)),
      })}\n`,
    );
    return 0;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
