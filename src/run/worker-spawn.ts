/**
 * How `cvr run --jobs N` starts its workers: `cvr run-node … --serve` (bin/cvr.mjs, so a worker
 * runs the same build, compiled or from sources, as its parent), in the run's working folder,
 * with an IPC channel, its stdout and stderr in `<run>/workers/worker-<i>.log`, and a fixed
 * engine thread count (`CVR_NATIVE_THREADS`): the count a one-job run uses, so results never
 * depend on N (oneDNN's weight gradients may change in their last bits with the thread count).
 */
import { fork, type ChildProcess } from 'node:child_process';
import { closeSync, mkdirSync, openSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { packageRoot } from '../diag/index.ts';

/** bin/cvr.mjs found from the package root: this module runs from src/ or bundled into dist/. */
export const CVR_BIN = join(packageRoot(), 'bin', 'cvr.mjs');

export interface WorkerCommand {
  readonly file: string;
  readonly pipeline: string;
  readonly seed: number;
  readonly engine: string;
  readonly cacheDir: string;
  readonly runDir: string;
  readonly cwd: string;
  readonly env: NodeJS.ProcessEnv;
  /** The run's prepared plan (worker.ts: savePrepared), so a worker or job does not plan FILE again. */
  readonly prepared?: string;
}

/** The engine threads of every node, whatever `--jobs`: CVR_NATIVE_THREADS, else every core (the engine's own default). */
export function nodeThreads(env: NodeJS.ProcessEnv, cores = availableParallelism()): number {
  const fromEnv = Number.parseInt(env['CVR_NATIVE_THREADS'] ?? '', 10);
  return Number.isFinite(fromEnv) && fromEnv > 0 ? fromEnv : Math.max(1, cores);
}

/** `cvr run-node` arguments for one node (`--key`) or a serving worker (`--serve`). */
export function runNodeArgs(command: Omit<WorkerCommand, 'cwd' | 'env'>, mode: readonly string[]): string[] {
  return [
    'run-node', command.file, '--pipeline', command.pipeline, '--seed', String(command.seed), '--engine', command.engine, '--cache', command.cacheDir, '--out', command.runDir,
    ...(command.prepared !== undefined ? ['--prepared', command.prepared] : []),
    ...mode,
  ];
}

export function workerSpawner(command: WorkerCommand): (index: number) => { child: ChildProcess; log: string } {
  return (index) => {
    const dir = join(command.runDir, 'workers');
    mkdirSync(dir, { recursive: true });
    const log = join(dir, `worker-${index}.log`);
    const fd = openSync(log, 'a');
    try {
      const child = fork(CVR_BIN, runNodeArgs(command, ['--serve']), {
        cwd: command.cwd,
        env: { ...command.env, CI: '1', CVR_NATIVE_THREADS: String(nodeThreads(command.env)) },
        stdio: ['ignore', fd, fd, 'ipc'],
      });
      return { child, log };
    } finally {
      closeSync(fd);
    }
  };
}
