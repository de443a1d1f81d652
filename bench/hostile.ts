/**
 * `npm run -s bench -- hostile [--rounds N] [--mutants N]`: how long `cvr check` / `cvr fmt` take on the hostile
 * inputs of test/cli/fuzz-hostile.test.ts (the same list, bench/lib/hostile-inputs.ts) and on mutants of the
 * shipped pipelines, against the 5 s target. The test asserts the outcome; this measures the time, in process,
 * each case's median over N rounds with its min–max, and the load average beside it.
 */
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { main as cvrMain } from '../src/cli/main.ts';
import type { CliIo } from '../src/cli/io.ts';
import { randomStream } from '../src/engine/light.ts';
import { hostileCases } from './lib/hostile-inputs.ts';

const TARGET_MS = 5_000;

function option(argv: readonly string[], name: string, fallback: number): number {
  const at = argv.indexOf(name);
  const value = at >= 0 ? Number(argv[at + 1]) : fallback;
  if (!Number.isInteger(value) || value < 1) throw new Error(`${name} takes a whole number ≥ 1`);
  return value;
}

const median = (xs: readonly number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 === 1 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

async function timed(dir: string, args: readonly string[]): Promise<number> {
  const io: CliIo = { stdout: () => undefined, stderr: () => undefined, isTty: false, cwd: dir, env: {} };
  const started = performance.now();
  await cvrMain(args, io);
  return performance.now() - started;
}

export async function main(argv: string[]): Promise<number> {
  const rounds = option(argv, '--rounds', 3);
  const mutants = option(argv, '--mutants', 200);
  const root = new URL('../', import.meta.url).pathname;
  const dir = mkdtempSync(join(tmpdir(), 'cvr-bench-hostile-'));
  const load = [loadavg()[0]];
  try {
    cpSync(join(root, 'pipelines'), join(dir, 'pipelines'), { recursive: true });
    // Untimed: the first command pays for loading the CLI's modules.
    await timed(dir, ['check', join('pipelines', 'cxr.cvr')]);
    const cases = [];
    for (const [what, args] of hostileCases(() => dir)) {
      const argList = args();
      const ms: number[] = [];
      for (let r = 0; r < rounds; r++) ms.push(await timed(dir, argList));
      cases.push({ what, median_ms: Math.round(median(ms)), min_ms: Math.round(Math.min(...ms)), max_ms: Math.round(Math.max(...ms)) });
    }
    // Mutants: a seeded cut-and-insert of each shipped pipeline, like the test's (which draws with fast-check).
    const random = randomStream(17, 'bench', 'hostile-mutants');
    const names = readdirSync(join(dir, 'pipelines')).filter((f) => f.endsWith('.cvr')).sort();
    const pieces = ['', '{', '}', '"', '#', '\n', '->', 'vs', '|', 'ééé', '\u0000', 'extends ', 'NCV', '999999999999', 'classes {'];
    const mutantMs: number[] = [];
    for (let i = 0; i < mutants; i++) {
      const file = names[i % names.length]!;
      const original = readFileSync(join(root, 'pipelines', file), 'utf8');
      const at = random.below(original.length);
      const cut = random.below(40);
      const piece = pieces[random.below(pieces.length)]!;
      writeFileSync(join(dir, 'pipelines', file), original.slice(0, at) + piece + original.slice(at + cut));
      mutantMs.push(await timed(dir, ['check', join('pipelines', file)]));
      writeFileSync(join(dir, 'pipelines', file), original);
    }
    load.push(loadavg()[0]);
    const slowest = Math.max(...cases.map((c) => c.max_ms), ...mutantMs);
    const sorted = [...mutantMs].sort((a, b) => a - b);
    process.stdout.write(
      `${JSON.stringify({
        bench: 'hostile',
        rounds,
        target_ms: TARGET_MS,
        met: slowest < TARGET_MS,
        slowest_ms: Math.round(slowest),
        cases,
        mutants: { n: mutants, median_ms: Math.round(median(mutantMs)), p99_ms: Math.round(sorted[Math.floor(0.99 * (sorted.length - 1))]!), max_ms: Math.round(sorted[sorted.length - 1]!) },
        load_average: load.map((l) => +(l ?? 0).toFixed(2)),
      })}\n`,
    );
    return 0;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
