/**
 * `cvr run-node FILE --pipeline NAME --seed N --engine E --cache DIR --out DIR (--key K | --serve)`
 * (internal, not listed): plans FILE again exactly as `cvr run` did and runs one node by key
 * (a Slurm job), or serves the nodes a parent `cvr run --jobs N` sends (a worker process).
 * Exit 0 when the node is done (or was cached), 1 when it failed, 130 when it was stopped.
 */
import { resolve } from 'node:path';
import type { CliIo } from '../io.ts';
import { EXIT } from '../io.ts';
import { settleCommandLine, type OptionValues } from '../args.ts';
import { RUN_NODE } from '../specs.ts';
import { projectBase } from '../project.ts';
import { hasErrors } from '../../diag/index.ts';
import { makeDiagnostic } from '../../dsl/index.ts';
import { fanOut, loadRunDeps, ndjsonFileSink, readPrepared, resolveCacheDir, runPreparedNode, serveNodes, type PreparedNodes, type RunDeps } from '../../run/index.ts';
import { plainRenderer } from '../../ui/index.ts';

export async function runNodeWith(argv: readonly string[], io: CliIo, deps: Omit<RunDeps, 'tty'>): Promise<number> {
  const parsed = settleCommandLine(RUN_NODE, argv, io);
  if (typeof parsed === 'number') return parsed;
  const args = parsed.values;
  const file = parsed.positional[0]!;
  if ((args.key === undefined) === (args.serve !== true) || args.out === undefined) {
    io.stderr('cvr run-node: give --out DIR and exactly one of --key K and --serve\n');
    return EXIT.usage;
  }
  const nodes = args.prepared !== undefined && deps.restore !== undefined ? await restored(resolve(io.cwd, args.prepared), deps, io) : await planned(file, args, resolve(io.cwd, args.out), deps, io);
  if (typeof nodes === 'number') return nodes;
  if (args.serve === true) return serveNodes(nodes);

  // One node (a Slurm job): a plain log on stdout (the job's log file), events appended to --events.
  const log = plainRenderer(io.stdout);
  const events = args.events !== undefined ? ndjsonFileSink(resolve(io.cwd, args.events), { append: true }) : undefined;
  const controller = new AbortController();
  const stop = (): void => controller.abort();
  // scancel sends SIGTERM (SIGKILL after KillWait): stop at the next batch boundary, after a checkpoint.
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  try {
    const outcome = await runPreparedNode(nodes, args.key!, events !== undefined ? fanOut(log.sink, events.sink) : log.sink, controller.signal);
    await log.close();
    if (outcome.status === 'done') return EXIT.ok;
    if (outcome.status === 'cancelled') return 130;
    io.stderr(deps.renderDiagnostics(outcome.diagnostics, io.cwd));
    return outcome.isBug ? EXIT.internal : EXIT.failed;
  } finally {
    process.off('SIGTERM', stop);
    process.off('SIGINT', stop);
    events?.close();
  }
}

/** The plan the run saved for its workers and jobs, with handlers built here (no scan, no planning). */
async function restored(file: string, deps: Omit<RunDeps, 'tty'>, io: CliIo): Promise<PreparedNodes | number> {
  const saved = await readPrepared(file);
  if ('problem' in saved) {
    io.stderr(deps.renderDiagnostics([makeDiagnostic('CVR877', undefined, `cannot start from the run's saved plan: ${saved.problem}`, { hint: 'run the whole pipeline again with `cvr run`: it writes the file anew' })], io.cwd));
    return EXIT.failed;
  }
  const handlers = await deps.restore!(saved);
  if (!handlers.ok) {
    io.stderr(deps.renderDiagnostics(handlers.diagnostics, io.cwd));
    return EXIT.failed;
  }
  return { plan: saved.plan, handlers: handlers.handlers, engine: handlers.engine, seed: saved.seed, cacheDir: saved.cacheDir, runDir: saved.runDir };
}

/** FILE loaded and planned again, as `cvr run` did (a Slurm job or worker started without --prepared). */
async function planned(file: string, args: OptionValues<typeof RUN_NODE>, runDir: string, deps: Omit<RunDeps, 'tty'>, io: CliIo): Promise<PreparedNodes | number> {
  const loaded = await deps.load(file, io.cwd);
  if (hasErrors(loaded.diagnostics)) {
    io.stderr(deps.renderDiagnostics(loaded.diagnostics, io.cwd));
    return EXIT.failed;
  }
  const pipeline = args.pipeline === undefined && loaded.pipelines.length === 1 ? loaded.pipelines[0] : loaded.pipelines.find((p) => p.name === args.pipeline);
  if (pipeline === undefined) {
    io.stderr(`cvr run-node: ${file} has no pipeline "${args.pipeline ?? ''}"\n`);
    return EXIT.usage;
  }
  const seed = args.seed ?? pipeline.seed;
  const cacheDir = resolveCacheDir(io.cwd, args.cache, io.env, projectBase(io.cwd));
  const prepared = await deps.prepare(pipeline, { seed, engine: args.engine ?? pipeline.engine, cacheDir });
  if (!prepared.ok) {
    io.stderr(deps.renderDiagnostics(prepared.diagnostics, io.cwd));
    return EXIT.failed;
  }
  return { plan: prepared.plan, handlers: prepared.handlers, engine: prepared.engine, seed, cacheDir, runDir };
}

export async function run(argv: readonly string[], io: CliIo): Promise<number> {
  return runNodeWith(argv, io, await loadRunDeps());
}
