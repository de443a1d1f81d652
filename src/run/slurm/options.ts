/**
 * The sbatch options of `cvr run --executor slurm` (`--partition`, `--gres`, `--time`, `--cpus`,
 * `--mem`, `--retries`), checked before anything is submitted (CVR423–427), and turned into
 * sbatch arguments. Durations are cvr's (`4h`, `90m`, `1d12h`) or Slurm's (`[D-]HH:MM:SS`).
 */
import type { Diagnostic } from '../../diag/index.ts';
import { makeDiagnostic } from '../../dsl/index.ts';

export interface SlurmOptions {
  readonly partition?: string;
  readonly gres?: string;
  /** As given; passed to sbatch as minutes (`--time=M`) or as written when in Slurm's form. */
  readonly time?: string;
  readonly cpus?: number;
  readonly mem?: string;
  /** Resubmissions of a job that failed (not of one cancelled on purpose); default 1. */
  readonly retries?: number;
}

export const DEFAULT_RETRIES = 1;

/** Minutes of a cvr duration (`90m`, `4h`, `2d`, `1d12h30m`), or undefined when it is not one. */
export function durationMinutes(text: string): number | undefined {
  const m = /^(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?$/.exec(text);
  if (m === null || text === '') return undefined;
  const minutes = Number(m[1] ?? 0) * 1440 + Number(m[2] ?? 0) * 60 + Number(m[3] ?? 0);
  return minutes > 0 ? minutes : undefined;
}

const SLURM_TIME = /^(?:\d+-)?\d{1,2}:\d{2}(?::\d{2})?$/;

export function checkSlurmOptions(options: SlurmOptions): Diagnostic[] {
  const out: Diagnostic[] = [];
  const bad = (code: 'CVR423' | 'CVR424' | 'CVR425' | 'CVR426' | 'CVR427', message: string, hint: string): void => {
    out.push(makeDiagnostic(code, undefined, message, { hint }));
  };
  if (options.time !== undefined && durationMinutes(options.time) === undefined && !SLURM_TIME.test(options.time)) {
    bad('CVR423', `time "${options.time}" is not a duration`, 'write it as 90m, 4h, 2d or 1d12h (or Slurm\'s 1-12:00:00)');
  }
  if (options.mem !== undefined && !/^[1-9]\d*[KMGT]$/.test(options.mem)) {
    bad('CVR424', `mem "${options.mem}" is not a memory size`, 'write a whole number and a unit: 500M, 32G, 1T');
  }
  if (options.gres !== undefined && !/^[A-Za-z][\w-]*(?::[\w.-]+)?(?::\d+)?$/.test(options.gres)) {
    bad('CVR425', `gres "${options.gres}" is not name[:type][:count]`, 'for one GPU: gpu:1; of a given type: gpu:a100:1');
  }
  if (options.partition !== undefined && !/^[\w.-]+$/.test(options.partition)) {
    bad('CVR426', `partition "${options.partition}" is not a partition name`, '`sinfo -s` lists the partitions of the cluster');
  }
  if (options.cpus !== undefined && !(Number.isInteger(options.cpus) && options.cpus >= 1 && options.cpus <= 1024)) {
    bad('CVR427', `cpus ${options.cpus} is out of range`, 'give a whole number from 1 to 1024');
  }
  if (options.retries !== undefined && !(Number.isInteger(options.retries) && options.retries >= 0 && options.retries <= 10)) {
    bad('CVR427', `retries ${options.retries} is out of range`, 'give a whole number from 0 to 10');
  }
  return out;
}

/** The sbatch arguments of the options (valid ones: check first). */
export function sbatchOptionArgs(options: SlurmOptions): string[] {
  const args: string[] = [];
  if (options.partition !== undefined) args.push(`--partition=${options.partition}`);
  if (options.gres !== undefined) args.push(`--gres=${options.gres}`);
  if (options.time !== undefined) args.push(`--time=${durationMinutes(options.time) ?? options.time}`);
  if (options.cpus !== undefined) args.push(`--cpus-per-task=${options.cpus}`);
  if (options.mem !== undefined) args.push(`--mem=${options.mem}`);
  return args;
}
