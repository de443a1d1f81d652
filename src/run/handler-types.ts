/** The node-handler contract: what a handler gets (its node, its inputs' outputs, a context) and returns. */
import type { PlanNode, PlanNodeKind } from '../plan/index.ts';
import type { EventSink } from './events.ts';

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
