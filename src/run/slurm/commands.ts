/**
 * The Slurm commands cvr uses (sbatch, squeue, scontrol, sacct, scancel), behind one interface so
 * that the executor can be tested with a fake. A command that fails becomes `SlurmError` with
 * its diagnostic (CVR875) quoting what it printed.
 */
import { execFile } from 'node:child_process';
import type { Diagnostic } from '../../diag/index.ts';
import { makeDiagnostic } from '../../dsl/index.ts';

export interface JobState {
  /** Slurm's state: PENDING, RUNNING, COMPLETED, FAILED, CANCELLED, TIMEOUT, OUT_OF_MEMORY, NODE_FAIL, … */
  readonly state: string;
  readonly exitCode?: string;
  readonly reason?: string;
}

export interface SlurmCommands {
  /** Submits the script; the job id. */
  sbatch(args: readonly string[], script: string): Promise<string>;
  /** The jobs of this user still in the queue (array tasks one a line), by id (`123`, `124_0`). */
  queued(): Promise<ReadonlyMap<string, string>>;
  /** The state of one job, live or ended; undefined when Slurm no longer knows it. */
  state(ref: string): Promise<JobState | undefined>;
  cancel(ids: readonly string[]): Promise<void>;
}

export class SlurmError extends Error {
  override readonly name = 'SlurmError';
  constructor(readonly diagnostic: Diagnostic) {
    super(diagnostic.message);
  }
}

function exec(command: string, args: readonly string[], input?: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = execFile(command, [...args], { encoding: 'utf8', maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) => {
      if (error === null) return resolve(stdout);
      const missing = (error as NodeJS.ErrnoException).code === 'ENOENT';
      const text = missing ? `${command} was not found` : `${command} ${args.join(' ')} failed: ${(stderr || stdout || error.message).trim()}`;
      reject(
        new SlurmError(
          makeDiagnostic(missing ? 'CVR874' : 'CVR875', undefined, text, {
            hint: missing ? 'run on a machine with the Slurm client commands (a login node), or start a local cluster: scripts/slurm-local.sh start' : 'check the cluster with `sinfo` and the options given to --executor slurm',
          }),
        ),
      );
    });
    if (input !== undefined) child.stdin?.end(input);
  });
}

/** `KEY=VALUE` fields of `scontrol show job -o`. */
export function parseScontrol(line: string): JobState | undefined {
  const field = (name: string): string | undefined => new RegExp(`(?:^|\\s)${name}=(\\S*)`).exec(line)?.[1];
  const state = field('JobState');
  if (state === undefined) return undefined;
  const exitCode = field('ExitCode');
  const reason = field('Reason');
  return { state, ...(exitCode !== undefined && { exitCode }), ...(reason !== undefined && { reason }) };
}

export function realSlurm(): SlurmCommands {
  return {
    async sbatch(args, script) {
      const out = await exec('sbatch', args, script);
      return (out.trim().split(';')[0] ?? '').trim();
    },
    async queued() {
      const out = await exec('squeue', ['--me', '-h', '-r', '-o', '%i|%T']);
      return new Map(
        out
          .split('\n')
          .filter(Boolean)
          .map((line) => {
            const [id = '', state = ''] = line.trim().split('|');
            return [id, state] as const;
          }),
      );
    },
    async state(ref) {
      try {
        const fromController = parseScontrol(await exec('scontrol', ['show', 'job', '-o', ref]));
        if (fromController !== undefined) return fromController;
      } catch {
        // Purged from the controller's memory: ask the accounting (or the job-completion log).
      }
      for (const extra of [[], ['--completion']]) {
        try {
          const out = await exec('sacct', [...extra, '-n', '-P', '-X', '-o', 'JobID,State,ExitCode', '-j', ref]);
          const line = out.split('\n').find((l) => l.startsWith(`${ref}|`));
          const [, state, exitCode] = line?.split('|') ?? [];
          if (state !== undefined) return { state: state.split(' ')[0] ?? state, ...(exitCode !== undefined && { exitCode }) };
        } catch {
          // Try the next source.
        }
      }
      return undefined;
    },
    async cancel(ids) {
      if (ids.length > 0) await exec('scancel', [...ids]);
    },
  };
}
