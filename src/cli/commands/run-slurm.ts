/** `cvr run --executor slurm`: its options checked, and the Slurm executor built for the run. */
import type { CliIo } from '../io.ts';
import type { OptionValues } from '../args.ts';
import type { RUN } from '../specs.ts';
import type { ResolvedPipeline } from '../../dsl/index.ts';
import { checkSlurmOptions, CVR_BIN, nodeThreads, realSlurm, runNodeArgs, slurmRemote, type RemoteFactory, type RunDeps, type SlurmOptions, type WorkerCommand } from '../../run/index.ts';

/**
 * The Slurm options of the run: the pipeline's `executor slurm { }` block (checked when the file
 * was loaded), each overridden by its flag. Undefined for the local executor (the block then
 * stays unused: the same file runs here and on a cluster), 'invalid' after printing why.
 */
export function slurmOptionsOf(args: OptionValues<typeof RUN>, io: CliIo, deps: Pick<RunDeps, 'renderDiagnostics'>, pipeline?: Pick<ResolvedPipeline, 'executor'>): SlurmOptions | undefined | 'invalid' {
  const given = { partition: args.partition, gres: args.gres, time: args.time, cpus: args.cpus, mem: args.mem, retries: args.retries };
  const named = Object.entries(given).filter(([, v]) => v !== undefined);
  if (args.executor !== 'slurm') {
    if (named.length === 0) return undefined;
    io.stderr(`cvr run: --${named.map(([k]) => k).join(', --')} ${named.length === 1 ? 'is an option' : 'are options'} of --executor slurm\n`);
    return 'invalid';
  }
  if (args.jobs !== undefined && args.jobs > 1) {
    io.stderr('cvr run: --jobs is for the local executor; with --executor slurm every job node runs as its own Slurm job\n');
    return 'invalid';
  }
  const flags: SlurmOptions = Object.fromEntries(named) as SlurmOptions;
  const problems = checkSlurmOptions(flags);
  if (problems.length === 0) return { ...pipeline?.executor?.options, ...flags };
  io.stderr(deps.renderDiagnostics(problems, io.cwd));
  return 'invalid';
}

export function slurmExecutor(command: WorkerCommand, options: SlurmOptions): RemoteFactory {
  const poll = Number.parseInt(command.env['CVR_SLURM_POLL_MS'] ?? '', 10);
  return (context) => {
    const remote = slurmRemote({
      ...context,
      commands: realSlurm(),
      command: [process.execPath, CVR_BIN, ...runNodeArgs(command, [])],
      runDir: command.runDir,
      cwd: command.cwd,
      options,
      threads: nodeThreads(command.env),
      ...(Number.isFinite(poll) && poll > 0 && { pollMs: poll }),
    });
    return { ...remote, close: () => remote.cancelAll() };
  };
}
