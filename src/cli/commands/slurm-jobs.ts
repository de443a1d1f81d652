/** `cvr status RUN_DIR` and `cvr cancel RUN_DIR`: the Slurm jobs of a run folder (RUN_DIR/slurm/jobs.json). */
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { CliIo } from '../io.ts';
import { EXIT } from '../io.ts';
import { settleCommandLine } from '../args.ts';
import { CANCEL, STATUS } from '../specs.ts';
import { realSlurm, SlurmError, type JobsFile, type SlurmCommands } from '../../run/index.ts';

async function readJobs(runDir: string, io: CliIo, command: string): Promise<JobsFile | undefined> {
  const file = join(runDir, 'slurm', 'jobs.json');
  try {
    return JSON.parse(await readFile(file, 'utf8')) as JobsFile;
  } catch {
    io.stderr(`cvr ${command}: ${file} not found: ${runDir} is not the run folder of a \`cvr run --executor slurm\`\n`);
    return undefined;
  }
}

/** The latest attempt of each node. */
function latest(jobs: JobsFile): JobsFile['jobs'] {
  const byNode = new Map<string, JobsFile['jobs'][number]>();
  for (const job of jobs.jobs) byNode.set(job.id, job);
  return [...byNode.values()];
}

export async function statusWith(argv: readonly string[], io: CliIo, slurm: SlurmCommands): Promise<number> {
  const parsed = settleCommandLine(STATUS, argv, io);
  if (typeof parsed === 'number') return parsed;
  const jobs = await readJobs(resolve(io.cwd, parsed.positional[0]!), io, 'status');
  if (jobs === undefined) return EXIT.failed;
  try {
    const rows: (JobsFile['jobs'][number] & { state: string })[] = [];
    for (const job of latest(jobs)) rows.push({ ...job, state: (await slurm.state(job.job))?.state ?? 'UNKNOWN' });
    if (parsed.values.format === 'json') {
      io.stdout(`${JSON.stringify({ jobs: rows }, null, 2)}\n`);
      return EXIT.ok;
    }
    const width = (f: (r: (typeof rows)[number]) => string): number => Math.max(...rows.map((r) => f(r).length), 4);
    const [w1, w2, w3] = [width((r) => r.id), width((r) => r.job), width((r) => r.state)];
    io.stdout(`${'node'.padEnd(w1)}  ${'job'.padEnd(w2)}  ${'state'.padEnd(w3)}  log\n`);
    for (const r of rows) io.stdout(`${r.id.padEnd(w1)}  ${r.job.padEnd(w2)}  ${r.state.padEnd(w3)}  ${r.log}\n`);
    return EXIT.ok;
  } catch (error) {
    if (!(error instanceof SlurmError)) throw error;
    io.stderr(`cvr status: ${error.message}\n`);
    return EXIT.failed;
  }
}

export async function cancelWith(argv: readonly string[], io: CliIo, slurm: SlurmCommands): Promise<number> {
  const parsed = settleCommandLine(CANCEL, argv, io);
  if (typeof parsed === 'number') return parsed;
  const jobs = await readJobs(resolve(io.cwd, parsed.positional[0]!), io, 'cancel');
  if (jobs === undefined) return EXIT.failed;
  const ids = [...new Set(jobs.jobs.map((j) => j.job.split('_')[0] ?? j.job))];
  try {
    await slurm.cancel(ids);
  } catch (error) {
    if (!(error instanceof SlurmError)) throw error;
    io.stderr(`cvr cancel: ${error.message}\n`);
    return EXIT.failed;
  }
  io.stdout(`cancelled ${ids.length} Slurm job(s): ${ids.join(' ')}\n`);
  return EXIT.ok;
}

export const status = (argv: readonly string[], io: CliIo): Promise<number> => statusWith(argv, io, realSlurm());
export const cancel = (argv: readonly string[], io: CliIo): Promise<number> => cancelWith(argv, io, realSlurm());
