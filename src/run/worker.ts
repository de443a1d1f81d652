/**
 * The other side of pool.ts, and of a Slurm job: a process that has prepared the same plan and
 * handlers as the run (`cvr run-node`) and runs nodes of it by key, reading their inputs from
 * the cache, with the step every executor uses (node-step.ts). It never takes the cache lock:
 * it works under the lock of the run that started it (see docs/executors.md).
 */
import { readFile } from 'node:fs/promises';
import type { Plan, PlanNode } from '../plan/index.ts';
import type { ResolvedPipeline } from '../dsl/index.ts';
import type { EventSink } from './events.ts';
import type { Handlers } from './handler-types.ts';
import { makeDiagnostic } from '../dsl/index.ts';
import { isRecord, writeFileAtomic } from '../data/index.ts';
import { NodeCache } from './cache.ts';
import { runNodeStep, type StepOutcome } from './node-step.ts';
import { diagnosticLines, NodeFailure } from './node-result.ts';
import { toWire, type FromWorker, type ToWorker } from './pool.ts';

/** A run's plan and handlers, prepared again in this process. */
export interface PreparedNodes {
  readonly plan: Plan;
  readonly handlers: Handlers;
  readonly engine: string;
  readonly seed: number;
  readonly cacheDir: string;
  readonly runDir: string;
}

/**
 * What `cvr run --jobs N` / `--executor slurm` hands its workers and jobs (`<run>/workers/` or
 * `<run>/slurm/prepared.json`): the plan and resolved pipeline it built, so they need not load,
 * scan and plan FILE again (seconds per worker; and their keys are the parent's by construction).
 */
export interface SavedPrepared {
  readonly plan: Plan;
  readonly pipeline: ResolvedPipeline;
  readonly engine: string;
  readonly seed: number;
  readonly cacheDir: string;
  readonly runDir: string;
}

const PREPARED_VERSION = 1;

export async function savePrepared(file: string, saved: SavedPrepared): Promise<void> {
  await writeFileAtomic(file, JSON.stringify({ version: PREPARED_VERSION, ...saved }));
}

/** The saved plan, or why it cannot be used (missing, unreadable, another version). */
export async function readPrepared(file: string): Promise<SavedPrepared | { readonly problem: string }> {
  let value: unknown;
  try {
    value = JSON.parse(await readFile(file, 'utf8'));
  } catch (error) {
    return { problem: `${file} cannot be read: ${error instanceof Error ? error.message : String(error)}` };
  }
  if (!isRecord(value) || value['version'] !== PREPARED_VERSION || !isRecord(value['plan']) || !isRecord(value['pipeline'])) {
    return { problem: `${file} is not a prepared plan of this cvr version` };
  }
  return value as unknown as SavedPrepared;
}

function failedWith(node: Pick<PlanNode, 'id' | 'kind'>, code: 'CVR872' | 'CVR873', message: string, hint: string, emit: EventSink): StepOutcome {
  const diagnostics = [makeDiagnostic(code, undefined, message, { hint })];
  const text = diagnosticLines(diagnostics);
  emit({ type: 'node-failed', t: Date.now(), id: node.id, kind: node.kind, message: text, diagnostics, isBug: false });
  return { status: 'failed', error: new NodeFailure(text, diagnostics), message: text, diagnostics, isBug: false };
}

/** Finds the node of this key (by id when given) in the prepared plan, or says why it is not there. */
export function nodeByKey(prepared: PreparedNodes, key: string, id?: string): PlanNode | { readonly problem: string } {
  const node = id !== undefined ? prepared.plan.nodes.find((n) => n.id === id) : prepared.plan.nodes.find((n) => n.key === key);
  if (node !== undefined && node.key === key) return node;
  return {
    problem:
      node === undefined
        ? `no node of the plan has key ${key}${id !== undefined ? ` (${id})` : ''}`
        : `${node.id} has key ${node.key} here, not ${key}`,
  };
}

/** Runs one node of the prepared plan: its inputs from the cache, then the step. */
export async function runPreparedNode(prepared: PreparedNodes, key: string, emit: EventSink, signal: AbortSignal, id?: string): Promise<StepOutcome> {
  const found = nodeByKey(prepared, key, id);
  if ('problem' in found) {
    return failedWith(
      { id: id ?? key, kind: 'scan' },
      'CVR873',
      `the pipeline or its data changed while the run was going: ${found.problem}`,
      'run the command again: it plans from the files as they are now',
      emit,
    );
  }
  const node = found;
  const cache = new NodeCache(prepared.cacheDir);
  const byId = new Map(prepared.plan.nodes.map((n) => [n.id, n]));
  const inputs: Record<string, unknown> = {};
  for (const input of node.inputs) {
    const inputKey = byId.get(input)?.key ?? '';
    if (!(await cache.has(inputKey))) {
      return failedWith(node, 'CVR872', `${node.id} cannot start: its input ${input} is not in the cache (${cache.entryDir(inputKey)})`, 'run the whole pipeline with `cvr run`: it runs the inputs first', emit);
    }
    inputs[input] = await cache.read(inputKey);
  }
  return runNodeStep(node, inputs, prepared.handlers[node.kind], {
    cache,
    seed: prepared.seed,
    engine: prepared.engine,
    runDir: prepared.runDir,
    signal,
    emit,
    now: Date.now,
    keyOf: (inputId) => byId.get(inputId)?.key ?? '',
  });
}

/**
 * Serves the parent over the IPC channel until told to exit or the channel closes: one node at
 * a time; `abort` (or SIGINT/SIGTERM) stops the running node at its next batch boundary.
 */
export function serveNodes(prepared: PreparedNodes, proc: NodeJS.Process = process): Promise<number> {
  const controller = new AbortController();
  const send = (message: FromWorker): void => {
    proc.send?.(message);
  };
  const emit: EventSink = (event) => send({ type: 'event', event });
  const stop = (): void => controller.abort();
  proc.on('SIGINT', stop);
  proc.on('SIGTERM', stop);
  return new Promise((done) => {
    let work: Promise<void> = Promise.resolve();
    proc.on('disconnect', () => done(controller.signal.aborted ? 130 : 0));
    proc.on('message', (message: ToWorker) => {
      if (message.type === 'abort') controller.abort();
      else if (message.type === 'exit') void work.then(() => done(0));
      else if (message.type === 'run') {
        work = work.then(async () => {
          const outcome = await runPreparedNode(prepared, message.key, emit, controller.signal, message.id).catch(
            (error: unknown): StepOutcome => {
              const text = error instanceof Error ? error.message : String(error);
              const diagnostics = [makeDiagnostic('CVR861', undefined, `internal error in ${message.id}: ${text}`, { hint: 'this is a bug in cvr; please report it with the command and this text' })];
              return { status: 'failed', error, message: text, diagnostics, isBug: true };
            },
          );
          send({ type: 'outcome', id: message.id, outcome: toWire(outcome) });
        });
      }
    });
  });
}
