/**
 * `cvr run FILE [--pipeline NAME] [--engine E] [--out DIR] [--events F] [--seed N] [--cache DIR]`:
 * load and check the file, build the plan, run it (Ink view on a TTY, plain log otherwise) and
 * write the run folder; reruns and interrupted runs resume from the cache.
 */
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { CliIo } from '../io.ts';
import { EXIT } from '../io.ts';
import { settleCommandLine } from '../args.ts';
import { RUN } from '../specs.ts';
import { projectBase } from '../project.ts';
import { hasErrors } from '../../diag/index.ts';
import type { ResolvedPipeline } from '../../dsl/index.ts';
import { resolveCacheDir, defaultRunDir, runPlan, fanOut, ndjsonFileSink, abortOnSigint, loadRunDeps, envFaultDiagnostic, workerSpawner, jobsExecutor, savePrepared, type RunDeps } from '../../run/index.ts';
import { slurmExecutor, slurmOptionsOf } from './run-slurm.ts';
import { inkRenderer, plainRenderer, type Renderer } from '../../ui/index.ts';

export type { RunDeps };

export async function runWith(argv: readonly string[], io: CliIo, deps: RunDeps): Promise<number> {
  const parsed = settleCommandLine(RUN, argv, io);
  if (typeof parsed === 'number') return parsed;
  const args = { ...parsed.values, file: parsed.positional[0]! };
  const loaded = await deps.load(args.file, io.cwd);
  if (loaded.diagnostics.length > 0) io.stderr(deps.renderDiagnostics(loaded.diagnostics, io.cwd));
  if (hasErrors(loaded.diagnostics)) return EXIT.failed;
  const names = loaded.pipelines.map((p) => p.name);
  let pipeline: ResolvedPipeline | undefined;
  if (args.pipeline !== undefined) {
    pipeline = loaded.pipelines.find((p) => p.name === args.pipeline);
    if (pipeline === undefined) {
      io.stderr(`cvr run: ${args.file} has no pipeline "${args.pipeline}"; it has: ${names.join(', ') || 'none'}\n`);
      return EXIT.usage;
    }
  } else if (loaded.pipelines.length === 1) {
    pipeline = loaded.pipelines[0];
  } else {
    io.stderr(
      loaded.pipelines.length === 0
        ? `cvr run: ${args.file} declares no pipeline\n`
        : `cvr run: ${args.file} declares ${names.length} pipelines (${names.join(', ')}); choose one with --pipeline NAME\n`,
    );
    return EXIT.usage;
  }
  if (pipeline === undefined) return EXIT.usage;

  const seed = args.seed ?? pipeline.seed;
  const base = projectBase(io.cwd);
  const cacheDir = resolveCacheDir(io.cwd, args.cache, io.env, base);
  let prepared;
  try {
    prepared = await deps.prepare(pipeline, { seed, engine: args.engine ?? pipeline.engine, cacheDir });
  } catch (error) {
    // A read-only, full or vanished disk while planning: its diagnostic, not a stack trace.
    const fault = envFaultDiagnostic(error, { cacheDir });
    if (fault === undefined) throw error;
    io.stderr(deps.renderDiagnostics([fault], io.cwd));
    return EXIT.failed;
  }
  const prepDiagnostics = prepared.diagnostics ?? [];
  if (prepDiagnostics.length > 0) io.stderr(deps.renderDiagnostics(prepDiagnostics, io.cwd));
  if (!prepared.ok) return EXIT.failed;

  const slurm = slurmOptionsOf(args, io, deps, pipeline);
  if (slurm === 'invalid') return EXIT.failed;
  const runDir = args.out !== undefined ? resolve(io.cwd, args.out) : defaultRunDir(base, pipeline.name, (deps.now ?? (() => new Date()))());
  const remoteDir = slurm !== undefined ? 'slurm' : args.jobs !== undefined && args.jobs > 1 ? 'workers' : undefined;
  // Workers and Slurm jobs start from this plan (`run-node --prepared`) instead of planning the file again.
  const preparedFile = remoteDir === undefined ? undefined : join(runDir, remoteDir, 'prepared.json');
  if (preparedFile !== undefined) {
    try {
      await savePrepared(preparedFile, { plan: prepared.plan, pipeline: prepared.pipeline ?? pipeline, engine: prepared.engine, seed, cacheDir, runDir });
    } catch (error) {
      const fault = envFaultDiagnostic(error, { cacheDir, runDir });
      if (fault === undefined) throw error;
      io.stderr(deps.renderDiagnostics([fault], io.cwd));
      return EXIT.failed;
    }
  }
  const command = { file: resolve(io.cwd, args.file), pipeline: pipeline.name, seed, engine: prepared.engine, cacheDir, runDir, cwd: io.cwd, env: io.env, ...(preparedFile !== undefined && { prepared: preparedFile }) };
  const renderer: Renderer = io.isTty && deps.tty !== undefined ? inkRenderer(deps.tty) : plainRenderer(io.stdout);
  const eventsFile = args.events !== undefined ? ndjsonFileSink(resolve(io.cwd, args.events)) : undefined;
  const controller = new AbortController();
  // The runner announces the stop as an event, so the view draws it instead of a stray write.
  const stopListening = abortOnSigint(controller);
  let pipelineText: string | undefined;
  try {
    pipelineText = await readFile(pipeline.file, 'utf8');
  } catch {
    pipelineText = undefined;
  }
  try {
    const outcome = await runPlan({
      plan: prepared.plan,
      handlers: prepared.handlers,
      cacheDir,
      runDir,
      seed,
      engine: prepared.engine,
      classes: pipeline.task.classes,
      ...(pipelineText !== undefined && { pipelineText }),
      resolvedPipeline: prepared.pipeline ?? pipeline,
      ...(prepared.lockInfo !== undefined && { lockInfo: prepared.lockInfo }),
      sink: eventsFile !== undefined ? fanOut(renderer.sink, eventsFile.sink) : renderer.sink,
      signal: controller.signal,
      ...(slurm !== undefined
        ? { remote: slurmExecutor(command, slurm) }
        : args.jobs !== undefined && args.jobs > 1 && { remote: jobsExecutor(args.jobs, workerSpawner(command)) }),
    });
    await renderer.close();
    switch (outcome.status) {
      case 'done':
        return EXIT.ok;
      case 'cancelled':
        return 130;
      case 'failed':
        if (outcome.isBug) {
          io.stderr(`cvr run: internal error in ${outcome.failedId} — this is a bug; please report it with the command and this text:\n${outcome.message}\n`);
          return EXIT.internal;
        }
        // The view or the log has already shown the node's diagnostics.
        io.stderr(`cvr run: stopped at ${outcome.failedId}; what finished is cached, fix the problem and run again\n`);
        if (outcome.failedId === 'cache' || outcome.failedId === 'run folder') io.stderr(deps.renderDiagnostics(outcome.diagnostics, io.cwd));
        return EXIT.failed;
      default: {
        const unknown: never = outcome;
        return unknown;
      }
    }
  } finally {
    stopListening();
    eventsFile?.close();
  }
}

export async function run(argv: readonly string[], io: CliIo): Promise<number> {
  return runWith(argv, io, { ...(await loadRunDeps()), tty: process.stdout });
}
