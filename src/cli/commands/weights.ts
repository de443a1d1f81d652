/**
 * `cvr weights fetch MODEL…` · `cvr weights export RUN_DIR MODEL OUT.h5` · `cvr weights info FILE`:
 * Keras `.h5` weights without Python (docs/weights.md).
 */
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Diagnostic } from '../../diag/index.ts';
import type { ResolvedPipeline } from '../../dsl/index.ts';
import { KERAS_WEIGHTS, kerasFilesFor, weightsDir } from '../../models/index.ts';
import type { CliIo } from '../io.ts';
import { EXIT } from '../io.ts';
import { formatDiagnostic } from './flags.ts';
import { settleCommandLine, usageError } from '../args.ts';
import { WEIGHTS } from '../specs.ts';

export async function run(argv: readonly string[], io: CliIo): Promise<number> {
  const parsed = settleCommandLine(WEIGHTS, argv, io);
  if (typeof parsed === 'number') return parsed;
  // The subcommands read their options as text (the table has validated them already).
  const values = Object.fromEntries(Object.entries(parsed.values).map(([k, x]) => [k, String(x)]));
  const [sub, ...args] = parsed.positional;
  switch (sub) {
    case 'fetch':
      return fetchCommand(args, values, io);
    case 'export':
      return exportCommand(args, values, io);
    case 'info':
      return infoCommand(args, values, io);
    case undefined:
      return usage(io, 'say fetch, export or info');
    default:
      return usage(io, `unknown subcommand "${sub}"`);
  }
}

function usage(io: CliIo, error: string): number {
  return usageError(WEIGHTS, error, io);
}

function printAll(io: CliIo, diagnostics: readonly Diagnostic[]): void {
  for (const d of diagnostics) io.stderr(formatDiagnostic(d, io.cwd));
}

async function fetchCommand(args: readonly string[], v: Readonly<Record<string, string | undefined>>, io: CliIo): Promise<number> {
  if (args.length === 0) return usage(io, 'fetch needs at least one MODEL');
  const known = [...Object.keys(KERAS_WEIGHTS), 'cvrnet'];
  const names = args.includes('all') ? Object.keys(KERAS_WEIGHTS) : args;
  const unknown = names.filter((n) => !known.includes(n));
  if (unknown.length > 0) return usage(io, `no ImageNet weights for ${unknown.map((n) => `"${n}"`).join(', ')}: models are ${known.join(', ')}`);
  const files = [...new Map(names.flatMap((n) => kerasFilesFor(n)).map(([, f]) => [f.file, f])).values()];
  const dir = v['dir'] !== undefined ? resolve(io.cwd, v['dir']) : weightsDir(io.env);
  const { fetchWeightsFile } = await import('../../models/index.ts');
  let failed = false;
  for (const f of files) {
    let shown = -1;
    const outcome = await fetchWeightsFile(f, {
      dir,
      env: io.env,
      onProgress: (name, bytes, total) => {
        // A line per tenth, not a redrawn bar: the output stays readable in logs and CI.
        const tenth = total === undefined ? Math.floor(bytes / 10_000_000) : Math.floor((10 * bytes) / total);
        if (tenth !== shown && io.isTty) io.stderr(`  ${name}: ${mb(bytes)}${total === undefined ? '' : ` of ${mb(total)}`}\n`);
        shown = tenth;
      },
    });
    if (!outcome.ok) {
      printAll(io, outcome.diagnostics);
      failed = true;
      continue;
    }
    const resumed = outcome.resumedAt.filter((n) => n > 0);
    const how = outcome.status === 'present' ? 'already there, md5 checked' : `downloaded${resumed.length > 0 ? ` (resumed at ${resumed.map(mb).join(', ')})` : ''}, md5 ${f.hash.hex} checked`;
    io.stdout(`${outcome.path}  ${mb(outcome.bytes)}  ${how}\n`);
  }
  return failed ? EXIT.failed : EXIT.ok;
}

async function exportCommand(args: readonly string[], v: Readonly<Record<string, string | undefined>>, io: CliIo): Promise<number> {
  const [runArg, model, outArg] = args;
  if (runArg === undefined || model === undefined || outArg === undefined || args.length > 3) return usage(io, 'export needs RUN_DIR MODEL OUT.h5');
  const fold = Number(v['fold'] ?? '0');
  if (!Number.isInteger(fold) || fold < 0) return usage(io, `--fold needs a fold number, not "${v['fold']}"`);
  const runDir = resolve(io.cwd, runArg);
  const out = resolve(io.cwd, outArg);
  const fail = (message: string, hint: string): number => {
    printAll(io, [{ code: 'CVR724', severity: 'error', message, file: runDir, hint }]);
    return EXIT.failed;
  };
  const pipeline = readJson<ResolvedPipeline>(join(runDir, 'pipeline.json'));
  const lock = readJson<{ nodes?: Record<string, string> }>(join(runDir, 'lock.json'));
  if (pipeline === undefined || lock === undefined) return fail(`${runDir} is not a run folder: it needs pipeline.json and lock.json`, 'give the folder `cvr run` wrote (runs/<pipeline>/<name>/)');
  const declared = pipeline.models.find((m) => m.name === model);
  if (declared === undefined) return fail(`the run trained no model "${model}"`, `models of this run: ${pipeline.models.map((m) => m.name).join(', ')}`);
  const id = `train:${model}:${fold}`;
  const key = lock.nodes?.[id];
  if (key === undefined) return fail(`the run has no node ${id}`, `folds: ${Object.keys(lock.nodes ?? {}).filter((n) => n.startsWith(`train:${model}:`)).join(', ') || 'none'}`);
  const { NodeCache, resolveCacheDir } = await import('../../run/index.ts');
  const cacheDir = v['cache'] !== undefined ? resolveCacheDir(io.cwd, v['cache'], io.env) : (planCacheDir(runDir) ?? resolveCacheDir(io.cwd, undefined, io.env));
  const file = join(new NodeCache(cacheDir).entryDir(key), 'weights.bin');
  if (!existsSync(file)) return fail(`the trained weights of ${id} are not in the cache: no ${file}`, 'give the cache the run used with --cache DIR, or run the pipeline again (`cvr run`) to recompute them');

  const { buildModel, saveKerasWeights } = await import('../../models/index.ts');
  const { loadModelWeights } = await import('../../train/index.ts');
  const built = buildModel(model, {
    size: pipeline.image.width,
    channels: pipeline.image.channels,
    classes: pipeline.task.classes.length,
    width: declared.width,
    seed: 0,
    nodeKey: id,
    init: 'zeros',
    ...(typeof declared.options['bn_momentum'] === 'number' && { bnMomentum: declared.options['bn_momentum'] }),
  });
  if (!built.ok) {
    printAll(io, built.diagnostics);
    return EXIT.failed;
  }
  try {
    if (!(await loadModelWeights(built.model, file))) return fail(`${file} does not hold ${model} weights for this run's settings`, 'the cache entry is damaged or from another cvr version: run the pipeline again');
    const written = await saveKerasWeights(built.model, out);
    io.stdout(
      `${out}: ${written.layers} layers with weights, ${written.parameters.toLocaleString('en-US')} parameters (${id}, width ${declared.width}, ${pipeline.image.width} × ${pipeline.image.width} × ${pipeline.image.channels}, ${pipeline.task.classes.length} classes)\n` +
        `cvr loads it with \`weights "${outArg}"\`; Keras with model.load_weights("${outArg}") on the same architecture (see docs/weights.md)\n`,
    );
    return EXIT.ok;
  } finally {
    built.model.dispose();
  }
}

async function infoCommand(args: readonly string[], v: Readonly<Record<string, string | undefined>>, io: CliIo): Promise<number> {
  const [fileArg] = args;
  if (fileArg === undefined || args.length > 1) return usage(io, 'info needs one FILE');
  const format = v['format'] ?? 'text';
  if (format !== 'text' && format !== 'json') return usage(io, `--format must be text or json, not "${format}"`);
  const { weightsInfo } = await import('../../models/index.ts');
  const result = await weightsInfo(resolve(io.cwd, fileArg));
  if (!result.ok) {
    printAll(io, result.diagnostics);
    return EXIT.failed;
  }
  const info = result.info;
  if (format === 'json') {
    io.stdout(`${JSON.stringify(info, null, 2)}\n`);
    return EXIT.ok;
  }
  const lines: string[] = [];
  for (const f of info.files) lines.push(`${f.path}: ${f.format === 'keras-h5' ? 'Keras HDF5' : 'tfjs layers model'}${f.backend !== undefined ? `, backend ${f.backend}` : ''}${f.kerasVersion !== undefined ? `, Keras ${f.kerasVersion}` : ''}`);
  lines.push(`${info.layers.length} layers with weights, ${info.parameters.toLocaleString('en-US')} parameters`);
  if (info.fits.length === 0) {
    lines.push('fits no model of the registry');
    if (info.closest !== undefined) lines.push(`closest: ${info.closest.model} at width ${info.closest.width} (${info.closest.matched} layers fit); first differences:\n  ${info.closest.differing.join('\n  ')}`);
  }
  for (const fit of info.fits) {
    const rest = fit.untouched.length === 0 ? 'every layer' : `${fit.loaded} layers; ${fit.untouched.length} keep their initialisation (${fit.untouched.slice(0, 3).join(', ')}${fit.untouched.length > 3 ? ', …' : ''})`;
    lines.push(`fits ${fit.model} at width ${fit.width}, ${fit.channels} channel(s), ${fit.classes} classes: ${rest}${fit.branchOf !== undefined ? `; also the ${fit.model} branch of ${fit.branchOf}` : ''}`);
  }
  const nameWidth = Math.max(0, ...info.layers.map((l) => l.name.length));
  lines.push('', ...info.layers.map((l) => `  ${l.name.padEnd(nameWidth)}  ${l.weights.map((w) => `${w.name} [${w.shape.join(',')}]`).join('  ')}`));
  io.stdout(`${lines.join('\n')}\n`);
  return info.fits.length > 0 ? EXIT.ok : EXIT.failed;
}

function readJson<T>(path: string): T | undefined {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as T;
  } catch {
    return undefined;
  }
}

/** The cache the run used: the run's `plan` event (events.ndjson) records it. */
function planCacheDir(runDir: string): string | undefined {
  let text: string;
  try {
    text = readFileSync(join(runDir, 'events.ndjson'), 'utf8');
  } catch {
    return undefined;
  }
  for (const line of text.split('\n')) {
    if (!line.includes('"plan"')) continue;
    try {
      const event = JSON.parse(line) as { type?: string; cacheDir?: unknown };
      if (event.type === 'plan' && typeof event.cacheDir === 'string') return event.cacheDir;
    } catch {
      // A torn last line of a killed run: keep looking.
    }
  }
  return undefined;
}

function mb(bytes: number): string {
  return `${(bytes / 1_000_000).toFixed(1)} MB`;
}
