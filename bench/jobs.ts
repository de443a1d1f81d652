/**
 * `--jobs 2` against `--jobs 1` on the demo's work: the shortcut example's design (default
 * `single`: 5 folds of CVR-Net 64² plus the probes' two one-fold models, 7 training nodes) on
 * `cvr synth --preset shortcut` data, each run a real `cvr run` process into a fresh cache, the
 * two ways interleaved over rounds (1 2, 2 1, 1 2, …, so drift in the machine's load hits both).
 * Every run's metrics.json and predictions.csv must be the same bytes; the bench fails otherwise.
 * Both ways train with the same engine threads a node (`--threads`, default 1: on the 2-core
 * machine one oneDNN thread per worker measured faster than two, and the bytes need one count).
 * It also times what a worker costs to start: `cvr run-node` on a cached node, from the run's
 * saved plan (`--prepared`, what workers do) and planning the file again (what they did before).
 *
 * usage: npm run -s bench -- jobs [--rounds 2] [--scale 0.5] [--design single] [--threads 1]
 *          [--folds N] [--epochs N] [--size N] [--dir D]
 * Prints JSON lines: one per run, then the summary { jobs1_s, jobs2_s, speedup (jobs1/jobs2 per
 * round: median, min, max), identical, worker_start_s, loadavg }.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseBenchArgs } from './lib/bench-args.ts';

const ROOT = resolve(import.meta.dirname, '..');
const CVR = join(ROOT, 'bin/cvr.mjs');
const EXAMPLE = join(ROOT, 'examples/shortcut');

const load = (): number[] => loadavg().map((l) => Math.round(l * 100) / 100);
const r1 = (v: number): number => Math.round(v * 10) / 10;

function stats(values: readonly number[]): { median: number; min: number; max: number } {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  const median = sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
  return { median: Math.round(median * 1000) / 1000, min: Math.round(sorted[0]! * 1000) / 1000, max: Math.round(sorted[sorted.length - 1]! * 1000) / 1000 };
}

function cvr(args: readonly string[], cwd: string, env: NodeJS.ProcessEnv): Promise<{ code: number; seconds: number; output: string }> {
  const started = performance.now();
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, [CVR, ...args], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (c: Buffer) => (output += c.toString()));
    child.stderr.on('data', (c: Buffer) => (output += c.toString()));
    child.on('error', fail);
    child.on('exit', (code) => done({ code: code ?? 1, seconds: (performance.now() - started) / 1000, output }));
  });
}

/** The example's .cvr files in `dir`, with the work shrunk where asked (the demo's own rewrites). */
function writeDesigns(dir: string, o: { folds?: string; epochs?: string; size?: string }): void {
  for (const name of readdirSync(EXAMPLE).filter((f) => f.endsWith('.cvr'))) {
    let text = readFileSync(join(EXAMPLE, name), 'utf8');
    if (o.folds !== undefined) text = text.replace(/kfold 5\b/g, `kfold ${o.folds}`);
    if (o.epochs !== undefined) text = text.replace(/epochs 2\b/g, `epochs ${o.epochs}`);
    if (o.size !== undefined) text = text.replace(/size 64 x 64/g, `size ${o.size} x ${o.size}`);
    writeFileSync(join(dir, name), text);
  }
}

/** What one `cvr run-node` costs to start and end on a cached node: with the saved plan, and planning again. */
async function workerStart(dir: string, runDir: string, file: string, env: NodeJS.ProcessEnv): Promise<Record<string, number>> {
  const saved = JSON.parse(readFileSync(join(dir, runDir, 'workers', 'prepared.json'), 'utf8')) as { plan: { pipeline: string; nodes: { kind: string; key: string }[] }; seed: number; engine: string; cacheDir: string };
  const node = saved.plan.nodes.find((n) => n.kind === 'train');
  if (node === undefined) return {};
  const base = ['run-node', file, '--pipeline', saved.plan.pipeline, '--seed', String(saved.seed), '--engine', saved.engine, '--cache', saved.cacheDir, '--out', join(dir, 'run-node-probe'), '--key', node.key];
  const out: Record<string, number[]> = { prepared: [], planned: [] };
  for (let i = 0; i < 2; i++) {
    for (const way of ['prepared', 'planned'] as const) {
      const r = await cvr(way === 'prepared' ? [...base, '--prepared', join(dir, runDir, 'workers', 'prepared.json')] : base, dir, env);
      if (r.code !== 0) throw new Error(`run-node (${way}) failed:\n${r.output}`);
      out[way]!.push(r.seconds);
    }
  }
  return Object.fromEntries(Object.entries(out).map(([k, v]) => [k, r1(Math.min(...v))]));
}

/** Whether bin/cvr.mjs will start from dist/ (else every process compiles the sources with tsx: seconds each). */
function distIsFresh(): boolean {
  const newest = (dir: string): number =>
    Math.max(0, ...readdirSync(dir, { withFileTypes: true }).map((e) => (e.isDirectory() ? newest(join(dir, e.name)) : statSync(join(dir, e.name)).mtimeMs)));
  try {
    return newest(join(ROOT, 'src')) < Number(readFileSync(join(ROOT, 'dist', '.stamp'), 'utf8'));
  } catch {
    return false;
  }
}

export async function main(argv: string[]): Promise<number> {
  const o = parseBenchArgs(argv, { rounds: '2', scale: '0.5', design: 'single', threads: '1', folds: '', epochs: '', size: '', dir: '' });
  const rounds = Number(o.rounds);
  const file = `${o.design}.cvr`;
  if (!existsSync(join(EXAMPLE, file)) || !(rounds >= 1)) {
    process.stderr.write(`bench jobs: --design is one of ${readdirSync(EXAMPLE).filter((f) => f.endsWith('.cvr') && f !== 'common.cvr').map((f) => f.slice(0, -4)).join(', ')}; --rounds ≥ 1\n`);
    return 2;
  }
  const dir = o.dir !== '' ? resolve(o.dir) : mkdtempSync(join(tmpdir(), 'cvr-bench-jobs-'));
  mkdirSync(dir, { recursive: true });
  writeDesigns(dir, { ...(o.folds !== '' && { folds: o.folds }), ...(o.epochs !== '' && { epochs: o.epochs }), ...(o.size !== '' && { size: o.size }) });
  // CVR_FROM_DIST: every process of every round runs the one build checked below, even if src/ changes meanwhile.
  const env = { ...process.env, CI: '1', CVR_NATIVE_THREADS: o.threads, CVR_FROM_DIST: '1' };
  if (!distIsFresh()) {
    // A worker started from the sources pays tsx's compile (tens of seconds under load): not what a user runs.
    process.stderr.write('bench jobs: dist/ is older than src/; building it (npm run build) so every cvr process starts from the bundle\n');
    const built = await new Promise<number>((done) => spawn(process.execPath, [join(ROOT, 'scripts/build.mjs')], { stdio: 'inherit' }).on('exit', (code) => done(code ?? 1)));
    if (built !== 0 || !distIsFresh()) throw new Error('bench jobs: the build failed');
  }
  const loadStart = load();
  if (!existsSync(join(dir, 'data', 'synth.json'))) {
    const synth = await cvr(['synth', '--preset', 'shortcut', '--scale', o.scale, '--out', 'data'], dir, env);
    if (synth.code !== 0) throw new Error(`cvr synth failed:\n${synth.output}`);
  }
  const times: Record<1 | 2, number[]> = { 1: [], 2: [] };
  const speedups: number[] = [];
  const reference: { metrics?: string; predictions?: string } = {};
  let identical = true;
  let lastJobs2 = '';
  for (let round = 0; round < rounds; round++) {
    const order: (1 | 2)[] = round % 2 === 0 ? [1, 2] : [2, 1];
    const seconds: Partial<Record<1 | 2, number>> = {};
    for (const jobs of order) {
      const runDir = `run-${round}-j${jobs}`;
      const before = load();
      const r = await cvr(['run', file, '--cache', `cache-${round}-j${jobs}`, '--out', runDir, '--jobs', String(jobs)], dir, env);
      if (r.code !== 0) throw new Error(`cvr run --jobs ${jobs} failed (round ${round}):\n${r.output.slice(-4000)}`);
      seconds[jobs] = r.seconds;
      times[jobs].push(r.seconds);
      if (jobs === 2) lastJobs2 = runDir;
      const metrics = readFileSync(join(dir, runDir, 'metrics.json'), 'utf8');
      const predictions = readFileSync(join(dir, runDir, 'predictions.csv'), 'utf8');
      reference.metrics ??= metrics;
      reference.predictions ??= predictions;
      const same = metrics === reference.metrics && predictions === reference.predictions;
      identical &&= same;
      console.log(JSON.stringify({ round, jobs, seconds: r1(r.seconds), identical: same, loadavg: before }));
    }
    speedups.push(seconds[1]! / seconds[2]!);
  }
  const start = await workerStart(dir, lastJobs2, file, env);
  console.log(
    JSON.stringify({
      bench: 'jobs',
      design: o.design,
      scale: Number(o.scale),
      threads_per_node: Number(o.threads),
      cores: availableParallelism(),
      rounds,
      jobs1_s: { ...stats(times[1]), all: times[1].map(r1) },
      jobs2_s: { ...stats(times[2]), all: times[2].map(r1) },
      speedup: stats(speedups),
      identical,
      worker_start_s: start,
      loadavg: { start: loadStart, end: load() },
      dir,
    }),
  );
  return identical ? 0 : 1;
}
