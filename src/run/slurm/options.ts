/**
 * The sbatch options of `cvr run --executor slurm` (the pipeline's `executor slurm { }` block,
 * overridden by `--partition`, `--gres`, `--time`, `--cpus`, `--mem`, `--retries`), checked before
 * anything is submitted (CVR423–427, dsl/slurm-options.ts), and turned into sbatch arguments.
 */
import { durationMinutes, type SlurmOptions } from '../../dsl/index.ts';

export { checkSlurmOptions, DEFAULT_RETRIES, durationMinutes, type SlurmOptions } from '../../dsl/index.ts';

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
