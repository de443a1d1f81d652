import type { RunDeps } from './deps.ts';

export type * from './events.ts';
export { NodeCache, resolveCacheDir, DEFAULT_CACHE_DIR } from './cache.ts';
export { acquireCacheLock, lockFileOf, type CacheLock, type LockOptions } from './lock.ts';
export { executePlan, NodeFailure, type NodeContext, type NodeHandler, type Handlers, type HandlerEntry, type RemoteNodes } from './executor.ts';
export { runPlan, defaultRunDir, jobsExecutor, type RunPlanOptions, type RunOutcome, type RemoteFactory, type RemoteContext, type ClosableRemote } from './runner.ts';
export { ndjsonFileSink, fanOut } from './ndjson.ts';
export { abortOnSigint } from './interrupt.ts';
export { runPreparedNode, serveNodes, savePrepared, readPrepared, type PreparedNodes, type SavedPrepared } from './worker.ts';
export { workerSpawner, nodeThreads, runNodeArgs, CVR_BIN, type WorkerCommand } from './worker-spawn.ts';
export { slurmRemote, SLURM_KINDS, type JobsFile } from './slurm/remote.ts';
export { realSlurm, type SlurmCommands, type JobState, SlurmError } from './slurm/commands.ts';
export { checkSlurmOptions, type SlurmOptions } from './slurm/options.ts';
export { workerPool, type WorkerPool, type PoolOptions } from './pool.ts';
export { meanStd } from '../evaluate/index.ts';
export type { RunDeps } from './deps.ts';

/** The real run context; loaded on demand, because it pulls in every stage (tfjs included). */
export async function loadRunDeps(): Promise<Omit<RunDeps, 'tty'>> {
  return (await import('./wiring.ts')).realRunDeps();
}
export type { AuditEvent } from './events.ts';
export type { EpochEvent } from './events.ts';
export type { NodeStatus } from './events.ts';
export type { PlanEvent } from './events.ts';
export type { RunDoneEvent } from './events.ts';
export type { RunEvent } from './events.ts';
export type { SummaryEvent } from './events.ts';
export { envFaultDiagnostic } from './env-faults.ts';
export { MARKER_FILE } from './cache.ts';
