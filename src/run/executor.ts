/**
 * Executes a `Plan`: nodes in topological order, one memoised promise per node (a shared
 * dependency runs once), each node either reused from the cache (its key is unchanged and its
 * entry passes the integrity check) or run by the handler injected for its kind and committed to
 * the cache. A corrupt entry is reported (CVR851), discarded and recomputed, never used.
 *
 * Failures are values: a handler returns `failed(diagnostics)` (or throws `NodeFailure`), a full
 * or read-only disk becomes its diagnostic (env-faults.ts); only an unexpected exception is a bug.
 */
import type { Plan, PlanNode, PlanNodeKind } from '../plan/index.ts';
import type { Diagnostic } from '../diag/index.ts';
import type { EventSink } from './events.ts';
import type { NodeCache } from './cache.ts';
import { rm } from 'node:fs/promises';
import { ensureDir } from '../data/index.ts';
import { makeDiagnostic } from '../dsl/index.ts';
import { diagnosticLines, NodeFailure, toNodeResult } from './node-result.ts';
import { envFaultDiagnostic } from './env-faults.ts';

export { NodeFailure } from './node-result.ts';

/** What a handler gets besides its node and its inputs' outputs. */
export interface NodeContext {
  readonly seed: number;
  readonly engine: string;
  /** Aborted on SIGINT: stop at the next batch boundary, after writing a checkpoint, and throw. */
  readonly signal: AbortSignal;
  readonly emit: EventSink;
  /** Milliseconds since the Unix epoch; injected so tests get stable event times. */
  readonly now: () => number;
  /** Files written here become part of the node's cache entry (weights, preprocessed images). */
  readonly outDir: string;
  /** Survives a crash and a rerun of the same key (checkpoints); removed once the node is cached. */
  readonly workDir: string;
  /** The run folder (for nodes that write reports). */
  readonly runDir: string;
  /** The cache entry folder of one of this node's inputs, to read the files it wrote. */
  readonly dirOf: (inputId: string) => string;
}

/**
 * `(node, inputs by id, ctx) => result`: a `NodeResult` (node-result.ts), or, from handlers not
 * yet moved to it, the bare output; the output must be JSON-serialisable.
 */
export type NodeHandler = (node: PlanNode, inputs: Readonly<Record<string, unknown>>, ctx: NodeContext) => Promise<unknown>;

/** A handler, or a handler whose node must run every time (it writes outside the cache). */
export type HandlerEntry = NodeHandler | { readonly run: NodeHandler; readonly cache: false };

export type Handlers = Readonly<Partial<Record<PlanNodeKind, HandlerEntry>>>;

export interface ExecuteOptions {
  readonly plan: Plan;
  readonly handlers: Handlers;
  readonly cache: NodeCache;
  readonly seed: number;
  readonly engine: string;
  readonly runDir: string;
  readonly emit: EventSink;
  readonly signal: AbortSignal;
  readonly now?: () => number;
  /** Called once per node when its output is available (fresh or from the cache), in order. */
  readonly onOutput?: (node: PlanNode, output: unknown) => void | Promise<void>;
}

export type ExecuteResult =
  | { readonly status: 'done'; readonly output: (id: string) => Promise<unknown> }
  | { readonly status: 'cancelled'; readonly output: (id: string) => Promise<unknown> }
  | {
      readonly status: 'failed';
      readonly failedId: string;
      readonly error: unknown;
      /** Why, as diagnostics (of the first failed node, then of other sources' scans). */
      readonly diagnostics: readonly Diagnostic[];
      /** True when the failure is an unexpected exception: a bug in cvr (exit 3). */
      readonly isBug: boolean;
      readonly output: (id: string) => Promise<unknown>;
    };

class Cancelled extends Error {
  override readonly name = 'Cancelled';
}

class UpstreamFailed extends Error {
  override readonly name = 'UpstreamFailed';
}

export async function executePlan(options: ExecuteOptions): Promise<ExecuteResult> {
  const { plan, handlers, cache, emit, signal } = options;
  const now = options.now ?? Date.now;
  const byId = new Map(plan.nodes.map((node) => [node.id, node]));
  const memo = new Map<string, Promise<unknown>>();
  let failure: { id: string; error: unknown; diagnostics: readonly Diagnostic[]; isBug: boolean } | undefined;
  const laterDiagnostics: Diagnostic[] = [];
  const faultContext = { cacheDir: cache.root, runDir: options.runDir };

  function nodeOf(id: string): PlanNode {
    const node = byId.get(id);
    if (node === undefined) throw new Error(`Internal error: plan has no node "${id}"`);
    return node;
  }

  function get(id: string): Promise<unknown> {
    let promise = memo.get(id);
    if (promise === undefined) {
      promise = runNode(nodeOf(id));
      memo.set(id, promise);
    }
    return promise;
  }

  async function runNode(node: PlanNode): Promise<unknown> {
    const inputs: Record<string, unknown> = {};
    for (const input of node.inputs) inputs[input] = await get(input);
    try {
      return await runReady(node, inputs);
    } catch (error) {
      if (error instanceof Cancelled || error instanceof UpstreamFailed) throw error;
      // The executor's own cache work failed (a full disk at commit, a vanished cache folder).
      return fail(node, error);
    }
  }

  async function runReady(node: PlanNode, inputs: Readonly<Record<string, unknown>>): Promise<unknown> {
    const entry = handlers[node.kind];
    const cacheable = !(typeof entry === 'object' && entry.cache === false);
    if (cacheable && (await cache.has(node.key))) {
      const check = await cache.verify(node.key);
      if (check.ok) {
        emit({ type: 'node-cached', t: now(), id: node.id, kind: node.kind });
        const cached = await cache.read(node.key);
        await options.onOutput?.(node, cached);
        return cached;
      }
      const diagnostic = makeDiagnostic('CVR851', undefined, `the cached result of ${node.id} is corrupt: ${check.problem.reason}; discarded, computing it again`, {
        hint: 'if this repeats, the disk or something editing the cache is at fault (`cvr cache verify` checks every entry)',
        data: { key: node.key, reason: check.problem.reason },
      }, check.problem.file);
      emit({ type: 'diagnostic', t: now(), id: node.id, diagnostic });
      await cache.discard(node.key, check.problem);
    }
    if (entry === undefined) throw new Error(`Internal error: no handler for node kind "${node.kind}" (${node.id})`);
    if (signal.aborted) throw new Cancelled();
    const handler = typeof entry === 'function' ? entry : entry.run;
    const started = now();
    emit({ type: 'node-start', t: started, id: node.id, kind: node.kind });
    const staging = await cache.stage(node.key);
    const workDir = cache.workDir(node.key);
    await ensureDir(workDir);
    const ctx: NodeContext = {
      seed: options.seed,
      engine: options.engine,
      signal,
      emit,
      now,
      outDir: staging,
      workDir,
      runDir: options.runDir,
      dirOf: (inputId) => {
        if (!node.inputs.includes(inputId)) throw new Error(`Internal error: ${node.id} reads "${inputId}", not one of its inputs`);
        return cache.entryDir(nodeOf(inputId).key);
      },
    };
    let result;
    try {
      result = toNodeResult(await handler(node, inputs, ctx));
    } catch (error) {
      await rm(staging, { recursive: true, force: true }).catch(() => undefined);
      if (signal.aborted) {
        emit({ type: 'node-cancelled', t: now(), id: node.id, kind: node.kind });
        throw new Cancelled();
      }
      return fail(node, error);
    }
    if (!result.ok) {
      await rm(staging, { recursive: true, force: true }).catch(() => undefined);
      return fail(node, undefined, result.diagnostics);
    }
    // Round-trip through JSON so a fresh and a cached run hand dependents identical values.
    const stored = JSON.parse(JSON.stringify(result.output ?? null)) as unknown;
    if (cacheable) {
      await cache.commit(staging, { key: node.key, id: node.id, kind: node.kind, finishedAt: now() }, stored, result.references);
    } else {
      await rm(staging, { recursive: true, force: true });
    }
    emit({ type: 'node-done', t: now(), id: node.id, kind: node.kind, ms: now() - started });
    await options.onOutput?.(node, stored);
    return stored;
  }

  /** Records the node's failure (the first one is the run's) and stops its dependents. */
  function fail(node: PlanNode, error: unknown, given?: readonly Diagnostic[]): never {
    const fault = given === undefined ? envFaultDiagnostic(error, faultContext) : undefined;
    const isBug = given === undefined && fault === undefined && !(error instanceof NodeFailure);
    const diagnostics: readonly Diagnostic[] =
      given ??
      (fault !== undefined
        ? [fault]
        : error instanceof NodeFailure
          ? error.diagnostics
          : [makeDiagnostic('CVR861', undefined, `internal error in ${node.id}: ${messageOf(error)}`, { hint: 'this is a bug in cvr; please report it with the command and this text' })]);
    emit({ type: 'node-failed', t: now(), id: node.id, kind: node.kind, message: isBug || error instanceof NodeFailure ? messageOf(error) : diagnosticLines(diagnostics), diagnostics, isBug });
    if (failure === undefined) failure = { id: node.id, error: error ?? new NodeFailure(diagnosticLines(diagnostics), diagnostics), diagnostics, isBug };
    else laterDiagnostics.push(...diagnostics);
    throw new UpstreamFailed(node.id);
  }

  // Outputs of nodes never awaited during execution are read from the cache on demand.
  const output = (id: string): Promise<unknown> => get(id);

  try {
    for (const node of plan.nodes) await get(node.id);
  } catch (error) {
    if (error instanceof Cancelled) return { status: 'cancelled', output };
    if (!(error instanceof UpstreamFailed) || failure === undefined) throw error;
    // Every source's bad files are named before the run stops: the other scans still run.
    for (const node of plan.nodes) {
      if (node.kind !== 'scan' || signal.aborted) continue;
      await get(node.id).catch((later: unknown) => {
        if (!(later instanceof UpstreamFailed) && !(later instanceof Cancelled)) throw later;
      });
    }
    const first = failure;
    return { status: 'failed', failedId: first.id, error: first.error, diagnostics: [...first.diagnostics, ...laterDiagnostics], isBug: first.isBug, output };
  }
  return { status: 'done', output };
}

export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
