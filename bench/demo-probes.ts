/**
 * `npm run -s bench -- demo-probes [--rounds R] [--seed N] [--engine E]` (docs/probes.md, the
 * issue's target: the probes add at most 50 % to the demo's time). Runs `npm run demo` (the
 * three designs of examples/shortcut/, exactly as a user would) without and with its probes,
 * interleaved (without, with, without, with, …), each round with a fresh cache so that nothing
 * is reused, the synthetic data written once before the first round (`--keep-data` after it).
 * Both sides get the same `--jobs` (`--jobs N`, else the demo's own rule applied once before the
 * first round, while the machine is as idle as it will be), printed in the JSON.
 * Prints one JSON object: the wall seconds of every round, median and min–max of each mode, the
 * ratio of the medians (with / without; the target is ≤ 1.5), the per-round ratios, and the
 * load average before and after; and `sameModelNumbers`: per design, whether the main model's
 * metrics (every fold's) are the same bytes with and without probes, as they must be (the probes
 * only add nodes; the copies without them live in another folder, which must not matter).
 */
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseBenchArgs } from './lib/bench-args.ts';
import { DESIGNS, demoJobs } from '../scripts/demo.ts';

const ROOT = resolve(import.meta.dirname, '..');
const median = (xs: readonly number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};
const round = (x: number, digits = 1): number => Number(x.toFixed(digits));

/** The demo's synth scale (scripts/demo.ts SCALE; the native engine's full work). */
const DEMO_SCALE = '0.5';

function run(command: string, args: readonly string[], cwd: string): Promise<number> {
  return new Promise((done, fail) => {
    const t0 = performance.now();
    const child = spawn(command, args, { cwd, stdio: ['ignore', process.stderr, process.stderr], env: { ...process.env, CI: '1' } });
    child.on('error', fail);
    child.on('exit', (code) => (code === 0 ? done((performance.now() - t0) / 1000) : fail(new Error(`${args.slice(1).join(' ')} exited with ${code}`))));
  });
}

/** One `npm run demo` (via tsx, as the npm script does); its output goes to stderr; resolves to wall seconds. */
function demo(args: readonly string[]): Promise<number> {
  return run(process.execPath, [join(ROOT, 'node_modules/tsx/dist/cli.mjs'), join(ROOT, 'scripts/demo.ts'), ...args], ROOT);
}

export async function main(argv: string[]): Promise<number> {
  const a = parseBenchArgs(argv, { rounds: '2', seed: '1', engine: 'auto', jobs: '' });
  const jobs = a.jobs !== '' ? a.jobs : demoJobs({ ...process.env, CVR_NATIVE_THREADS: process.env['CVR_NATIVE_THREADS'] ?? '1' });
  const rounds = Number(a.rounds);
  const work = await mkdtemp(join(tmpdir(), 'cvr-bench-demo-probes-'));
  const loadBefore = loadavg().map((x) => round(x, 2));
  const seconds: Record<'without' | 'with', number[]> = { without: [], with: [] };
  const same: Record<string, boolean> = {};
  try {
    // The data, once, with the command the demo runs (the same for both modes, so not timed).
    await run(process.execPath, [join(ROOT, 'bin/cvr.mjs'), 'synth', '--preset', 'shortcut', '--scale', DEMO_SCALE, '--out', 'data'], join(ROOT, 'examples/shortcut'));
    for (let r = 0; r < rounds; r++) {
      for (const mode of ['without', 'with'] as const) {
        const cache = join(work, `cache-${mode}-${r}`);
        const args = ['--seed', a.seed, '--engine', a.engine, '--cache', cache, '--keep-data', '--jobs', jobs, ...(mode === 'without' ? ['--no-probes'] : [])];
        seconds[mode].push(round(await demo(args)));
        await rm(cache, { recursive: true, force: true });
      }
      for (const { design } of DESIGNS) {
        const models = async (suffix: string): Promise<string> => {
          const m = JSON.parse(await readFile(join(ROOT, 'examples/shortcut/runs', `${design}-seed${a.seed}${suffix}`, 'metrics.json'), 'utf8')) as { models: unknown };
          return JSON.stringify(m.models);
        };
        same[design] = (same[design] ?? true) && (await models('')) === (await models('-no-probes'));
      }
    }
  } finally {
    await rm(work, { recursive: true, force: true });
  }
  const summary = (xs: readonly number[]) => ({ median: round(median(xs)), min: Math.min(...xs), max: Math.max(...xs), rounds: xs });
  const ratio = median(seconds.with) / median(seconds.without);
  process.stdout.write(
    `${JSON.stringify({
      bench: 'demo-probes',
      seed: Number(a.seed),
      engine: a.engine,
      jobs: Number(jobs),
      rounds,
      withoutProbesSeconds: summary(seconds.without),
      withProbesSeconds: summary(seconds.with),
      ratio: round(ratio, 3),
      ratioPerRound: seconds.with.map((w, i) => round(w / seconds.without[i]!, 3)),
      target: 1.5,
      met: ratio <= 1.5,
      sameModelNumbers: same,
      loadavg: { before: loadBefore, after: loadavg().map((x) => round(x, 2)) },
    })}\n`,
  );
  return 0;
}
