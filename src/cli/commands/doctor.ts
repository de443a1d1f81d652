/** `cvr doctor`: what a bug report needs, in one place. */
import { arch, cpus, platform, release, totalmem } from 'node:os';
import { cvrVersion, runsCompiled } from '../../diag/index.ts';
import { probeEngines, realProbeHost, type ProbeHost } from '../../engine/index.ts';
import { resolveCacheDir } from '../../run/index.ts';
import type { CliIo } from '../io.ts';
import { EXIT } from '../io.ts';
import { settleCommandLine } from '../args.ts';
import { DOCTOR } from '../specs.ts';
import { findProjectRoot } from '../project.ts';
import { diskUsage } from '../disk-usage.ts';

function humanBytes(n: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = n;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${unit === 0 ? value : value.toFixed(1)} ${units[unit]}`;
}

export async function run(argv: readonly string[], io: CliIo, host: ProbeHost = realProbeHost()): Promise<number> {
  const args = settleCommandLine(DOCTOR, argv, io);
  if (typeof args === 'number') return args;
  const root = findProjectRoot(io.cwd);
  const cacheDir = resolveCacheDir(io.cwd, args.values.cache, io.env, root ?? io.cwd);
  const [{ engines, auto }, cache] = await Promise.all([probeEngines(host), diskUsage(cacheDir)]);
  const doc = {
    cvr: cvrVersion(),
    build: runsCompiled() ? 'compiled (dist/)' : 'sources (tsx)',
    node: process.version,
    os: `${platform()} ${release()} ${arch()}`,
    cpus: cpus().length,
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    project: root ?? null,
    cache: { path: cacheDir, exists: cache.exists, files: cache.files, bytes: cache.bytes },
    threads: { CVR_NATIVE_THREADS: io.env['CVR_NATIVE_THREADS'] ?? null, OMP_NUM_THREADS: io.env['OMP_NUM_THREADS'] ?? null },
    engines,
    auto,
  };
  if (args.values.format === 'json') {
    io.stdout(`${JSON.stringify(doc, null, 2)}\n`);
    return EXIT.ok;
  }
  const width = Math.max(...engines.map((e) => e.name.length));
  const lines = [
    `cvr      ${doc.cvr} (${doc.build})`,
    `node     ${doc.node} on ${doc.os}, ${doc.cpus} cores, ${doc.memoryGiB} GiB`,
    `project  ${root ?? '(none: no cvr.json here or above; the cache and runs/ live in the working folder)'}`,
    `cache    ${cacheDir}: ${cache.exists ? `${cache.files} files, ${humanBytes(cache.bytes)}` : 'not created yet'}`,
    `threads  CVR_NATIVE_THREADS=${doc.threads.CVR_NATIVE_THREADS ?? '(unset)'} OMP_NUM_THREADS=${doc.threads.OMP_NUM_THREADS ?? '(unset)'}`,
    'engines',
    ...engines.map((e) => `  ${e.available ? 'yes' : 'no '}  ${e.name.padEnd(width)}  ${e.reason}${e.available || e.hint === undefined ? '' : `\n  ${' '.repeat(width + 5)}hint: ${e.hint}`}`),
    `  auto picks: ${auto}`,
  ];
  io.stdout(`${lines.join('\n')}\n`);
  return EXIT.ok;
}
