/**
 * `cvr run FILE [--pipeline NAME] [--engine E] [--out DIR] [--events F] [--seed N] [--cache DIR]`:
 * load and check the file, build the plan, run it (Ink view on a TTY, plain log otherwise) and
 * write the run folder; reruns and interrupted runs resume from the cache.
 */
import { parseArgs } from 'node:util';
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { CliIo } from '../io.ts';
import { EXIT, settleArguments } from '../io.ts';
import type { Diagnostic } from '../../diag/diagnostic.ts';
import { hasErrors } from '../../diag/diagnostic.ts';
import type { ResolvedPipeline } from '../../dsl/resolved.ts';
import type { Plan } from '../../plan/types.ts';
import type { Handlers } from '../../run/executor.ts';
import { resolveCacheDir } from '../../run/cache.ts';
import { envFaultDiagnostic } from '../../run/env-faults.ts';
import { defaultRunDir, runPlan } from '../../run/runner.ts';
import { fanOut, ndjsonFileSink } from '../../run/ndjson.ts';
import { abortOnSigint } from '../../run/interrupt.ts';
import { inkRenderer, plainRenderer, type Renderer } from '../../ui/index.ts';

const USAGE = `usage: cvr run FILE [--pipeline NAME] [--engine E] [--out DIR] [--events F] [--seed N] [--cache DIR]

Runs one pipeline of FILE: audit, training and evaluation, with a live view on a terminal and a
plain log otherwise. Every finished step is cached (--cache DIR, or CVR_CACHE_DIR, default
.cvr-cache/), so a rerun reuses what is unchanged and an interrupted run resumes.
  --pipeline NAME  which pipeline, when FILE declares several
  --engine E       tensor engine (overrides the file's \`engine\`; \`cvr engines\` lists them)
  --seed N         overrides the pipeline's seed
  --out DIR        the run folder (default runs/<pipeline>/<timestamp>)
  --events F       also write every event as one JSON object per line to F
Ctrl-C stops at the next batch boundary; run the same command again to resume.
`;

/** What `cvr run` needs from the other stages; injected so the command is testable alone. */
export interface RunDeps {
  /** Parse, resolve and check FILE. */
  readonly load: (file: string, cwd: string) => Promise<{ readonly pipelines: readonly ResolvedPipeline[]; readonly diagnostics: readonly Diagnostic[] }>;
  readonly renderDiagnostics: (diagnostics: readonly Diagnostic[], cwd: string) => string;
  /** Choose the engine, build the plan and the node handlers for one pipeline. */
  readonly prepare: (
    pipeline: ResolvedPipeline,
    options: { readonly seed: number; readonly engine: string; readonly cacheDir: string },
  ) => Promise<
    | {
        readonly ok: true;
        readonly plan: Plan;
        readonly handlers: Handlers;
        /** The engine actually chosen (`auto` resolved). */
        readonly engine: string;
        readonly lockInfo?: Readonly<Record<string, unknown>>;
        readonly diagnostics?: readonly Diagnostic[];
        /** The pipeline the plan was built from (manifests expanded, engine chosen); written as pipeline.json. */
        readonly pipeline?: ResolvedPipeline;
      }
    | { readonly ok: false; readonly diagnostics: readonly Diagnostic[] }
  >;
  /** The Ink view's output; only used when `io.isTty`. */
  readonly tty?: NodeJS.WriteStream;
  readonly now?: () => Date;
}

type Args = {
  readonly file: string;
  readonly pipeline?: string;
  readonly engine?: string;
  readonly out?: string;
  readonly events?: string;
  readonly seed?: number;
  readonly cache?: string;
};

function parse(argv: readonly string[]): Args | { readonly error: string } | 'help' {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      allowPositionals: true,
      options: {
        pipeline: { type: 'string' },
        engine: { type: 'string' },
        out: { type: 'string' },
        events: { type: 'string' },
        seed: { type: 'string' },
        cache: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (error) {
    return { error: error instanceof Error ? error.message : String(error) };
  }
  const { values, positionals } = parsed;
  if (values.help === true) return 'help';
  if (positionals.length !== 1) return { error: positionals.length === 0 ? 'no file given' : `one file at a time (got ${positionals.length})` };
  let seed: number | undefined;
  if (values.seed !== undefined) {
    seed = Number(values.seed);
    if (!/^\d+$/.test(values.seed) || !Number.isSafeInteger(seed)) return { error: `--seed takes a whole number ≥ 0, not "${values.seed}"` };
  }
  return {
    file: positionals[0] as string,
    ...(values.pipeline !== undefined && { pipeline: values.pipeline }),
    ...(values.engine !== undefined && { engine: values.engine }),
    ...(values.out !== undefined && { out: values.out }),
    ...(values.events !== undefined && { events: values.events }),
    ...(seed !== undefined && { seed }),
    ...(values.cache !== undefined && { cache: values.cache }),
  };
}

export async function runWith(argv: readonly string[], io: CliIo, deps: RunDeps): Promise<number> {
  const args = settleArguments('run', USAGE, parse(argv), io);
  if (typeof args === 'number') return args;
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
  const cacheDir = resolveCacheDir(io.cwd, args.cache, io.env);
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

  const runDir = args.out !== undefined ? resolve(io.cwd, args.out) : defaultRunDir(io.cwd, pipeline.name, (deps.now ?? (() => new Date()))());
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
  const { realRunDeps } = await import('../../run/wiring.ts');
  return runWith(argv, io, { ...realRunDeps(), tty: process.stdout });
}
