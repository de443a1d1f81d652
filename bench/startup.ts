/**
 * `npm run -s bench -- startup [--rounds N]`: wall time of `cvr --version` and of
 * `cvr check pipelines/*.cvr` as a user starts them (a new `node bin/cvr.mjs` process), from the
 * compiled build (dist/, what `npm ci` leaves) against the TypeScript sources through tsx (the
 * baseline, CVR_FROM_SOURCE=1), interleaved A B A B … in one run. Targets: --version < 0.15 s,
 * check < 0.5 s, on an idle 2-core machine. Builds dist/ first when it is missing or stale.
 */
import { spawnSync } from 'node:child_process';
import { loadavg } from 'node:os';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));

// GNU time reports the child's CPU seconds: on a loaded shared machine, CPU time is what the
// wall time would be on an idle one (a start-up is single-threaded).
const GNU_TIME = existsSync('/usr/bin/time') ? '/usr/bin/time' : undefined;

function timeOnce(args: readonly string[], fromSource: boolean): { wall: number; cpu: number | undefined } {
  const command = [process.execPath, join(root, 'bin', 'cvr.mjs'), ...args];
  const started = process.hrtime.bigint();
  const result = spawnSync(GNU_TIME ?? command[0]!, GNU_TIME === undefined ? command.slice(1) : ['-f', 'cpu %U %S', ...command], {
    cwd: root,
    env: { ...process.env, CVR_FROM_SOURCE: fromSource ? '1' : '0' },
    encoding: 'utf8',
  });
  const wall = Number(process.hrtime.bigint() - started) / 1e9;
  if (result.status !== 0) throw new Error(`cvr ${args.join(' ')} exited ${result.status}: ${result.stderr}`);
  const m = /cpu ([\d.]+) ([\d.]+)\s*$/.exec(result.stderr);
  return { wall, cpu: m === null ? undefined : Number(m[1]) + Number(m[2]) };
}

function summary(values: number[]): { median: number; min: number; max: number } {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  const median = sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
  const r = (x: number): number => +x.toFixed(3);
  return { median: r(median), min: r(sorted[0]!), max: r(sorted[sorted.length - 1]!) };
}

export async function main(argv: string[]): Promise<number> {
  const at = argv.indexOf('--rounds');
  const rounds = at >= 0 ? Number(argv[at + 1]) : 7;
  const build = spawnSync(process.execPath, [join(root, 'scripts', 'build.mjs'), '--strict'], { cwd: root, encoding: 'utf8' });
  if (build.status !== 0) throw new Error(`the build failed: ${build.stderr}`);
  const pipelines = readdirSync(join(root, 'pipelines')).filter((f) => f.endsWith('.cvr')).map((f) => join('pipelines', f));
  const cases = { version: ['--version'], check: ['check', ...pipelines] } as const;
  const load = loadavg()[0];
  for (const [name, args] of Object.entries(cases)) {
    timeOnce(args, false); // warm the file cache for both sides
    timeOnce(args, true);
    const compiled: { wall: number; cpu: number | undefined }[] = [];
    const source: { wall: number; cpu: number | undefined }[] = [];
    for (let i = 0; i < rounds; i++) {
      compiled.push(timeOnce(args, false));
      source.push(timeOnce(args, true));
    }
    const c = summary(compiled.map((x) => x.wall));
    const s = summary(source.map((x) => x.wall));
    const cpu = (xs: typeof compiled) => (xs.every((x) => x.cpu !== undefined) ? summary(xs.map((x) => x.cpu!)) : null);
    const target = name === 'version' ? 0.15 : 0.5;
    process.stdout.write(
      `${JSON.stringify({ bench: 'startup', case: name, rounds, compiled_s: c, source_s: s, compiled_cpu_s: cpu(compiled), source_cpu_s: cpu(source), speedup: +(s.median / c.median).toFixed(2), target_s: target, met_wall: c.median < target, rounds_compiled: compiled.map((x) => +x.wall.toFixed(3)), rounds_source: source.map((x) => +x.wall.toFixed(3)), loadavg_before: +(load ?? 0).toFixed(2), loadavg_after: +(loadavg()[0] ?? 0).toFixed(2) })}\n`,
    );
  }
  return 0;
}
