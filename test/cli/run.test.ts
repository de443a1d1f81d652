import { afterEach, describe, expect, it } from 'vitest';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runWith, type RunDeps } from '../../src/cli/commands/run.ts';
import type { CliIo } from '../../src/cli/io.ts';
import type { ResolvedPipeline } from '../../src/dsl/resolved.ts';
import type { RunEvent } from '../../src/run/events.ts';
import { toyHandlers, toyPlan } from '../run/fixtures/toy.ts';
import { readJson, tempDir } from '../run/helpers.ts';

const disposers: (() => void)[] = [];
afterEach(() => {
  for (const dispose of disposers.splice(0)) dispose();
});

function pipelineNamed(name: string, file: string, models: string[] = ['toy']): ResolvedPipeline {
  return {
    name,
    file,
    seed: 7,
    engine: 'auto',
    task: { classes: ['NCV', 'CVP'] },
    models: models.map((m) => ({ name: m, weights: 'none', width: 1, options: {} })),
  } as unknown as ResolvedPipeline;
}

function setup(pipelines: (file: string) => ResolvedPipeline[]) {
  const { dir, dispose } = tempDir('cli-run');
  disposers.push(dispose);
  const file = join(dir, 'toy.cvr');
  writeFileSync(file, 'pipeline toy { seed 7 }\n');
  const prepared: { seed: number; engine: string; cacheDir: string }[] = [];
  const deps: RunDeps = {
    load: async () => ({ pipelines: pipelines(file), diagnostics: [] }),
    renderDiagnostics: (ds) => ds.map((d) => `${d.severity}[${d.code}] ${d.message}\n`).join(''),
    prepare: async (pipeline, options) => {
      prepared.push(options);
      const plan = toyPlan({ seed: options.seed, models: pipeline.models.map((m) => m.name), folds: 2, epochs: 2, batches: 3, evaluate: 'a' });
      return { ok: true, plan: { ...plan, pipeline: pipeline.name }, handlers: toyHandlers(), engine: options.engine === 'auto' ? 'cpu' : options.engine };
    },
    now: () => new Date('2026-11-26T10:00:00Z'),
  };
  const out: string[] = [];
  const err: string[] = [];
  const io: CliIo = { stdout: (t) => out.push(t), stderr: (t) => err.push(t), isTty: false, cwd: dir, env: { CVR_CACHE_DIR: 'env-cache' } };
  return { dir, file, deps, io, out, err, prepared };
}

describe('cvr run', () => {
  it('runs the pipeline into the run folder, logs plainly off a TTY and writes --events', async () => {
    const t = setup((file) => [pipelineNamed('toy', file, ['cvrnet', 'resnet50'])]);
    const code = await runWith([t.file, '--events', 'ev.ndjson', '--seed', '11', '--engine', 'cpu'], t.io, t.deps);
    expect(code, t.err.join('')).toBe(0);
    const runDir = join(t.dir, 'runs', 'toy', '2026-11-26T10-00-00');
    for (const name of ['pipeline.cvr', 'lock.json', 'audit.json', 'metrics.json', 'predictions.csv', 'events.ndjson']) {
      expect(existsSync(join(runDir, name)), name).toBe(true);
    }
    expect(t.prepared).toEqual([{ seed: 11, engine: 'cpu', cacheDir: join(t.dir, 'env-cache') }]);
    const metrics = readJson(join(runDir, 'metrics.json')) as { seed: number; engine: string; models: Record<string, unknown> };
    expect(metrics.seed).toBe(11);
    expect(Object.keys(metrics.models)).toEqual(['cvrnet', 'resnet50']);
    const events = readFileSync(join(t.dir, 'ev.ndjson'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as RunEvent);
    expect(events[0]?.type).toBe('plan');
    expect(events.at(-1)).toMatchObject({ type: 'run-done', ok: true });
    expect(readFileSync(join(runDir, 'events.ndjson'), 'utf8')).toBe(readFileSync(join(t.dir, 'ev.ndjson'), 'utf8'));
    expect(t.out.join('')).toMatch(/^\S+ cvr run toy · engine cpu · seed 11/m);
  });

  it('honours --out and --cache', async () => {
    const t = setup((file) => [pipelineNamed('toy', file)]);
    expect(await runWith([t.file, '--out', 'here', '--cache', 'c2'], t.io, t.deps)).toBe(0);
    expect(existsSync(join(t.dir, 'here', 'metrics.json'))).toBe(true);
    expect(existsSync(join(t.dir, 'c2', 'nodes'))).toBe(true);
  });

  it.each([
    [['--pipeline', 'b'], 0, ''],
    [[], 2, 'declares 2 pipelines (a, b); choose one with --pipeline NAME'],
    [['--pipeline', 'c'], 2, 'has no pipeline "c"; it has: a, b'],
    [['--seed', 'x'], 2, '--seed takes a whole number'],
    [['--frobnicate'], 2, 'unknown option "--frobnicate"'],
  ])('with %j exits %i', async (extra, code, message) => {
    const t = setup((file) => [pipelineNamed('a', file), pipelineNamed('b', file)]);
    expect(await runWith([t.file, ...extra], t.io, t.deps)).toBe(code);
    expect(t.err.join('')).toContain(message);
  });

  it('prints the diagnostics and exits 1 when the file has errors', async () => {
    const t = setup(() => []);
    const deps: RunDeps = { ...t.deps, load: async () => ({ pipelines: [], diagnostics: [{ code: 'CVR301' as never, severity: 'error', message: 'unknown class "CVD"' }] }) };
    expect(await runWith([t.file], t.io, deps)).toBe(1);
    expect(t.err.join('')).toContain('error[CVR301] unknown class "CVD"');
  });
});

describe('cvr run: the resolved pipeline in the run folder', () => {
  it('writes pipeline.json for a pipeline that imports another file, and the report shows its settings', async () => {
    const { tinyPipeline } = await import('../run/fixtures/tiny-data.ts');
    const { loadPipelines } = await import('../../src/dsl/index.ts');
    const { writeReport } = await import('../../src/report/index.ts');
    const t = setup(() => []);
    // The base pipeline lives in an imported file: pipeline.cvr alone cannot be resolved again.
    writeFileSync(join(t.dir, 'common.cvr'), tinyPipeline('metrics accuracy', 'split kfold 2 { stratified }').replace('pipeline tiny', 'pipeline base'));
    writeFileSync(t.file, 'import "common.cvr"\npipeline toy extends base { seed 3 }\n');
    const loaded = await loadPipelines([t.file], { cwd: t.dir });
    expect(loaded.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    const deps: RunDeps = { ...t.deps, load: async () => ({ pipelines: loaded.pipelines.filter((p) => p.name === 'toy'), diagnostics: [] }) };
    const code = await runWith([t.file, '--out', 'run'], t.io, deps);
    expect(code, t.err.join('')).toBe(0);
    const runDir = join(t.dir, 'run');
    expect(readFileSync(join(runDir, 'pipeline.cvr'), 'utf8')).toContain('import "common.cvr"');
    const written = readJson(join(runDir, 'pipeline.json')) as ResolvedPipeline;
    expect(written).toEqual(JSON.parse(JSON.stringify(loaded.pipelines.find((p) => p.name === 'toy'))));
    expect(written.split).toMatchObject({ form: 'kfold', k: 2 });

    const report = await writeReport(runDir, { png: false });
    expect(report.ok, JSON.stringify(report)).toBe(true);
    const md = readFileSync(join(runDir, 'report.md'), 'utf8');
    expect(md).not.toContain('does not resolve on its own');
    expect(md).toContain('2-fold cross-validation');
  });
});
