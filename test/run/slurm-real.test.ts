/**
 * `cvr run --executor slurm` against a real slurmctld/slurmd (`scripts/slurm-local.sh start`;
 * .ci/run starts it): the tiny 2-fold pipeline gives the bytes of the local executor, with the
 * folds as a job array and a log per job in the run folder; a training job cancelled mid-way
 * (scancel) fails the run, and a rerun resumes it and ends with the same bytes.
 * Skipped, saying so, only where no local cluster answers.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync, spawn } from 'node:child_process';
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { tempDir } from './helpers.ts';
import { writeTinyData, tinyPipeline } from './fixtures/tiny-data.ts';
import type { JobsFile } from '../../src/run/index.ts';

const CVR = fileURLToPath(new URL('../../bin/cvr.mjs', import.meta.url));
const SLURM_LOCAL = fileURLToPath(new URL('../../scripts/slurm-local.sh', import.meta.url));

function clusterUp(): boolean {
  try {
    execFileSync('bash', [SLURM_LOCAL, 'status'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

const UP = clusterUp();
if (!UP) console.warn('slurm-real.test.ts skipped: no local Slurm cluster answers; start one with `scripts/slurm-local.sh start` (root; .ci/run does)');

let dir = '';
let dispose = (): void => undefined;
beforeAll(async () => {
  if (!UP) return;
  ({ dir, dispose } = tempDir('slurm'));
  await writeTinyData(dir, 12);
  writeFileSync(join(dir, 'tiny.cvr'), tinyPipeline('metrics accuracy, f1  confusion', 'split kfold 2 { stratified }'));
});
afterAll(() => dispose());

function cvr(args: readonly string[], onOutput?: (output: string) => void): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CVR, ...args], { cwd: dir, env: { ...process.env, CI: '1', CVR_NATIVE_THREADS: '1', CVR_SLURM_POLL_MS: '300' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    const onData = (chunk: Buffer): void => {
      output += chunk.toString();
      onOutput?.(output);
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('exit', (code) => resolve({ code, output }));
  });
}

const bytes = (run: string, name: string): string => readFileSync(join(dir, run, name), 'utf8');
const jobsOf = (run: string): JobsFile => JSON.parse(bytes(run, 'slurm/jobs.json')) as JobsFile;

describe.skipIf(!UP)('cvr run --executor slurm on a local cluster', () => {
  it('gives the bytes of the local executor; a scancel-ed training job fails the run and a rerun resumes it', { timeout: 1_200_000 }, async () => {
    const local = await cvr(['run', 'tiny.cvr', '--cache', 'cache-local', '--out', 'local']);
    expect(local.code, local.output).toBe(0);

    const slurm = await cvr(['run', 'tiny.cvr', '--cache', 'cache-slurm', '--out', 'slurm', '--executor', 'slurm', '--time', '20m']);
    expect(slurm.code, slurm.output).toBe(0);
    expect(bytes('slurm', 'metrics.json')).toBe(bytes('local', 'metrics.json'));
    expect(bytes('slurm', 'predictions.csv')).toBe(bytes('local', 'predictions.csv'));
    const jobs = jobsOf('slurm').jobs;
    // The two folds are the two tasks of one array job; prediction likewise; metrics one job.
    const train = jobs.filter((j) => j.id.startsWith('train:'));
    expect(train.map((j) => j.job.split('_')[1]).sort()).toEqual(['0', '1']);
    expect(new Set(train.map((j) => j.job.split('_')[0])).size).toBe(1);
    expect(jobs.map((j) => j.id).sort()).toEqual(['metrics:resnet50', 'predict:resnet50:0', 'predict:resnet50:1', 'train:resnet50:0', 'train:resnet50:1']);
    const logs = readdirSync(join(dir, 'slurm', 'slurm', 'logs'));
    for (const job of jobs) expect(logs).toContain(`${job.name}-${job.job}.log`);

    // A rerun submits nothing: the cache holds every node.
    const again = await cvr(['run', 'tiny.cvr', '--cache', 'cache-slurm', '--out', 'again', '--executor', 'slurm']);
    expect(again.code, again.output).toBe(0);
    expect(again.output).toMatch(/^\S+ cached +train:resnet50:0$/m);
    expect(bytes('again', 'metrics.json')).toBe(bytes('local', 'metrics.json'));

    let cancelled = '';
    const killed = await cvr(['run', 'tiny.cvr', '--cache', 'cache-kill', '--out', 'killed', '--executor', 'slurm'], (output) => {
      const epoch = /^\S+ epoch +(train:resnet50:\d) 1\/3/m.exec(output);
      if (epoch === null || cancelled !== '') return;
      const job = jobsOf('killed').jobs.find((j) => j.id === epoch[1]);
      if (job === undefined) return;
      cancelled = job.job;
      execFileSync('scancel', [job.job]);
    });
    expect(cancelled).not.toBe('');
    expect(killed.code, killed.output).toBe(1);
    expect(killed.output).toContain('CVR876');
    expect(killed.output).toMatch(/ended CANCELLED/);
    // A node whose array dependency failed is resubmitted at most once, alone (it was once resubmitted for ever).
    const submissions = jobsOf('killed').jobs;
    for (const id of new Set(submissions.map((j) => j.id))) expect(submissions.filter((j) => j.id === id).length, id).toBeLessThanOrEqual(2);
    // Nothing of that run is left in the queue.
    const left = execFileSync('squeue', ['--me', '-h', '-o', '%j'], { encoding: 'utf8' });
    expect(left.split('\n').filter((name) => name.startsWith('cvr-'))).toEqual([]);

    const resumed = await cvr(['run', 'tiny.cvr', '--cache', 'cache-kill', '--out', 'resumed', '--executor', 'slurm']);
    expect(resumed.code, resumed.output).toBe(0);
    expect(resumed.output).toMatch(/^\S+ resumed +train:resnet50:\d/m);
    expect(bytes('resumed', 'metrics.json')).toBe(bytes('local', 'metrics.json'));
    expect(bytes('resumed', 'predictions.csv')).toBe(bytes('local', 'predictions.csv'));
  });
});
