/**
 * One node, ready to run (its inputs' outputs at hand): reuse its cache entry when that passes
 * the integrity check (a corrupt one is reported, CVR851, discarded and recomputed), else run
 * its handler in a staging folder and commit the result. The same step runs in the executor's
 * own process (`--jobs 1`), in a worker process (`--jobs N`, worker.ts) and in a Slurm job
 * (`cvr run-node`), so the three give the same events, the same cache entries and the same bytes.
 *
 * The outcome is a value: done (fresh or cached) with the output as dependents see it (after a
 * JSON round trip), failed with diagnostics, or cancelled.
 */
import type { PlanNode } from '../plan/index.ts';
import type { Diagnostic } from '../diag/index.ts';
import type { EventSink } from './events.ts';
import type { NodeCache } from './cache.ts';
import type { HandlerEntry, NodeContext } from './handler-types.ts';
import { rm } from 'node:fs/promises';
import { ensureDir } from '../data/index.ts';
import { makeDiagnostic } from '../dsl/index.ts';
import { diagnosticLines, NodeFailure, toNodeResult } from './node-result.ts';
import { envFaultDiagnostic } from './env-faults.ts';

export type StepOutcome =
  | { readonly status: 'done'; readonly cached: boolean; readonly output: unknown }
  | { readonly status: 'cancelled' }
  | {
      readonly status: 'failed';
      /** The error thrown, when there was one (kept for the bug report's stack). */
      readonly error?: unknown;
      readonly message: string;
      readonly diagnostics: readonly Diagnostic[];
      readonly isBug: boolean;
    };

/** What one step needs besides the node and its inputs. */
export interface StepEnv {
  readonly cache: NodeCache;
  readonly seed: number;
  readonly engine: string;
  readonly runDir: string;
  readonly signal: AbortSignal;
  readonly emit: EventSink;
  readonly now: () => number;
  /** The cache key of one of this node's inputs (for `ctx.dirOf`). */
  readonly keyOf: (inputId: string) => string;
}

export function isCacheable(entry: HandlerEntry | undefined): boolean {
  return !(typeof entry === 'object' && entry.cache === false);
}

/** Runs (or reuses) one node whose inputs are all available. Throws only on a bug of the executor's own. */
export async function runNodeStep(node: PlanNode, inputs: Readonly<Record<string, unknown>>, entry: HandlerEntry | undefined, env: StepEnv): Promise<StepOutcome> {
  const faultContext = { cacheDir: env.cache.root, runDir: env.runDir };
  try {
    return await step(node, inputs, entry, env);
  } catch (error) {
    // The executor's own cache work failed (a full disk at commit, a vanished cache folder).
    return failure(node, error, undefined, env, faultContext);
  }
}

async function step(node: PlanNode, inputs: Readonly<Record<string, unknown>>, entry: HandlerEntry | undefined, env: StepEnv): Promise<StepOutcome> {
  const { cache, emit, now, signal } = env;
  const cacheable = isCacheable(entry);
  if (cacheable) {
    const reused = await reuse(node, env);
    if (reused !== undefined) return reused;
  }
  if (entry === undefined) throw new Error(`Internal error: no handler for node kind "${node.kind}" (${node.id})`);
  if (signal.aborted) return { status: 'cancelled' };
  const handler = typeof entry === 'function' ? entry : entry.run;
  const started = now();
  emit({ type: 'node-start', t: started, id: node.id, kind: node.kind });
  const staging = await cache.stage(node.key);
  const workDir = cache.workDir(node.key);
  await ensureDir(workDir);
  const ctx: NodeContext = {
    seed: env.seed,
    engine: env.engine,
    signal,
    emit,
    now,
    outDir: staging,
    workDir,
    runDir: env.runDir,
    dirOf: (inputId) => {
      if (!node.inputs.includes(inputId)) throw new Error(`Internal error: ${node.id} reads "${inputId}", not one of its inputs`);
      return cache.entryDir(env.keyOf(inputId));
    },
  };
  const faultContext = { cacheDir: cache.root, runDir: env.runDir };
  let result;
  try {
    result = toNodeResult(await handler(node, inputs, ctx));
  } catch (error) {
    await rm(staging, { recursive: true, force: true }).catch(() => undefined);
    if (signal.aborted) {
      emit({ type: 'node-cancelled', t: now(), id: node.id, kind: node.kind });
      return { status: 'cancelled' };
    }
    return failure(node, error, undefined, env, faultContext);
  }
  if (!result.ok) {
    await rm(staging, { recursive: true, force: true }).catch(() => undefined);
    return failure(node, undefined, result.diagnostics, env, faultContext);
  }
  // Round-trip through JSON so a fresh and a cached run hand dependents identical values.
  const stored = JSON.parse(JSON.stringify(result.output ?? null)) as unknown;
  if (cacheable) {
    await cache.commit(staging, { key: node.key, id: node.id, kind: node.kind, finishedAt: now() }, stored, result.references);
  } else {
    await rm(staging, { recursive: true, force: true });
  }
  emit({ type: 'node-done', t: now(), id: node.id, kind: node.kind, ms: now() - started });
  return { status: 'done', cached: false, output: stored };
}

/** The node's cache entry when it holds one that passes the check; a corrupt one is discarded. */
async function reuse(node: PlanNode, env: StepEnv): Promise<StepOutcome | undefined> {
  const { cache, emit, now } = env;
  if (!(await cache.has(node.key))) return undefined;
  const check = await cache.verify(node.key);
  if (check.ok) {
    emit({ type: 'node-cached', t: now(), id: node.id, kind: node.kind });
    return { status: 'done', cached: true, output: await cache.read(node.key) };
  }
  const diagnostic = makeDiagnostic('CVR851', undefined, `the cached result of ${node.id} is corrupt: ${check.problem.reason}; discarded, computing it again`, {
    hint: 'if this repeats, the disk or something editing the cache is at fault (`cvr cache verify` checks every entry)',
    data: { key: node.key, reason: check.problem.reason },
  }, check.problem.file);
  emit({ type: 'diagnostic', t: now(), id: node.id, diagnostic });
  await cache.discard(node.key, check.problem);
  return undefined;
}

/** The node's failure as diagnostics (a disk fault, the stage's own, or CVR861 for a bug), announced. */
function failure(node: PlanNode, error: unknown, given: readonly Diagnostic[] | undefined, env: StepEnv, faultContext: { cacheDir: string; runDir: string }): StepOutcome {
  const fault = given === undefined ? envFaultDiagnostic(error, faultContext) : undefined;
  const isBug = given === undefined && fault === undefined && !(error instanceof NodeFailure);
  const diagnostics: readonly Diagnostic[] =
    given ??
    (fault !== undefined
      ? [fault]
      : error instanceof NodeFailure
        ? error.diagnostics
        : [makeDiagnostic('CVR861', undefined, `internal error in ${node.id}: ${messageOf(error)}`, { hint: 'this is a bug in cvr; please report it with the command and this text' })]);
  const message = isBug || error instanceof NodeFailure ? messageOf(error) : diagnosticLines(diagnostics);
  env.emit({ type: 'node-failed', t: env.now(), id: node.id, kind: node.kind, message, diagnostics, isBug });
  return { status: 'failed', error: error ?? new NodeFailure(diagnosticLines(diagnostics), diagnostics), message, diagnostics, isBug };
}

export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
