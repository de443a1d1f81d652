/**
 * `cvr run --executor slurm`: training, prediction and metrics nodes run as Slurm jobs; the rest
 * (scans, preprocessing, split, audit, the report) runs in the submitting process, which holds
 * the cache lock until every job has ended. When the first job node's inputs are ready, every job
 * node that can be is submitted at once (submit-plan.ts: arrays per kind and model, `afterok`
 * dependencies); each job runs `cvr run-node --key K` against the shared cache and appends its
 * events to `<run>/slurm/events/<node>.ndjson`, which this process tails into the run's own
 * event stream. A node is done when its job has left the queue and its key is in the cache.
 *
 * A job that FAILED, hit its TIMEOUT, ran OUT_OF_MEMORY or lost its node is submitted again up to
 * `retries` times; one CANCELLED (scancel) is not. Ctrl-C cancels every job of the run.
 */
import { mkdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Plan, PlanNode } from '../../plan/index.ts';
import type { EventSink, RunEvent } from '../events.ts';
import type { Diagnostic } from '../../diag/index.ts';
import type { NodeCache } from '../cache.ts';
import type { RemoteNodes } from '../executor.ts';
import type { StepOutcome } from '../node-step.ts';
import { writeFileAtomic } from '../../data/index.ts';
import { makeDiagnostic } from '../../dsl/index.ts';
import { diagnosticLines, NodeFailure } from '../node-result.ts';
import { SlurmError, type SlurmCommands } from './commands.ts';
import { DEFAULT_RETRIES, type SlurmOptions } from './options.ts';
import { baseJobId, fileId, jobScript, readyToSubmit, sbatchArgs, submissionBatch } from './submit-plan.ts';

export const SLURM_KINDS: ReadonlySet<string> = new Set(['train', 'predict', 'metrics']);

export interface SlurmRemoteOptions {
  readonly plan: Plan;
  readonly cache: NodeCache;
  readonly commands: SlurmCommands;
  /** `cvr run-node …` without `--key` (the job script adds it). */
  readonly command: readonly string[];
  readonly runDir: string;
  readonly cwd: string;
  readonly options: SlurmOptions;
  readonly threads: number;
  /** Whether the node may be a job (cacheable, its inputs cacheable). */
  readonly eligible: (node: PlanNode) => boolean;
  readonly emit: EventSink;
  readonly signal: AbortSignal;
  readonly pollMs?: number;
  readonly now?: () => number;
}

interface Job {
  readonly ref: string;
  readonly name: string;
  readonly log: string;
  readonly events: string;
  readonly attempt: number;
  offset: number;
}

/** What `<run>/slurm/jobs.json` holds, for `cvr status` and `cvr cancel`. */
export interface JobsFile {
  readonly executor: 'slurm';
  readonly jobs: readonly { readonly id: string; readonly key: string; readonly job: string; readonly name: string; readonly log: string; readonly attempt: number }[];
}

const RETRYABLE = new Set(['FAILED', 'TIMEOUT', 'OUT_OF_MEMORY', 'NODE_FAIL', 'BOOT_FAIL', 'PREEMPTED', 'DEADLINE']);

export function slurmRemote(o: SlurmRemoteOptions): RemoteNodes & { cancelAll(): Promise<void> } {
  const now = o.now ?? Date.now;
  const pollMs = o.pollMs ?? 2_000;
  const slurmDir = join(o.runDir, 'slurm');
  const logDir = join(slurmDir, 'logs');
  const eventsDir = join(slurmDir, 'events');
  const jobs = new Map<string, Job>();
  const history: JobsFile['jobs'][number][] = [];
  const byId = new Map(o.plan.nodes.map((n) => [n.id, n]));
  const isRemote = (node: PlanNode): boolean => SLURM_KINDS.has(node.kind) && o.eligible(node);
  let submitting: Promise<void> = Promise.resolve();

  async function submitReady(): Promise<void> {
    const cached = new Set<string>();
    for (const node of o.plan.nodes) if (!jobs.has(node.id) && (await o.cache.has(node.key))) cached.add(node.id);
    const batch = readyToSubmit(o.plan.nodes, { isRemote: (n) => isRemote(n) && !cached.has(n.id), isSubmitted: (id) => jobs.has(id), isCached: (id) => cached.has(id) });
    const specs = submissionBatch(batch, (id) => jobs.get(id)?.ref);
    mkdirSync(logDir, { recursive: true });
    mkdirSync(eventsDir, { recursive: true });
    const ids: string[] = [];
    for (const spec of specs) {
      const after = spec.after.map((a) => (typeof a === 'number' ? (ids[a] ?? '') : a)).filter((a) => a !== '');
      const id = await o.commands.sbatch(sbatchArgs(spec, after, { options: o.options, logDir, cwd: o.cwd, threads: o.threads }), jobScript(spec, o.command, eventsDir));
      ids.push(id);
      spec.nodes.forEach((node, i) => {
        const array = spec.nodes.length > 1;
        const ref = array ? `${id}_${i}` : id;
        const job: Job = { ref, name: spec.name, log: join(logDir, `${spec.name}-${ref}.log`), events: join(eventsDir, `${fileId(node.id)}.ndjson`), attempt: 1, offset: fileSize(join(eventsDir, `${fileId(node.id)}.ndjson`)) };
        jobs.set(node.id, job);
        history.push({ id: node.id, key: node.key, job: ref, name: spec.name, log: job.log, attempt: 1 });
      });
    }
    if (specs.length > 0) await writeJobs();
  }

  /** One node again, alone (its inputs are done), as attempt `attempt`. */
  async function resubmit(node: PlanNode, attempt: number): Promise<void> {
    const spec = { name: ['cvr', node.kind, node.model].filter((p) => p !== undefined).join('-'), nodes: [node], after: [] };
    const id = await o.commands.sbatch(sbatchArgs(spec, [], { options: o.options, logDir, cwd: o.cwd, threads: o.threads }), jobScript(spec, o.command, eventsDir));
    const events = join(eventsDir, `${fileId(node.id)}.ndjson`);
    jobs.set(node.id, { ref: id, name: spec.name, log: join(logDir, `${spec.name}-${id}.log`), events, attempt, offset: fileSize(events) });
    history.push({ id: node.id, key: node.key, job: id, name: spec.name, log: join(logDir, `${spec.name}-${id}.log`), attempt });
    await writeJobs();
  }

  const writeJobs = (): Promise<void> => writeFileAtomic(join(slurmDir, 'jobs.json'), `${JSON.stringify({ executor: 'slurm', jobs: history } satisfies JobsFile, null, 2)}\n`);

  /** Until the job has left the queue (or the run is stopped), forwarding its events. */
  async function waitEnded(job: Job): Promise<void> {
    for (;;) {
      const queue = await o.commands.queued();
      tail(job, o.emit);
      if (!queue.has(job.ref)) return;
      if (o.signal.aborted) return;
      await sleep(pollMs, o.signal);
    }
  }

  async function runNode(node: PlanNode): Promise<StepOutcome> {
    for (;;) {
      if (o.signal.aborted) return { status: 'cancelled' };
      if (!jobs.has(node.id)) {
        if (await o.cache.has(node.key)) {
          const check = await o.cache.verify(node.key);
          if (check.ok) {
            o.emit({ type: 'node-cached', t: now(), id: node.id, kind: node.kind });
            return { status: 'done', cached: true, output: await o.cache.read(node.key) };
          }
          await o.cache.discard(node.key, check.problem);
        }
        submitting = submitting.then(submitReady);
        await submitting;
      }
      const job = jobs.get(node.id);
      if (job === undefined) throw new Error(`Internal error: ${node.id} was not submitted`);
      await waitEnded(job);
      if (o.signal.aborted) return { status: 'cancelled' };
      if (await o.cache.has(node.key)) return { status: 'done', cached: false, output: await o.cache.read(node.key) };
      const state = await o.commands.state(job.ref);
      const name = state?.state ?? 'UNKNOWN';
      const never = name === 'CANCELLED' && /Dependency/i.test(state?.reason ?? '');
      if (never) {
        // An array dependency (`afterok:123`) fails with any element, even where this node's own input finished:
        // with its inputs cached it goes again alone (not a try); the same dependency would be cancelled for ever.
        if (await inputsCached(node, byId, o.cache)) {
          await resubmit(node, job.attempt);
          continue;
        }
        return failedOutcome(node, `the Slurm job ${job.ref} of ${node.id} was cancelled: a job it waited on failed`, `its inputs did not all finish; fix what failed and run the command again (finished nodes are cached)`, o.emit, now);
      }
      const retries = o.options.retries ?? DEFAULT_RETRIES;
      if (RETRYABLE.has(name) && job.attempt <= retries) {
        const again = `the Slurm job ${job.ref} of ${node.id} ended ${name}; submitting it again (try ${job.attempt + 1} of ${retries + 1})`;
        o.emit({ type: 'diagnostic', t: now(), id: node.id, diagnostic: makeDiagnostic('CVR876', undefined, again, { hint: `its log: ${job.log}` }) });
        await resubmit(node, job.attempt + 1);
        continue;
      }
      return failedOutcome(
        node,
        `the Slurm job ${job.ref} of ${node.id} ended ${name}${state?.exitCode !== undefined ? ` (exit ${state.exitCode})` : ''} without finishing the node`,
        `its log: ${job.log}; what finished is cached, so running the command again resubmits only the rest`,
        o.emit,
        now,
      );
    }
  }

  return {
    accepts: isRemote,
    async run(node) {
      try {
        return await runNode(byId.get(node.id) ?? node);
      } catch (error) {
        if (!(error instanceof SlurmError)) throw error;
        return failedWith(node, [error.diagnostic], o.emit, now);
      }
    },
    cancelAll: () => o.commands.cancel([...new Set([...jobs.values()].map((j) => baseJobId(j.ref)))]).catch(() => undefined),
  };
}

async function inputsCached(node: PlanNode, byId: ReadonlyMap<string, PlanNode>, cache: NodeCache): Promise<boolean> {
  const done = await Promise.all(node.inputs.map((id) => cache.has(byId.get(id)?.key ?? '')));
  return done.every(Boolean);
}

/** Forwards the events the job has appended since last time. */
function tail(job: Job, emit: EventSink): void {
  let text: string;
  try {
    const all = readFileSync(job.events);
    text = all.subarray(job.offset).toString('utf8');
  } catch {
    return;
  }
  const end = text.lastIndexOf('\n');
  if (end < 0) return;
  job.offset += Buffer.byteLength(text.slice(0, end + 1));
  for (const line of text.slice(0, end).split('\n')) {
    if (line.trim() === '') continue;
    try {
      emit(JSON.parse(line) as RunEvent);
    } catch {
      // A torn line of a killed job: skipped.
    }
  }
}

function failedOutcome(node: PlanNode, message: string, hint: string, emit: EventSink, now: () => number): StepOutcome {
  return failedWith(node, [makeDiagnostic('CVR876', undefined, message, { hint })], emit, now);
}

function failedWith(node: PlanNode, diagnostics: readonly Diagnostic[], emit: EventSink, now: () => number): StepOutcome {
  const text = diagnosticLines(diagnostics);
  emit({ type: 'node-failed', t: now(), id: node.id, kind: node.kind, message: text, diagnostics, isBug: false });
  return { status: 'failed', error: new NodeFailure(text, diagnostics), message: text, diagnostics, isBug: false };
}

function fileSize(path: string): number {
  try {
    return statSync(path).size;
  } catch {
    return 0;
  }
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((done) => {
    const timer = setTimeout(finish, ms);
    function finish(): void {
      clearTimeout(timer);
      signal.removeEventListener('abort', finish);
      done();
    }
    signal.addEventListener('abort', finish, { once: true });
  });
}
