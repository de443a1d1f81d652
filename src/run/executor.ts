/**
 * Executes a `Plan`: nodes in topological order, one memoised promise per node (a shared
 * dependency runs once), each node either reused from the cache (its key is unchanged) or run by
 * the handler injected for its kind and committed to the cache.
 */
import type { Plan, PlanNode, PlanNodeKind } from '../plan/index.ts';
import type { EventSink } from './events.ts';
import type { NodeCache } from './cache.ts';
import { mkdir, rm } from 'node:fs/promises';

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

/** `(node, inputs by id, ctx) => output`; the output must be JSON-serialisable. */
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
      readonly output: (id: string) => Promise<unknown>;
    };

/** Thrown by a handler on a user-level problem (bad data); its message is shown as is. */
export class NodeFailure extends Error {
  override readonly name = 'NodeFailure';
}

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
  let failure: { id: string; error: unknown } | undefined;

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
    const entry = handlers[node.kind];
    const cacheable = !(typeof entry === 'object' && entry.cache === false);
    if (cacheable && (await cache.has(node.key))) {
      emit({ type: 'node-cached', t: now(), id: node.id, kind: node.kind });
      const cached = await cache.read(node.key);
      await options.onOutput?.(node, cached);
      return cached;
    }
    if (entry === undefined) throw new Error(`Internal error: no handler for node kind "${node.kind}" (${node.id})`);
    if (signal.aborted) throw new Cancelled();
    const handler = typeof entry === 'function' ? entry : entry.run;
    const started = now();
    emit({ type: 'node-start', t: started, id: node.id, kind: node.kind });
    const staging = await cache.stage(node.key);
    const workDir = cache.workDir(node.key);
    await mkdir(workDir, { recursive: true });
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
    let output: unknown;
    try {
      output = await handler(node, inputs, ctx);
    } catch (error) {
      await rm(staging, { recursive: true, force: true });
      if (signal.aborted) {
        emit({ type: 'node-cancelled', t: now(), id: node.id, kind: node.kind });
        throw new Cancelled();
      }
      emit({ type: 'node-failed', t: now(), id: node.id, kind: node.kind, message: messageOf(error) });
      failure ??= { id: node.id, error };
      throw new UpstreamFailed(node.id);
    }
    // Round-trip through JSON so a fresh and a cached run hand dependents identical values.
    const stored = JSON.parse(JSON.stringify(output ?? null)) as unknown;
    if (cacheable) {
      await cache.commit(staging, { key: node.key, id: node.id, kind: node.kind, finishedAt: now() }, stored);
    } else {
      await rm(staging, { recursive: true, force: true });
    }
    emit({ type: 'node-done', t: now(), id: node.id, kind: node.kind, ms: now() - started });
    await options.onOutput?.(node, stored);
    return stored;
  }

  // Outputs of nodes never awaited during execution are read from the cache on demand.
  const output = (id: string): Promise<unknown> => get(id);

  try {
    for (const node of plan.nodes) await get(node.id);
  } catch (error) {
    if (error instanceof Cancelled) return { status: 'cancelled', output };
    if (error instanceof UpstreamFailed && failure !== undefined) return { status: 'failed', failedId: failure.id, error: failure.error, output };
    throw error;
  }
  return { status: 'done', output };
}

export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
