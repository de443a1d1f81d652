/**
 * The Slurm submission plan as data, without Slurm: which nodes share a job array, what each
 * job waits for, the sbatch arguments of the options, and the batch script's key choice.
 */
import { describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { toyPlan } from './fixtures/toy.ts';
import { baseJobId, jobScript, readyToSubmit, sbatchArgs, submissionBatch } from '../../src/run/slurm/submit-plan.ts';
import { checkSlurmOptions, durationMinutes, sbatchOptionArgs } from '../../src/run/slurm/options.ts';
import { parseScontrol } from '../../src/run/slurm/commands.ts';
import type { PlanNode } from '../../src/plan/types.ts';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadPipelines } from '../../src/dsl/index.ts';
import { parseCommandLine } from '../../src/cli/args.ts';
import { RUN } from '../../src/cli/specs.ts';
import { slurmOptionsOf } from '../../src/cli/commands/run-slurm.ts';

const plan = toyPlan({ seed: 7, models: ['toy', 'wide'], folds: 3, epochs: 1, batches: 1, evaluate: 'accuracy' });
const REMOTE = new Set(['train', 'predict', 'metrics']);
const isRemote = (n: PlanNode): boolean => REMOTE.has(n.kind);
const local = new Set(plan.nodes.filter((n) => !isRemote(n)).map((n) => n.id));

describe('the Slurm submission plan', () => {
  it('submits every job node at once when the local nodes are cached: folds of a model as one array, afterok on the inputs', () => {
    const batch = readyToSubmit(plan.nodes, { isRemote, isSubmitted: () => false, isCached: (id) => local.has(id) });
    expect(batch.map((n) => n.id).sort()).toEqual(plan.nodes.filter(isRemote).map((n) => n.id).sort());
    const specs = submissionBatch(batch, () => undefined);
    const shape = specs.map((s) => ({ name: s.name, tasks: s.nodes.map((n) => n.id), after: s.after.map((a) => (typeof a === 'number' ? specs[a]!.name : a)) }));
    expect(shape).toEqual([
      { name: 'cvr-train-toy', tasks: ['train:toy:0', 'train:toy:1', 'train:toy:2'], after: [] },
      { name: 'cvr-predict-toy', tasks: ['predict:toy:0', 'predict:toy:1', 'predict:toy:2'], after: ['cvr-train-toy'] },
      { name: 'cvr-metrics-toy', tasks: ['metrics:toy'], after: ['cvr-predict-toy'] },
      { name: 'cvr-train-wide', tasks: ['train:wide:0', 'train:wide:1', 'train:wide:2'], after: [] },
      { name: 'cvr-predict-wide', tasks: ['predict:wide:0', 'predict:wide:1', 'predict:wide:2'], after: ['cvr-train-wide'] },
      { name: 'cvr-metrics-wide', tasks: ['metrics:wide'], after: ['cvr-predict-wide'] },
    ]);
    // Each job waits only on jobs before it, so they can be submitted in order.
    specs.forEach((s, i) => s.after.forEach((a) => typeof a === 'number' && expect(a).toBeLessThan(i)));
  });

  it('waits for nothing local that is not cached, and depends on jobs submitted earlier by their id', () => {
    const none = readyToSubmit(plan.nodes, { isRemote, isSubmitted: () => false, isCached: () => false });
    expect(none).toEqual([]);
    // train:toy:* went out earlier as array 41; a cached fold of wide is not submitted again.
    const jobs = new Map([['train:toy:0', '41_0'], ['train:toy:1', '41_1'], ['train:toy:2', '41_2']]);
    const cached = new Set([...local, 'train:wide:1']);
    const batch = readyToSubmit(plan.nodes, { isRemote: (n) => isRemote(n) && !cached.has(n.id), isSubmitted: (id) => jobs.has(id), isCached: (id) => cached.has(id) });
    expect(batch.map((n) => n.id)).not.toContain('train:wide:1');
    const specs = submissionBatch(batch, (id) => jobs.get(id));
    const predictToy = specs.find((s) => s.name === 'cvr-predict-toy');
    expect(predictToy?.after).toEqual(['41']);
    expect(specs.find((s) => s.name === 'cvr-train-wide')?.nodes.map((n) => n.id)).toEqual(['train:wide:0', 'train:wide:2']);
    expect(baseJobId('41_2')).toBe('41');
  });

  it('turns the options and dependencies into sbatch arguments', () => {
    const [train, predict] = submissionBatch(readyToSubmit(plan.nodes, { isRemote, isSubmitted: () => false, isCached: (id) => local.has(id) }), () => undefined);
    const ctx = { options: { partition: 'gpu', gres: 'gpu:1', time: '4h', cpus: 8, mem: '32G' }, logDir: '/r/slurm/logs', cwd: '/p', threads: 1 };
    expect(sbatchArgs(train!, [], ctx)).toEqual([
      '--parsable',
      '--job-name=cvr-train-toy',
      '--output=/r/slurm/logs/%x-%A_%a.log',
      '--chdir=/p',
      '--export=ALL,CI=1,CVR_NATIVE_THREADS=1',
      '--array=0-2',
      '--partition=gpu',
      '--gres=gpu:1',
      '--time=240',
      '--cpus-per-task=8',
      '--mem=32G',
    ]);
    expect(sbatchArgs(predict!, ['41', '42'], { ...ctx, options: {} })).toContain('--dependency=afterok:41:42');
  });

  it('writes a batch script whose array task runs its own node key', () => {
    const [train] = submissionBatch(readyToSubmit(plan.nodes, { isRemote, isSubmitted: () => false, isCached: (id) => local.has(id) }), () => undefined);
    const script = jobScript(train!, ['echo', 'run-node', "it's"], '/r/slurm/events');
    for (const task of [0, 2]) {
      const out = execFileSync('bash', ['-c', script], { env: { ...process.env, SLURM_ARRAY_TASK_ID: String(task) }, encoding: 'utf8' });
      expect(out.trim()).toBe(`run-node it's --key ${train!.nodes[task]!.key} --events /r/slurm/events/train_toy_${task}.ndjson`);
    }
  });

  it('checks the option values (CVR423–427) and reads durations', () => {
    expect(durationMinutes('4h')).toBe(240);
    expect(durationMinutes('1d12h30m')).toBe(2190);
    expect(durationMinutes('0m')).toBeUndefined();
    expect(checkSlurmOptions({ time: '1-12:00:00', mem: '500M', gres: 'gpu:a100:2', partition: 'gpu_long', cpus: 4, retries: 0 })).toEqual([]);
    const codes = checkSlurmOptions({ time: '4 hours', mem: '32GB', gres: ':1', partition: 'a b', cpus: 0, retries: 11 }).map((d) => d.code);
    expect(codes).toEqual(['CVR423', 'CVR424', 'CVR425', 'CVR426', 'CVR427', 'CVR427']);
    expect(sbatchOptionArgs({ time: '1-12:00:00' })).toEqual(['--time=1-12:00:00']);
  });

  it("takes the pipeline's executor slurm { } block, each option overridden by its flag; the local executor ignores it", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cvr-slurm-block-'));
    try {
      writeFileSync(
        join(dir, 'p.cvr'),
        'pipeline p {\n  seed 1\n  source a { folder "a" map { "N" -> NOR, "C" -> CVP } }\n  task NOR vs CVP\n  split kfold 2 { stratified }\n  model cvrnet\n' +
          '  executor slurm { partition "gpu"  gres "gpu:1"  time 4h  cpus 8  mem 32G  retries 2 }\n}\n',
      );
      const loaded = await loadPipelines([join(dir, 'p.cvr')]);
      expect(loaded.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
      const pipeline = loaded.pipelines[0]!;
      expect(pipeline.executor).toEqual({ kind: 'slurm', options: { partition: 'gpu', gres: 'gpu:1', time: '4h', cpus: 8, mem: '32G', retries: 2 } });
      const errors: string[] = [];
      const io = { stderr: (t: string) => errors.push(t), cwd: dir } as never;
      const deps = { renderDiagnostics: (ds: readonly { code: string }[]) => ds.map((d) => d.code).join(' ') };
      const options = (argv: string[]) => {
        const parsed = parseCommandLine(RUN, ['p.cvr', ...argv]);
        if (!('values' in parsed)) throw new Error('bad command line');
        return slurmOptionsOf(parsed.values, io, deps, pipeline);
      };
      expect(options(['--executor', 'slurm', '--time', '90m', '--cpus', '2'])).toEqual({ partition: 'gpu', gres: 'gpu:1', time: '90m', cpus: 2, mem: '32G', retries: 2 });
      expect(sbatchOptionArgs(options(['--executor', 'slurm']) as never)).toEqual(['--partition=gpu', '--gres=gpu:1', '--time=240', '--cpus-per-task=8', '--mem=32G']);
      expect(options([])).toBeUndefined();
      expect(options(['--executor', 'local'])).toBeUndefined();
      expect(options(['--executor', 'slurm', '--mem', '32GB'])).toBe('invalid');
      expect(errors.join('')).toContain('CVR424');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('reads a job state from scontrol', () => {
    expect(parseScontrol('JobId=5 ArrayJobId=4 JobState=CANCELLED Reason=Dependency ExitCode=0:15 Other=x')).toEqual({ state: 'CANCELLED', exitCode: '0:15', reason: 'Dependency' });
    expect(parseScontrol('nothing here')).toBeUndefined();
  });
});
