/**
 * The Slurm executor's options, wherever they are written: in the pipeline's
 * `executor slurm { partition "gpu"  gres "gpu:1"  time 4h  cpus 8  mem 32G  retries 2 }` or as
 * `cvr run --executor slurm --partition …` flags (which override the block, option by option).
 * One check for both (CVR423–427): with the span of the value in the .cvr file, or none for a flag.
 * Durations are cvr's (`4h`, `90m`, `1d12h`) or Slurm's (`[D-]HH:MM:SS`).
 */
import type { Diagnostic, Span } from '../diag/index.ts';
import type { ExecutorStmt } from './ast.ts';
import { makeDiagnostic } from './report.ts';

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

/** The option names, in the order `cvr fmt` and the docs list them. */
export const SLURM_OPTION_KEYS = ['partition', 'gres', 'time', 'cpus', 'mem', 'retries'] as const satisfies readonly (keyof SlurmOptions)[];

export const DEFAULT_RETRIES = 1;

/** Minutes of a cvr duration (`90m`, `4h`, `2d`, `1d12h30m`), or undefined when it is not one. */
export function durationMinutes(text: string): number | undefined {
  const m = /^(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?$/.exec(text);
  if (m === null || text === '') return undefined;
  const minutes = Number(m[1] ?? 0) * 1440 + Number(m[2] ?? 0) * 60 + Number(m[3] ?? 0);
  return minutes > 0 ? minutes : undefined;
}

const SLURM_TIME = /^(?:\d+-)?\d{1,2}:\d{2}(?::\d{2})?$/;

/** CVR423–427 for every bad option; `spans` places each in the .cvr file (absent: a command-line flag). */
export function checkSlurmOptions(options: SlurmOptions, spans: Partial<Record<keyof SlurmOptions, Span>> = {}): Diagnostic[] {
  const out: Diagnostic[] = [];
  const bad = (key: keyof SlurmOptions, code: 'CVR423' | 'CVR424' | 'CVR425' | 'CVR426' | 'CVR427', message: string, hint: string): void => {
    out.push(makeDiagnostic(code, spans[key], message, { hint }));
  };
  if (options.time !== undefined && durationMinutes(options.time) === undefined && !SLURM_TIME.test(options.time)) {
    bad('time', 'CVR423', `time "${options.time}" is not a duration`, 'write it as 90m, 4h, 2d or 1d12h (or Slurm\'s "1-12:00:00", quoted in a .cvr file)');
  }
  if (options.mem !== undefined && !/^[1-9]\d*[KMGT]$/.test(options.mem)) {
    bad('mem', 'CVR424', `mem "${options.mem}" is not a memory size`, 'write a whole number and a unit: 500M, 32G, 1T');
  }
  if (options.gres !== undefined && !/^[A-Za-z][\w-]*(?::[\w.-]+)?(?::\d+)?$/.test(options.gres)) {
    bad('gres', 'CVR425', `gres "${options.gres}" is not name[:type][:count]`, 'for one GPU: gpu:1; of a given type: gpu:a100:1');
  }
  if (options.partition !== undefined && !/^[\w.-]+$/.test(options.partition)) {
    bad('partition', 'CVR426', `partition "${options.partition}" is not a partition name`, '`sinfo -s` lists the partitions of the cluster');
  }
  for (const [key, min, max] of [['cpus', 1, 1024], ['retries', 0, 10]] as const) {
    const value = options[key];
    if (value === undefined || (Number.isInteger(value) && value >= min && value <= max)) continue;
    bad(key, 'CVR427', Number.isNaN(value) ? `${key} is not a whole number` : `${key} ${value} is out of range`, `give a whole number from ${min} to ${max}`);
  }
  return out;
}

/** The options an `executor slurm { … }` block writes, with the span of each value; unknown keys are left to the checker (CVR429). */
export function slurmOptionsOfBlock(stmt: ExecutorStmt): { readonly options: SlurmOptions; readonly spans: Partial<Record<keyof SlurmOptions, Span>> } {
  const options: { -readonly [K in keyof SlurmOptions]: SlurmOptions[K] } = {};
  const spans: Partial<Record<keyof SlurmOptions, Span>> = {};
  for (const s of stmt.settings) {
    const key = s.key.name;
    if (!(SLURM_OPTION_KEYS as readonly string[]).includes(key)) continue;
    const k = key as keyof SlurmOptions;
    spans[k] = s.value.span;
    if (k === 'cpus' || k === 'retries') options[k] = s.value.quoted || !/^\d+$/.test(s.value.text) ? Number.NaN : Number(s.value.text);
    else options[k] = s.value.text;
  }
  return { options, spans };
}
