/**
 * `npm run demo [-- --seed N] [--engine E] [--cache DIR] [--keep-data] [--jobs N (default: 2 on idle cores, else 1)] [--full] [--no-probes]`: the end-to-end shortcut demonstration.
 * The designs declare `probes { }` (docs/probes.md), whose numbers join the table; `--no-probes`
 * runs copies without them (in examples/shortcut/runs/no-probes/, on the same data).
 * Generates `cvr synth --preset shortcut` data into examples/shortcut/data, runs the three
 * designs of examples/shortcut/ (single source, multiple sources, independent sources) with
 * `cvr run`, and prints one table: what the audit predicted beside what training measured.
 *
 * Each design runs as its own `cvr run` process, exactly as a user would type it, so the demo
 * exercises the real CLI; its run folders are examples/shortcut/runs/<design>-seed<N>/.
 *
 * Where the native engine cannot be had and training would run on the plain cpu engine (about 50×
 * slower), the demo says so before anything starts and shrinks its work so that it still ends in
 * minutes (see SMALL; `--full` keeps the full work): it writes shrunk copies of the four .cvr files
 * and smaller synthetic data into examples/shortcut/runs/small/ and runs those.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { availableParallelism, loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { loadPipelines } from '../src/dsl/index.ts';
import { describeSplit } from '../src/plan/index.ts';
import { chooseEngine, probeEngine } from '../src/engine/index.ts';
import { cpuSlowdown, DEMO_MODEL_IMAGES_PER_S, NATIVE_FIX_COMMAND } from '../src/engine/slow-engine.ts';
import { mkdir, writeFile } from 'node:fs/promises';
import type { MetricsFile } from '../src/evaluate/types.ts';

const ROOT = resolve(import.meta.dirname, '..');
const EXAMPLE = join(ROOT, 'examples/shortcut');
const CVR = join(ROOT, 'bin/cvr.mjs');
/** The scale the example's `# data:` comments name; keeps the demo within minutes on 2 cores. */
const SCALE = '0.5';
export const DESIGNS = [
  { design: 'single', file: 'single.cvr' },
  { design: 'multiple', file: 'multiple.cvr' },
  { design: 'independent', file: 'independent.cvr' },
] as const;

/**
 * The demo's work on the plain cpu engine: a quarter of the images (synth scale 0.25), 32 × 32
 * instead of 64 × 64 (a quarter of the arithmetic per image), 3 folds instead of 5 and 1 epoch
 * instead of 2: about 20× less training, a few minutes at the cpu engine's speed.
 */
const SMALL = { scale: '0.25', size: 32, folds: 3, epochs: 1, dir: 'runs/small' } as const;

/** `--no-probes`: the designs without their `probes { }` block (the README's numbers without probes). */
const NO_PROBES_DIR = 'runs/no-probes';

// Up to three levels of braces: `probes { periphery_only { model resnet50 { … } } }`.
export const withoutProbes = (text: string): string => text.replace(/\n *# Shortcut evidence[^\n]*\n *probes \{(?:[^{}]|\{(?:[^{}]|\{[^{}]*\})*\})*\}\n/g, '\n');

/**
 * Copies of the example's .cvr files in `dir`: shrunk (same designs, smaller work; their data in
 * `dir`/data) and/or without probes (reading the example's own data).
 */
async function writeVariant(dir: string, variant: { small: boolean; probes: boolean }): Promise<void> {
  await mkdir(join(EXAMPLE, dir), { recursive: true });
  for (const name of ['common.cvr', ...DESIGNS.map((d) => d.file)]) {
    let text = await readFile(join(EXAMPLE, name), 'utf8');
    if (variant.small) {
      text = text
        .replace(/--scale 0\.5/g, `--scale ${SMALL.scale}`)
        .replace(/size 64 x 64/g, `size ${SMALL.size} x ${SMALL.size}`)
        .replace(/epochs 2\b/g, `epochs ${SMALL.epochs}`)
        // The masked probes' own epochs (twice the protocol's, docs/probes.md), shrunk alike.
        .replace(/epochs 4\b/g, `epochs ${2 * SMALL.epochs}`)
        .replace(/kfold 5\b/g, `kfold ${SMALL.folds}`);
    } else {
      text = text.replace(/folder "data\//g, 'folder "../../data/');
    }
    if (!variant.probes) text = withoutProbes(text);
    const what = variant.small ? 'for the cpu engine: a shrunk copy' : 'without probes: a copy';
    await writeFile(join(EXAMPLE, dir, name), `# Written by scripts/demo.ts ${what} of ../../${name}\n${text}`);
  }
}

function cvr(args: readonly string[], env: NodeJS.ProcessEnv): Promise<number> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, [CVR, ...args], { cwd: EXAMPLE, stdio: 'inherit', env });
    child.on('error', fail);
    child.on('exit', (code, signal) => done(code ?? (signal === null ? 1 : 130)));
  });
}

const pct = (v: number): string => (Number.isFinite(v) ? `${(v * 100).toFixed(1)}%` : '—');

interface Row {
  readonly design: string;
  readonly test: string;
  readonly baseline: number;
  readonly accuracy: { mean: number; std: number; folds: number };
  readonly independent: boolean;
  readonly runDir: string;
  readonly seconds: number;
  readonly probes?: MetricsFile['probes'];
}

/** Within-class source-probe accuracy: the class where the sources differ most, as "NOR 97%/50%". */
function sourceProbeCell(p: MetricsFile['probes']): string {
  const within = Object.entries(p?.source_probe?.withinClass ?? {}).filter(([, w]) => (w.sources?.length ?? 2) > 1);
  if (within.length === 0) return '—';
  return within.map(([cls, w]) => `${cls} ${pct(w.accuracy)} (maj. ${pct(w.majorityRate)})`).join(', ');
}

function table(rows: readonly Row[]): string {
  const probes = rows.some((r) => r.probes !== undefined);
  const header = ['design', 'test design', 'audit: source-only baseline', 'accuracy (mean ± std)', 'independent?', 'time', ...(probes ? ['source probe, within class', 'periphery only', 'lung only', 'GradCAM in lungs (area)'] : [])];
  const body = rows.map((r) => [
    r.design,
    r.test,
    pct(r.baseline),
    `${pct(r.accuracy.mean)} ± ${(r.accuracy.std * 100).toFixed(1)} (${r.accuracy.folds} ${r.accuracy.folds === 1 ? 'test set' : 'folds'})`,
    r.independent ? 'yes' : 'no',
    `${r.seconds.toFixed(0)} s`,
    ...(probes
      ? [
          sourceProbeCell(r.probes),
          pct(r.probes?.periphery_only?.accuracy ?? Number.NaN),
          pct(r.probes?.lung_only?.accuracy ?? Number.NaN),
          r.probes?.gradcam_in_lungs === undefined ? '—' : `${pct(r.probes.gradcam_in_lungs.share)} (${pct(r.probes.gradcam_in_lungs.areaShare)})`,
        ]
      : []),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((b) => (b[i] ?? '').length)));
  const line = (cells: readonly string[]) => cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join('  ').trimEnd();
  return [line(header), line(widths.map((w) => '─'.repeat(w))), ...body.map(line)].join('\n');
}

/**
 * `--jobs` unless given: 2 where two workers of CVR_NATIVE_THREADS threads each find idle cores
 * (cores ≥ 2 × threads and the 1-minute load under half the cores), else 1. `npm run -s bench -- jobs`
 * measured --jobs 2 no faster on the 2-core machine at load 8–33 (docs/notes-and-limits.md).
 */
export function demoJobs(env: NodeJS.ProcessEnv, cores = availableParallelism(), load = loadavg()[0] ?? 0): string {
  const threads = Math.max(1, Number.parseInt(env['CVR_NATIVE_THREADS'] ?? '1', 10) || 1);
  return cores >= 2 * threads && load < cores / 2 ? '2' : '1';
}

export async function main(argv: readonly string[]): Promise<number> {
  const { values } = parseArgs({
    args: [...argv],
    options: { seed: { type: 'string' }, engine: { type: 'string' }, cache: { type: 'string' }, jobs: { type: 'string' }, 'keep-data': { type: 'boolean' }, full: { type: 'boolean' }, 'no-probes': { type: 'boolean' } },
  });
  const seed = values.seed ?? '1';
  const engine = values.engine ?? 'auto';
  // Which engine `cvr run` will resolve (the same choice, made here first), said before any work.
  const choice = await chooseEngine(engine);
  const small = choice.ok && choice.engine.name === 'cpu' && values.full !== true;
  if (choice.ok && choice.engine.name === 'cpu') {
    const nativeWhy = (await probeEngine('native')).reason.split('; to enable it')[0];
    const why = engine === 'cpu' ? 'the cpu engine was asked for' : `the native engine cannot be used here (${nativeWhy})`;
    process.stderr.write(
      `demo: ${why}; training runs on the plain cpu engine, about ${cpuSlowdown()}× slower ` +
        `(${DEMO_MODEL_IMAGES_PER_S.cpu} against ${DEMO_MODEL_IMAGES_PER_S.native} images/s on this model).\n` +
        (small
          ? `demo: so it shrinks its work to finish in minutes: synth scale ${SMALL.scale} instead of ${SCALE}, ${SMALL.size} × ${SMALL.size} images instead of 64 × 64, ` +
            `${SMALL.folds} folds instead of 5, ${SMALL.epochs} epoch instead of 2 (files in examples/shortcut/${SMALL.dir}/); its numbers are not the README's. --full runs the full work.\n`
          : 'demo: --full: the full work, about an hour on this engine.\n') +
        `demo: for the full demo on the fast engine: ${NATIVE_FIX_COMMAND}, then npm run demo\n`,
    );
  }
  const probes = values['no-probes'] !== true;
  if (small) await writeVariant(SMALL.dir, { small: true, probes });
  else if (!probes) await writeVariant(NO_PROBES_DIR, { small: false, probes: false });
  const base = small ? SMALL.dir : probes ? '.' : NO_PROBES_DIR;
  const dataDir = small ? join(SMALL.dir, 'data') : 'data';
  // On a small machine shared with other work, oneDNN's OpenMP threads spin against each other:
  // one thread measured 5× faster than two on the 2-core development machine under load.
  const env = { ...process.env, CI: process.env['CI'] ?? '1', CVR_NATIVE_THREADS: process.env['CVR_NATIVE_THREADS'] ?? '1' };
  const started = performance.now();

  if (!(values['keep-data'] === true && existsSync(join(EXAMPLE, dataDir, 'synth.json')))) {
    // The same seed writes byte-identical images, so the preprocessing cache stays valid.
    const code = await cvr(['synth', '--preset', 'shortcut', '--scale', small ? SMALL.scale : SCALE, '--out', dataDir], env);
    if (code !== 0) return code;
  }

  // Decided once for the three designs: the first design's own load would otherwise push the
  // later ones to 1, and a run with probes and one without would not compare like for like.
  const jobs = ['--jobs', values.jobs ?? demoJobs(env)];
  process.stderr.write(`demo: --jobs ${jobs[1]}${values.jobs === undefined ? ' (chosen from the cores and the load)' : ''}\n`);
  const rows: Row[] = [];
  for (const { design, file } of DESIGNS) {
    const loaded = await loadPipelines([join(EXAMPLE, base, file)]);
    const pipeline = loaded.pipelines[0];
    if (pipeline === undefined) {
      process.stderr.write(`demo: ${file} declares no pipeline\n`);
      return 1;
    }
    const runDir = small ? join(SMALL.dir, `${design}-seed${seed}`) : join('runs', `${design}-seed${seed}${probes ? '' : '-no-probes'}`);
    const t0 = performance.now();
    const cache = values.cache === undefined ? [] : ['--cache', resolve(values.cache)];
    const code = await cvr(['run', join(base, file), '--seed', seed, '--engine', engine, '--out', runDir, ...cache, ...jobs], env);
    if (code !== 0) return code;
    const metrics = JSON.parse(await readFile(join(EXAMPLE, runDir, 'metrics.json'), 'utf8')) as MetricsFile;
    const model = Object.values(metrics.models)[0];
    rows.push({
      design,
      test: describeSplit(pipeline).replace(/, stratified, grouped by patient/, ''),
      baseline: metrics.audit.sourceOnlyBaseline,
      accuracy: { ...(model?.summary.accuracy ?? { mean: Number.NaN, std: Number.NaN }), folds: model?.folds.length ?? 0 },
      independent: metrics.audit.independent,
      runDir: join('examples/shortcut', runDir),
      seconds: (performance.now() - t0) / 1000,
      ...(metrics.probes !== undefined && { probes: metrics.probes }),
    });
    if (design === 'single') process.stdout.write(`engine: ${metrics.engine}\n`);
  }

  const total = (performance.now() - started) / 1000;
  const shrunk = small ? ` (shrunk for the cpu engine: scale ${SMALL.scale}, ${SMALL.size}², ${SMALL.folds} folds, ${SMALL.epochs} epoch)` : '';
  process.stdout.write(`\nshortcut demo, seed ${seed}, engine ${engine}${shrunk}; ${(total / 60).toFixed(1)} minutes in all\n\n${table(rows)}\n\n`);
  const single = rows.find((r) => r.design === 'single');
  const independent = rows.find((r) => r.design === 'independent');
  if (single !== undefined && independent !== undefined) {
    const gap = (single.accuracy.mean - independent.accuracy.mean) * 100;
    process.stdout.write(
      `single-source cross-validation vs independent test: ${gap >= 0 ? '+' : ''}${gap.toFixed(1)} points.\n` +
        `GradCAM overlays of the top CVP test images: ${rows.map((r) => join(r.runDir, 'gradcam')).join(', ')}\n`,
    );
  }
  return 0;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  main(process.argv.slice(2)).then((code) => process.exit(code), (error: unknown) => {
    console.error(error);
    process.exit(3);
  });
}
