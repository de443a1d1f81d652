/**
 * One run: take the cache lock, announce the plan (with what is cached), execute it, and write
 * the run folder (`runs/<pipeline>/<timestamp-or-name>/`): pipeline.cvr, pipeline.json, lock.json, audit.json,
 * metrics.json, predictions.csv, events.ndjson. Every event also goes to the caller's sink.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { hostname } from 'node:os';
import { cvrVersion } from '../diag/index.ts';
import type { ResolvedPipeline } from '../dsl/index.ts';
import type { Plan, PlanNode } from '../plan/index.ts';
import type { MetricsFile, ModelMetrics, ProbesMetrics } from '../evaluate/index.ts';
import type { EventSink, RunEvent } from './events.ts';
import { NodeCache } from './cache.ts';
import { acquireCacheLock, type LockOptions } from './lock.ts';
import type { Code, Diagnostic, Severity } from '../diag/index.ts';
import type { AuditEvent } from './events.ts';
import { executePlan, messageOf, type Handlers } from './executor.ts';
import { isCacheable } from './node-step.ts';
import { workerPool, type PoolOptions } from './pool.ts';
import type { RemoteNodes } from './executor.ts';
import { ensureDir, isRecord, writeFileAtomic } from '../data/index.ts';
import { envFaultDiagnostic } from './env-faults.ts';
import { diagnosticLines } from './node-result.ts';
import { fanOut, ndjsonFileSink } from './ndjson.ts';
import {
  buildMetricsFile,
  predictionsCsv,
  readAudit,
  readModelMetrics,
  readPredictions,
  readProbe,
  summaryOf,
  type AuditSummary,
  type ModelPredictionRow,
} from './outputs.ts';

export interface RunPlanOptions {
  readonly plan: Plan;
  readonly handlers: Handlers;
  readonly cacheDir: string;
  readonly runDir: string;
  readonly seed: number;
  readonly engine: string;
  /** Task classes in output order. */
  readonly classes: readonly string[];
  /** The pipeline's file as written, copied as pipeline.cvr. */
  readonly pipelineText?: string;
  /**
   * The resolved pipeline the plan was built from, written as pipeline.json: pipeline.cvr alone
   * cannot be resolved again when it imports other files, and the report reads this instead.
   */
  readonly resolvedPipeline?: ResolvedPipeline;
  /** Extra fields for lock.json (data hashes, split hash, versions). */
  readonly lockInfo?: Readonly<Record<string, unknown>>;
  readonly sink: EventSink;
  readonly signal: AbortSignal;
  readonly now?: () => number;
  readonly lockOptions?: Pick<LockOptions, 'pollMs' | 'heartbeatMs' | 'staleMs'>;
  /** Where nodes run besides this process (`--jobs N`: jobsExecutor; `--executor slurm`); none: all here, one at a time. */
  readonly remote?: RemoteFactory;
}

/** What a remote executor is built from: the run's plan, cache and event stream. */
export interface RemoteContext {
  readonly plan: Plan;
  readonly cache: NodeCache;
  readonly emit: EventSink;
  readonly signal: AbortSignal;
  readonly now: () => number;
  /** Whether a node may run elsewhere: it and each of its inputs are cached (the others write the run folder). */
  readonly eligible: (node: PlanNode) => boolean;
}

/** A remote executor that is ended (its workers stopped, its leftover jobs cancelled) when the run ends. */
export type ClosableRemote = RemoteNodes & { close(): Promise<void> };

export type RemoteFactory = (context: RemoteContext) => ClosableRemote;

const WORKER_KINDS: ReadonlySet<string> = new Set(['train', 'predict']);

/** `--jobs N`: training and prediction in N worker processes; the rest (scans, preprocessing into shared shards, split, audit, metrics) here, while the workers start. */
export function jobsExecutor(jobs: number, spawn: PoolOptions['spawn']): RemoteFactory {
  return (context) => {
    const order = new Map(context.plan.nodes.map((node, i) => [node.id, i]));
    return workerPool({
      size: jobs,
      spawn,
      accepts: (node) => WORKER_KINDS.has(node.kind) && context.eligible(node),
      rank: (node) => order.get(node.id) ?? order.size,
      emit: context.emit,
      signal: context.signal,
      now: context.now,
    });
  };
}

function remoteFor(options: RunPlanOptions, cache: NodeCache, emit: EventSink, now: () => number): ClosableRemote | undefined {
  const { plan, handlers } = options;
  if (options.remote === undefined) return undefined;
  const kinds = new Map(plan.nodes.map((node) => [node.id, node.kind]));
  const cached = (id: string): boolean => {
    const kind = kinds.get(id);
    return kind !== undefined && isCacheable(handlers[kind]);
  };
  return options.remote({ plan, cache, emit, signal: options.signal, now, eligible: (node) => cached(node.id) && node.inputs.every(cached) });
}

export type RunOutcome =
  | { readonly status: 'done'; readonly runDir: string }
  | { readonly status: 'cancelled'; readonly runDir: string }
  | {
      readonly status: 'failed';
      readonly runDir: string;
      /** The node that failed, or `cache` / `run folder` when the runner itself could not go on. */
      readonly failedId: string;
      readonly message: string;
      readonly isBug: boolean;
      /** Why, as diagnostics; the events (and so the view) have already shown them. */
      readonly diagnostics: readonly Diagnostic[];
    };

export async function runPlan(options: RunPlanOptions): Promise<RunOutcome> {
  const { runDir } = options;
  const now = options.now ?? Date.now;
  const started = now();
  const faultContext = { cacheDir: options.cacheDir, runDir };
  /** A full, read-only or vanished disk outside any node: its diagnostic, exit 1 (never a stack trace). */
  const faulted = (error: unknown, failedId: string, emit?: EventSink): RunOutcome => {
    const diagnostic = envFaultDiagnostic(error, faultContext);
    if (diagnostic === undefined) throw error;
    emit?.({ type: 'diagnostic', t: now(), diagnostic });
    emit?.({ type: 'run-done', t: now(), ok: false, runDir, ms: now() - started });
    return { status: 'failed', runDir, failedId, message: diagnosticLines([diagnostic]), isBug: false, diagnostics: [diagnostic] };
  };
  let eventsFile: ReturnType<typeof ndjsonFileSink>;
  try {
    await ensureDir(runDir);
    eventsFile = ndjsonFileSink(join(runDir, 'events.ndjson'));
  } catch (error) {
    return faulted(error, 'run folder', options.sink);
  }
  const emit: EventSink = fanOut(eventsFile.sink, options.sink);
  const cache = new NodeCache(options.cacheDir);
  try {
    let locked;
    try {
      locked = await acquireCacheLock(options.cacheDir, {
        ...options.lockOptions,
        signal: options.signal,
        onWait: (holder, lockFile) =>
          emit({ type: 'lock-wait', t: now(), lockFile, holderPid: holder.pid, holderHost: holder.host, since: holder.since }),
        onStale: (holder, lockFile) => emit({ type: 'lock-stale', t: now(), lockFile, holderPid: holder.pid }),
      });
    } catch (error) {
      return faulted(error, 'cache', emit);
    }
    if (!locked.ok) {
      emit({ type: 'run-done', t: now(), ok: false, runDir, ms: now() - started, cancelled: true });
      return { status: 'cancelled', runDir };
    }
    try {
      return await runLocked(options, cache, emit, now, started);
    } catch (error) {
      return faulted(error, 'cache', emit);
    } finally {
      await locked.lock.release().catch(() => undefined);
    }
  } finally {
    eventsFile.close();
  }
}

async function runLocked(options: RunPlanOptions, cache: NodeCache, emit: EventSink, now: () => number, started: number): Promise<RunOutcome> {
  const { plan, runDir } = options;
  await cache.sweepTemp();
  const cached = await Promise.all(plan.nodes.map((node) => cache.has(node.key)));
  emit({
    type: 'plan',
    t: now(),
    pipeline: plan.pipeline,
    engine: options.engine,
    seed: options.seed,
    cacheDir: options.cacheDir,
    runDir,
    nodes: plan.nodes.map((node, i) => ({ id: node.id, kind: node.kind, cached: cached[i] === true })),
  });
  if (options.pipelineText !== undefined) await writeFileAtomic(join(runDir, 'pipeline.cvr'), options.pipelineText);
  if (options.resolvedPipeline !== undefined) await writeJson(join(runDir, 'pipeline.json'), options.resolvedPipeline);
  const writeLock = (data: Readonly<Record<string, unknown>>): Promise<void> =>
    writeJson(join(runDir, 'lock.json'), {
      ...data,
      // Where and when the run started, for the report's header.
      host: hostname(),
      startedAt: new Date(started).toISOString(),
      pipeline: plan.pipeline,
      seed: options.seed,
      engine: options.engine,
      ...options.lockInfo,
      nodes: Object.fromEntries(plan.nodes.map((node) => [node.id, node.key])),
    });
  await writeLock({ versions: { cvr: cvrVersion(), node: process.version } });

  let audit: AuditSummary | undefined;
  const models: Record<string, ModelMetrics> = {};
  const predictions: ModelPredictionRow[] = [];
  let probes: ProbesMetrics = {};
  const metricsFile = (): MetricsFile => buildMetricsFile({ pipeline: plan.pipeline, engine: options.engine, seed: options.seed, classes: options.classes, models, audit, probes });
  // Written as each model's metrics come in, not only at the end: the `report` node, which runs
  // after every metrics node, reads them from the run folder.
  const writeResults = async (): Promise<void> => {
    await writeJson(join(runDir, 'metrics.json'), metricsFile());
    if (predictions.length > 0) await writeFileAtomic(join(runDir, 'predictions.csv'), predictionsCsv(predictions, options.classes));
  };
  const onOutput = async (node: PlanNode, output: unknown): Promise<void> => {
    if (node.kind === 'audit') {
      audit = readAudit(output);
      // The audit node also carries the data fingerprint (file lists, content and split hashes).
      const { dataLock, ...report } = isRecord(output) ? output : { dataLock: undefined };
      if (isRecord(dataLock)) await writeLock(dataLock);
      await writeJson(join(runDir, 'audit.json'), isRecord(output) ? report : output);
      if (audit !== undefined) emit({ type: 'audit', t: now(), ...audit });
    } else if (node.kind === 'metrics') {
      const metrics = readModelMetrics(output);
      const model = node.model ?? node.id.replace(/^metrics:/, '');
      if (metrics === undefined) return;
      models[model] = metrics;
      await writeResults();
      for (const fold of metrics.folds) {
        emit({ type: 'metrics', t: now(), model, fold: fold.fold, accuracy: fold.accuracy, macroF1: fold.macro.f1 });
      }
    } else if (node.kind === 'probe') {
      const entry = readProbe(String(node.config['probe'] ?? ''), output);
      if (entry === undefined) return;
      probes = { ...probes, ...entry };
      await writeResults();
      // Said on every run, cached or not: a probe's findings are part of its output.
      for (const event of probeFindingEvents(node.id, entry, now())) emit(event);
    } else if (node.kind === 'predict' && node.config['probe'] === undefined) {
      for (const row of readPredictions(output)) predictions.push({ ...row, model: node.model ?? '' });
    }
  };

  // The findings of an audit that stops the run, so audit.json is written for it too.
  let failedAudit: AuditEvent | undefined;
  const watch: EventSink = (event) => {
    if (event.type === 'audit') failedAudit = event;
    emit(event);
  };
  const onAbort = (): void => emit({ type: 'stopping', t: now() });
  options.signal.addEventListener('abort', onAbort, { once: true });
  const pool = remoteFor(options, cache, watch, now);
  const result = await executePlan({
    plan,
    handlers: options.handlers,
    cache,
    seed: options.seed,
    engine: options.engine,
    runDir,
    emit: watch,
    signal: options.signal,
    now,
    onOutput,
    ...(pool !== undefined && { remote: pool }),
  }).finally(async () => {
    options.signal.removeEventListener('abort', onAbort);
    await pool?.close();
  });

  if (result.status === 'done') {
    await writeResults();
    if (Object.keys(models).length > 0) emit(summaryOf(metricsFile(), now()));
  }
  const ok = result.status === 'done';
  emit({ type: 'run-done', t: now(), ok, runDir, ms: now() - started, ...(result.status === 'cancelled' ? { cancelled: true } : {}) });
  if (result.status === 'failed') {
    const failedNode = plan.nodes.find((n) => n.id === result.failedId);
    if (failedNode?.kind === 'audit' && failedAudit !== undefined) {
      const { type: _type, t: _t, ...report } = failedAudit;
      await writeJson(join(runDir, 'audit.json'), { ...report, passed: false, diagnostics: result.diagnostics });
    }
    const isBug = result.isBug;
    return {
      status: 'failed',
      runDir,
      failedId: result.failedId,
      message: isBug && result.error instanceof Error ? (result.error.stack ?? result.error.message) : messageOf(result.error),
      isBug,
      diagnostics: result.diagnostics,
    };
  }
  return { status: result.status, runDir };
}


async function writeJson(path: string, value: unknown): Promise<void> {
  await writeFileAtomic(path, `${JSON.stringify(value, null, 2)}\n`);
}

/** `runs/<pipeline>/<name>`, or a timestamp `2026-11-26T10-41-07` (with `-2`, `-3` … if taken). */
export function defaultRunDir(cwd: string, pipeline: string, at: Date, name?: string): string {
  const base = join(cwd, 'runs', pipeline, name ?? at.toISOString().slice(0, 19).replaceAll(':', '-'));
  if (name !== undefined || !existsSync(base)) return base;
  for (let n = 2; ; n++) if (!existsSync(`${base}-${n}`)) return `${base}-${n}`;
}

export type { RunEvent };

/** A probe's findings as diagnostic events. */
function probeFindingEvents(id: string, entry: Partial<ProbesMetrics>, t: number): RunEvent[] {
  return Object.values(entry).flatMap((e) => e?.findings ?? []).map((finding) => ({
    type: 'diagnostic' as const,
    t,
    id,
    diagnostic: { code: finding.code as Code, severity: finding.severity as Severity, message: finding.message, ...(finding.hint !== undefined && { hint: finding.hint }) },
  }));
}
