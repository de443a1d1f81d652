/**
 * Executes a `Plan`: one memoised promise per node (a shared dependency runs once), each node
 * either reused from the cache (its key is unchanged and its entry passes the integrity check)
 * or run by the handler injected for its kind and committed to the cache (node-step.ts).
 *
 * Alone (`--jobs 1`) the nodes run one after another in plan order, in this process. With
 * `remote` (`--jobs N`: a pool of worker processes, pool.ts) every node the remote accepts is
 * handed to it as soon as its inputs are done, so independent nodes run side by side; nodes it
 * does not accept (those that write into the run folder) run here, after every node before them
 * in plan order has delivered its output. Either way `onOutput` sees the nodes in plan order,
 * so the run folder's files are the same bytes whatever ran where, and no node after an `audit`
 * starts before that audit has passed.
 *
 * Failures are values: a handler returns `failed(diagnostics)` (or throws `NodeFailure`), a full
 * or read-only disk becomes its diagnostic (env-faults.ts); only an unexpected exception is a bug.
 */
import type { Plan, PlanNode } from '../plan/index.ts';
import type { Diagnostic } from '../diag/index.ts';
import type { EventSink } from './events.ts';
import type { NodeCache } from './cache.ts';
import type { Handlers } from './handler-types.ts';
import { runNodeStep, isCacheable, type StepOutcome } from './node-step.ts';

export { NodeFailure } from './node-result.ts';
export { messageOf } from './node-step.ts';
export type { NodeContext, NodeHandler, HandlerEntry, Handlers } from './handler-types.ts';

/** Somewhere else nodes can run (worker processes); it bounds its own concurrency. */
export interface RemoteNodes {
  /** Whether this node runs there; the others run in the executor's process. */
  accepts(node: PlanNode): boolean;
  /** Runs the node (its inputs are in the cache) and says how it went. */
  run(node: PlanNode): Promise<StepOutcome>;
}

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
  /** Called once per node when its output is available (fresh or from the cache), in plan order. */
  readonly onOutput?: (node: PlanNode, output: unknown) => void | Promise<void>;
  /** Where independent nodes run in parallel; without it every node runs here, one at a time. */
  readonly remote?: RemoteNodes;
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

interface Failure {
  readonly id: string;
  readonly error: unknown;
  readonly diagnostics: readonly Diagnostic[];
  readonly isBug: boolean;
}

/** A promise with its resolve, for "node i has delivered its output". */
function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve = (): void => undefined;
  const promise = new Promise<void>((done) => {
    resolve = done;
  });
  return { promise, resolve };
}

/** The state of one execution: memoised node promises, delivery order, the first failure. */
class Execution {
  readonly byId: Map<string, PlanNode>;
  readonly index: Map<string, number>;
  readonly memo = new Map<string, Promise<unknown>>();
  /** Resolved once node i's output went through onOutput (or it will never have one). */
  readonly delivered: ReturnType<typeof deferred>[];
  failure: Failure | undefined;
  readonly laterDiagnostics: Diagnostic[] = [];
  /** With a remote: the onOutput calls still going on or done (awaited before the result). */
  readonly deliveries: Promise<void>[] = [];
  /** Nodes run in this process wait their turn (handlers here are not written to overlap). */
  private localTurn: Promise<void> = Promise.resolve();

  constructor(readonly options: ExecuteOptions) {
    const { plan } = options;
    this.byId = new Map(plan.nodes.map((node) => [node.id, node]));
    this.index = new Map(plan.nodes.map((node, i) => [node.id, i]));
    this.delivered = plan.nodes.map(() => deferred());
  }

  get now(): () => number {
    return this.options.now ?? Date.now;
  }

  nodeOf(id: string): PlanNode {
    const node = this.byId.get(id);
    if (node === undefined) throw new Error(`Internal error: plan has no node "${id}"`);
    return node;
  }

  get(id: string): Promise<unknown> {
    let promise = this.memo.get(id);
    if (promise === undefined) {
      promise = this.runNode(this.nodeOf(id));
      this.memo.set(id, promise);
      // Settled either way: a node that fails or is skipped delivers nothing, and must not hold up the others.
      promise.catch(() => this.delivered[this.indexOf(id)]?.resolve());
    }
    return promise;
  }

  indexOf(id: string): number {
    return this.index.get(id) ?? -1;
  }

  /** Every node before `i` in plan order has delivered its output (or never will). */
  async before(i: number, kinds?: ReadonlySet<string>): Promise<void> {
    const { nodes } = this.options.plan;
    await Promise.all(this.delivered.slice(0, i).filter((_, j) => kinds === undefined || kinds.has(nodes[j]?.kind ?? '')).map((d) => d.promise));
  }

  private async runNode(node: PlanNode): Promise<unknown> {
    const inputs: Record<string, unknown> = {};
    for (const input of node.inputs) inputs[input] = await this.get(input);
    const i = this.indexOf(node.id);
    const { remote, handlers } = this.options;
    const entry = handlers[node.kind];
    let outcome: StepOutcome;
    if (remote === undefined) {
      outcome = await this.local(node, inputs);
    } else if (isCacheable(entry) && remote.accepts(node)) {
      // Nothing after an audit starts before the audit passed, as in a run one node at a time.
      await this.before(i, AUDIT);
      this.checkGo(node);
      outcome = await remote.run(node);
    } else {
      // Nodes that write into the run folder read what onOutput wrote there for the earlier nodes.
      await (isCacheable(entry) ? this.before(i, AUDIT) : this.before(i));
      outcome = await this.inTurn(() => {
        this.checkGo(node);
        return this.local(node, inputs);
      });
    }
    const output = this.settle(node, outcome);
    if (remote === undefined) {
      await this.deliver(i, node, output);
      return output;
    }
    // Side by side: dependents start at once (a fold's prediction need not wait for the folds
    // before it); onOutput still sees the outputs one at a time in plan order.
    this.deliveries.push(this.deliver(i, node, output));
    return output;
  }

  private local(node: PlanNode, inputs: Readonly<Record<string, unknown>>): Promise<StepOutcome> {
    const { options } = this;
    return runNodeStep(node, inputs, options.handlers[node.kind], {
      cache: options.cache,
      seed: options.seed,
      engine: options.engine,
      runDir: options.runDir,
      signal: options.signal,
      emit: options.emit,
      now: this.now,
      keyOf: (inputId) => this.nodeOf(inputId).key,
    });
  }

  private inTurn<T>(work: () => Promise<T>): Promise<T> {
    const result = this.localTurn.then(work);
    this.localTurn = result.then(
      () => undefined,
      () => undefined,
    );
    return result;
  }

  /** Before a node starts in parallel mode: not after a cancel, and not after a failure (scans excepted). */
  private checkGo(node: PlanNode): void {
    if (this.options.signal.aborted) throw new Cancelled();
    if (this.failure !== undefined && node.kind !== 'scan') throw new UpstreamFailed(this.failure.id);
  }

  /** The node's output, or the exception that stops its dependents (recording the run's first failure). */
  private settle(node: PlanNode, outcome: StepOutcome): unknown {
    if (outcome.status === 'done') return outcome.output;
    if (outcome.status === 'cancelled') throw new Cancelled();
    if (this.failure === undefined) this.failure = { id: node.id, error: outcome.error, diagnostics: outcome.diagnostics, isBug: outcome.isBug };
    else this.laterDiagnostics.push(...outcome.diagnostics);
    throw new UpstreamFailed(node.id);
  }

  /** Hands the output to onOutput once every node before it in plan order has had its turn. */
  private async deliver(i: number, node: PlanNode, output: unknown): Promise<void> {
    try {
      // One node at a time, plan order is the order they finish in.
      if (this.options.remote !== undefined) await this.before(i);
      await this.options.onOutput?.(node, output);
    } finally {
      this.delivered[i]?.resolve();
    }
  }
}

const AUDIT: ReadonlySet<string> = new Set(['audit']);

function isStop(error: unknown): boolean {
  return error instanceof Cancelled || error instanceof UpstreamFailed;
}

export async function executePlan(options: ExecuteOptions): Promise<ExecuteResult> {
  const { plan, signal } = options;
  const run = new Execution(options);
  // Outputs of nodes never awaited during execution are read from the cache on demand.
  const output = (id: string): Promise<unknown> => run.get(id);
  let stop: unknown;
  if (options.remote === undefined) {
    try {
      for (const node of plan.nodes) await run.get(node.id);
    } catch (error) {
      stop = error;
    }
  } else {
    // Every node is started at once; each waits for its inputs. All settle before the result.
    const settled = [...(await Promise.allSettled(plan.nodes.map((node) => run.get(node.id)))), ...(await Promise.allSettled(run.deliveries))];
    const reasons = settled.flatMap((s) => (s.status === 'rejected' ? [s.reason as unknown] : []));
    stop = reasons.find((r) => !isStop(r)) ?? reasons.find((r) => r instanceof Cancelled) ?? reasons[0];
    if (signal.aborted && run.failure === undefined && stop !== undefined && isStop(stop)) stop = new Cancelled();
  }
  if (stop === undefined) return { status: 'done', output };
  if (stop instanceof Cancelled && run.failure === undefined) return { status: 'cancelled', output };
  if (!isStop(stop) || run.failure === undefined) throw stop;
  // Every source's bad files are named before the run stops: the other scans still run.
  for (const node of plan.nodes) {
    if (node.kind !== 'scan' || signal.aborted) continue;
    await run.get(node.id).catch((later: unknown) => {
      if (!isStop(later)) throw later;
    });
  }
  const first = run.failure;
  return { status: 'failed', failedId: first.id, error: first.error, diagnostics: [...first.diagnostics, ...run.laterDiagnostics], isBug: first.isBug, output };
}
