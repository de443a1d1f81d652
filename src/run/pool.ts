/**
 * `cvr run --jobs N`: N worker processes, each running one node at a time (node-step.ts, the
 * same code as in the parent) against the same cache, under the cache lock the parent holds.
 * A worker is started on first need and kept for the next node, so the engine loads once per
 * worker. Its events come back over the IPC channel and go into the parent's event stream, so
 * the live view, the plain log and events.ndjson show the nodes running side by side.
 *
 * Stopping: the run's abort signal is passed on (each worker stops its node at the next batch
 * boundary, after a checkpoint); a worker whose parent is gone exits (its IPC channel closes);
 * `close()` ends every worker. A worker that dies while running a node fails that node (CVR871),
 * with the worker's log file named.
 */
import type { ChildProcess } from 'node:child_process';
import type { PlanNode } from '../plan/index.ts';
import type { Diagnostic } from '../diag/index.ts';
import type { EventSink, RunEvent } from './events.ts';
import type { RemoteNodes } from './executor.ts';
import type { StepOutcome } from './node-step.ts';
import { makeDiagnostic } from '../dsl/index.ts';
import { NodeFailure, diagnosticLines } from './node-result.ts';

/** Parent → worker. */
export type ToWorker = { readonly type: 'run'; readonly id: string; readonly key: string } | { readonly type: 'abort' } | { readonly type: 'exit' };

/** A failed outcome as it crosses the process boundary (the error reduced to its text). */
export interface WireFailure {
  readonly status: 'failed';
  readonly message: string;
  readonly stack?: string;
  readonly diagnostics: readonly Diagnostic[];
  readonly isBug: boolean;
}

export type WireOutcome = Exclude<StepOutcome, { status: 'failed' }> | WireFailure;

/** Worker → parent. */
export type FromWorker =
  | { readonly type: 'event'; readonly event: RunEvent }
  | { readonly type: 'outcome'; readonly id: string; readonly outcome: WireOutcome };

export function toWire(outcome: StepOutcome): WireOutcome {
  if (outcome.status !== 'failed') return outcome;
  const stack = outcome.error instanceof Error && outcome.isBug ? outcome.error.stack : undefined;
  return { status: 'failed', message: outcome.message, diagnostics: outcome.diagnostics, isBug: outcome.isBug, ...(stack !== undefined && { stack }) };
}

export function fromWire(outcome: WireOutcome): StepOutcome {
  if (outcome.status !== 'failed') return outcome;
  let error: Error;
  if (outcome.isBug) {
    error = new Error(outcome.message);
    if (outcome.stack !== undefined) error.stack = outcome.stack;
  } else {
    error = new NodeFailure(outcome.message, outcome.diagnostics);
  }
  return { ...outcome, error };
}

export interface PoolOptions {
  readonly size: number;
  /** Starts worker `index` (0-based) with an IPC channel; `log` is where its stdout and stderr go. */
  readonly spawn: (index: number) => { readonly child: ChildProcess; readonly log: string };
  /** Whether a node may run in a worker (its kind and every input are cached); others run in the parent. */
  readonly accepts: (node: PlanNode) => boolean;
  readonly emit: EventSink;
  readonly signal: AbortSignal;
  readonly now?: () => number;
  /**
   * Which waiting node a free worker takes: the lowest rank first (ties: the one ready first).
   * jobsExecutor ranks by plan order, so a fold's prediction, which the parent's metrics and
   * GradCAM wait for, goes before the next fold's training. Default: the one ready first.
   */
  readonly rank?: (node: PlanNode) => number;
}

interface Worker {
  readonly child: ChildProcess;
  readonly log: string;
  busy?: { readonly node: PlanNode; readonly done: (outcome: StepOutcome) => void };
  exited: boolean;
}

export interface WorkerPool extends RemoteNodes {
  /** Ends every worker (asks, then kills those still there after `graceMs`, default 5 s). */
  close(graceMs?: number): Promise<void>;
}

export function workerPool(options: PoolOptions): WorkerPool {
  const now = options.now ?? Date.now;
  const workers: Worker[] = [];
  /** Nodes waiting for a free worker, in the order they became ready. */
  const queue: { readonly node: PlanNode; readonly done: (outcome: StepOutcome) => void }[] = [];

  const onAbort = (): void => {
    for (const w of workers) if (!w.exited) w.child.send({ type: 'abort' } satisfies ToWorker, () => undefined);
    // Nodes still waiting never start.
    for (const waiting of queue.splice(0)) waiting.done({ status: 'cancelled' });
  };
  options.signal.addEventListener('abort', onAbort, { once: true });

  function start(index: number): Worker {
    const { child, log } = options.spawn(index);
    const worker: Worker = { child, log, exited: false };
    child.on('message', (message: FromWorker) => {
      if (message.type === 'event') options.emit(message.event);
      else if (message.type === 'outcome' && worker.busy?.node.id === message.id) {
        const { done } = worker.busy;
        worker.busy = undefined;
        done(fromWire(message.outcome));
        // After the nodes this one made ready have queued (microtasks), so rank can prefer them.
        setImmediate(next);
      }
    });
    child.on('exit', (code, signal) => {
      worker.exited = true;
      const busy = worker.busy;
      worker.busy = undefined;
      if (busy !== undefined) busy.done(died(busy.node, worker, code, signal));
      next();
    });
    child.on('error', () => undefined);
    return worker;
  }

  function died(node: PlanNode, worker: Worker, code: number | null, signal: NodeJS.Signals | null): StepOutcome {
    if (options.signal.aborted) {
      options.emit({ type: 'node-cancelled', t: now(), id: node.id, kind: node.kind });
      return { status: 'cancelled' };
    }
    const how = signal !== null ? `was killed (${signal})` : `exited with code ${code ?? '?'}`;
    const diagnostics = [
      makeDiagnostic('CVR871', undefined, `the worker process running ${node.id} ${how} before it finished`, {
        hint: `its output is in ${worker.log}; what finished is cached, so running the command again resumes (a training node from its last checkpoint)`,
      }),
    ];
    const message = diagnosticLines(diagnostics);
    options.emit({ type: 'node-failed', t: now(), id: node.id, kind: node.kind, message, diagnostics, isBug: false });
    return { status: 'failed', error: new NodeFailure(message, diagnostics), message, diagnostics, isBug: false };
  }

  function takeNext(): (typeof queue)[number] | undefined {
    if (options.rank === undefined) return queue.shift();
    let best = 0;
    for (let i = 1; i < queue.length; i++) if (options.rank(queue[i]!.node) < options.rank(queue[best]!.node)) best = i;
    return queue.splice(best, 1)[0];
  }

  function next(): void {
    while (queue.length > 0) {
      let worker = workers.find((w) => !w.exited && w.busy === undefined);
      if (worker === undefined) {
        const live = workers.filter((w) => !w.exited).length;
        if (live >= options.size) return;
        // A worker that exited leaves its slot to a fresh one.
        const slot = workers.findIndex((w) => w.exited);
        worker = start(slot === -1 ? workers.length : slot);
        if (slot === -1) workers.push(worker);
        else workers[slot] = worker;
      }
      const job = takeNext();
      if (job === undefined) return;
      worker.busy = job;
      worker.child.send({ type: 'run', id: job.node.id, key: job.node.key } satisfies ToWorker, (error) => {
        if (error !== null && worker.busy === job) worker.child.kill('SIGKILL');
      });
    }
  }

  // Started at once: a worker loads the engine and plans again, which takes seconds.
  for (let i = 0; i < options.size; i++) workers.push(start(i));

  return {
    accepts: options.accepts,
    run(node) {
      if (options.signal.aborted) return Promise.resolve({ status: 'cancelled' });
      return new Promise<StepOutcome>((done) => {
        queue.push({ node, done });
        next();
      });
    },
    async close(graceMs = 5_000) {
      options.signal.removeEventListener('abort', onAbort);
      const live = workers.filter((w) => !w.exited);
      await Promise.all(
        live.map(
          (w) =>
            new Promise<void>((done) => {
              const timer = setTimeout(() => w.child.kill('SIGKILL'), graceMs);
              w.child.once('exit', () => {
                clearTimeout(timer);
                done();
              });
              if (w.exited) done();
              else w.child.send({ type: 'exit' } satisfies ToWorker, (error) => (error === null ? undefined : w.child.kill('SIGKILL')));
            }),
        ),
      );
    },
  };
}
