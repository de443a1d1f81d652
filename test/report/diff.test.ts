/** `cvr diff`: .cvr files (golden), formatting invariance, lock files, run folders, CLI. */
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.ts';
import type { FoldMetrics, MetricsFile, ModelMetrics } from '../../src/evaluate/types.ts';
import type { LockFile, PipelineLock } from '../../src/plan/lock.ts';
import { diffLockFiles, diffRuns } from '../../src/report/diff/index.ts';
import { expectGolden } from '../golden.ts';
import { captureIo } from '../cli/capture-io.ts';

const root = fileURLToPath(new URL('../../', import.meta.url));
const here = path.dirname(fileURLToPath(import.meta.url));

async function diff(args: string[], cwd = root) {
  const io = captureIo({ cwd });
  const code = await main(['diff', ...args], io);
  return { code, out: io.out(), err: io.err() };
}

/** A folder with pipelines/common.cvr, pipelines/cxr.cvr and the reformatted copy side by side. */
function pipelineDir(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'cvr-diff-'));
  copyFileSync(path.join(root, 'pipelines/common.cvr'), path.join(dir, 'common.cvr'));
  copyFileSync(path.join(root, 'pipelines/cxr.cvr'), path.join(dir, 'cxr.cvr'));
  copyFileSync(path.join(here, 'fixtures/cxr-reformatted.cvr'), path.join(dir, 'cxr-reformatted.cvr'));
  return dir;
}

describe('cvr diff on .cvr files', () => {
  it('Single → Independent CXR CL2: the test design and each class\'s sources (golden)', async () => {
    const r = await diff(['pipelines/cxr.cvr', 'pipelines/cxr.cvr', '--pipeline', 'cxr_single_cl2:cxr_independent_cl2']);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expectGolden(path.join(here, 'fixtures/diff-single-independent.golden.txt'), r.out);
  });

  it('JSON: changes with path, kind, from, to, meaning', async () => {
    const r = await diff(['--format', 'json', 'pipelines/cxr.cvr', 'pipelines/cxr.cvr', '--pipeline', 'cxr_single_cl2:cxr_independent_cl2']);
    const json = JSON.parse(r.out) as { changes: { path: string; kind: string; from: unknown; to: unknown; meaning: string }[] };
    const byPath = new Map(json.changes.map((c) => [c.path, c]));
    expect(byPath.get('split')).toEqual({
      path: 'split',
      kind: 'changed',
      from: '5-fold cross-validation',
      to: 'independent holdout (chestxray8, cidc)',
      meaning: 'test design: 5-fold cross-validation → independent holdout (chestxray8, cidc)',
    });
    expect(byPath.get('task.NCV.sources')).toMatchObject({ from: 'cxri', to: 'train chexpert, cxri; test chestxray8' });
    expect(byPath.get('task.NCV.sources')?.meaning).toMatch(/^NCV now drawn from 3 sources \(was 1\)/);
    expect(byPath.get('task.CVP.sources')).toMatchObject({ from: 'cidc', to: 'train ccxri, padchest; test cidc' });
    expect(byPath.get('source:chexpert')?.kind).toBe('added');
    for (const c of json.changes) expect(Object.keys(c).sort()).toEqual(['from', 'kind', 'meaning', 'path', 'to']);
  });

  it('reports nothing for a file that was only reformatted, reordered and commented', async () => {
    const dir = pipelineDir();
    const original = readFileSync(path.join(dir, 'cxr.cvr'), 'utf8');
    const reformatted = readFileSync(path.join(dir, 'cxr-reformatted.cvr'), 'utf8');
    expect(reformatted).not.toBe(original);
    const r = await diff(['cxr.cvr', 'cxr-reformatted.cvr'], dir);
    expect(r).toEqual({ code: 0, out: 'no semantic changes\n', err: '' });
    const json = await diff(['--format', 'json', 'cxr-reformatted.cvr', 'cxr.cvr'], dir);
    expect(JSON.parse(json.out).changes).toEqual([]);
  });

  it('…but sees one real edit in that reformatted file', async () => {
    const dir = pipelineDir();
    const file = path.join(dir, 'cxr-reformatted.cvr');
    writeFileSync(file, readFileSync(file, 'utf8').replace('seed 20201107', 'seed 7'));
    const r = await diff(['--format', 'json', 'cxr.cvr', 'cxr-reformatted.cvr'], dir);
    const changes = JSON.parse(r.out).changes as { path: string; from: unknown; to: unknown }[];
    // Every pipeline inherits the seed from cxr_single_cl2.
    expect(changes.map((c) => c.path).sort()).toEqual(
      ['cxr_independent_cl2', 'cxr_multiple_cl2', 'cxr_multiple_cl3', 'cxr_multiple_cl4', 'cxr_single_cl2', 'cxr_single_cl3'].map((p) => `${p}/seed`),
    );
    expect(changes[0]).toMatchObject({ from: 20201107, to: 7 });
  });

  it('pairs pipelines by name and reports those only on one side', async () => {
    const dir = pipelineDir();
    const single = /pipeline cxr_single_cl2 \{[\s\S]*?\n\}\n/.exec(readFileSync(path.join(dir, 'cxr.cvr'), 'utf8'))![0];
    writeFileSync(path.join(dir, 'b.cvr'), `import "common.cvr"\n${single.replace('seed 20201107', 'seed 1')}\npipeline extra extends cxr_single_cl2 { title "X" }\n`);
    const r = await diff(['--format', 'json', 'cxr.cvr', 'b.cvr'], dir);
    const changes = JSON.parse(r.out).changes as { path: string; kind: string }[];
    expect(changes.find((c) => c.path === 'cxr_single_cl2/seed')?.kind).toBe('changed');
    expect(changes.filter((c) => c.kind === 'removed').map((c) => c.path)).toContain('pipeline:cxr_multiple_cl2');
    expect(changes.filter((c) => c.kind === 'added').map((c) => c.path)).toEqual(['pipeline:extra']);
    expect(changes.filter((c) => c.kind === 'changed').map((c) => c.path)).toEqual(['cxr_single_cl2/seed']);
  });

  it('explains model, protocol and class changes', async () => {
    const dir = pipelineDir();
    writeFileSync(
      path.join(dir, 'b.cvr'),
      `import "cxr.cvr"\npipeline b extends cxr_single_cl2 {\n  task NOR vs NCP vs CVP\n  train authors_code\n  compare models cvrnet, vgg19 { weights imagenet }\n}\n`,
    );
    const r = await diff(['cxr.cvr', 'b.cvr', '--pipeline', 'cxr_single_cl2:b'], dir);
    expect(r.out).toContain('~ task ');
    expect(r.out).toContain('task: NCV vs CVP → NOR vs NCP vs CVP');
    expect(r.out).toContain('+ model:vgg19');
    expect(r.out).toContain('optimizer: adam lr 1e-4 beta1 0.9 beta2 0.999 → adamax lr 0.001');
    expect(r.out).toContain('+ task.NOR.sources');
  });

  it('a changed source names the labels that moved', async () => {
    const dir = pipelineDir();
    const common = path.join(dir, 'common.cvr');
    writeFileSync(common, readFileSync(common, 'utf8').replace('"Normal" -> drop', '"Normal" -> NOR'));
    const r = await diff(['--format', 'json', path.join(root, 'pipelines/cxr.cvr'), 'cxr.cvr', '--pipeline', 'cxr_multiple_cl2'], dir);
    const changes = JSON.parse(r.out).changes as { path: string; from: unknown; to: unknown; meaning: string }[];
    const label = changes.find((c) => c.path === 'source:ccxri.map."Normal"');
    expect(label).toMatchObject({ from: 'drop', to: 'NOR', meaning: 'ccxri: "Normal" now NOR (was drop)' });
    expect(changes.find((c) => c.path === 'task.NCV.sources')?.meaning).toMatch(/^NCV now drawn from 3 sources \(was 2\): \+ccxri/);
  });

  it('usage errors exit 2; a broken file exits 1 with its diagnostics', async () => {
    expect((await diff(['pipelines/cxr.cvr'])).code).toBe(2);
    const nope = await diff(['pipelines/cxr.cvr', 'pipelines/cxr.cvr', '--pipeline', 'cxr_single_cl:cxr_single_cl2']);
    expect(nope.code).toBe(1);
    expect(nope.err).toContain('error[CVR907] the first file has no pipeline "cxr_single_cl"');
    expect(nope.err).toContain('did you mean "cxr_single_cl2"?');
    const missing = await diff(['pipelines/nowhere.cvr', 'pipelines/cxr.cvr']);
    expect([missing.code, missing.err]).toEqual([1, expect.stringContaining('error[CVR904] pipelines/nowhere.cvr no file or folder at this path')]);
    const unknown = await diff(['README.md', 'pipelines/cxr.cvr']);
    expect([unknown.code, unknown.err]).toEqual([2, expect.stringContaining('error[CVR905]')]);
    const mixed = await diff(['pipelines', 'pipelines/cxr.cvr']);
    expect([mixed.code, mixed.err]).toEqual([2, expect.stringContaining('error[CVR906] cannot compare a run folder (pipelines) with a .cvr file')]);
    const broken = await diff(['test/dsl/check-fixtures/task-overlap.cvr', 'pipelines/cxr.cvr']);
    expect(broken.code).toBe(1);
    expect(broken.err).toMatch(/error\[CVR\d{3}\]/);
  });
});

// ---------------------------------------------------------------------------------------------

function pipelineLock(files: Record<string, [string, string][]>, over: Partial<PipelineLock> = {}): PipelineLock {
  const sources: Record<string, PipelineLock['sources'][string]> = {};
  for (const [name, list] of Object.entries(files)) {
    const rows = list.map(([id, label]) => [id, label, null, null, null] as const);
    sources[name] = { images: rows.length, listHash: rows.map((r) => r.join('|')).join(';'), files: rows };
  }
  return { seed: 1, task: ['NCV', 'CVP'], metadataOnly: true, split: { form: 'kfold', folds: ['fold1', 'fold2'], assignmentHash: 'aaaa' }, sources, ...over };
}

const lockOf = (p: PipelineLock): LockFile => ({ lockVersion: 1, versions: { cvr: '0.1.0', node: 'v20' }, pipelines: { p } });

describe('cvr diff on lock files', () => {
  it('images added and removed per source, relabelled images, changed assignment (golden)', () => {
    const a = pipelineLock({ cxri: [['a.png', 'NORMAL'], ['b.png', 'NORMAL'], ['c.png', 'virus']], cidc: [['x.png', 'COVID']] });
    const b = pipelineLock(
      { cxri: [['a.png', 'NORMAL'], ['c.png', 'bacteria'], ['d.png', 'NORMAL'], ['e.png', 'NORMAL']], padchest: [['p.png', 'COVID 19']] },
      { split: { form: 'kfold', folds: ['fold1', 'fold2'], assignmentHash: 'bbbb' } },
    );
    // Roles (lock version 2): a.png and c.png change folds; b.png is gone, d.png new (not "moved").
    const withRoles = (p: PipelineLock, roles: Record<string, Record<string, string>>): PipelineLock => ({ ...p, split: { ...p.split, roles } });
    const a2 = withRoles(a, { cxri: { 'a.png': 'fold1', 'b.png': 'fold2', 'c.png': 'fold2 val:fold1' }, cidc: { 'x.png': 'fold1' } });
    const b2 = withRoles(b, { cxri: { 'a.png': 'fold2', 'c.png': 'fold1', 'd.png': 'fold1', 'e.png': 'fold2' }, padchest: { 'p.png': 'fold1' } });
    const render = (x: PipelineLock, y: PipelineLock): string =>
      diffLockFiles(lockOf(x), lockOf(y))
        .map((c) => `${c.kind} ${c.path}: ${c.meaning}`)
        .join('\n');
    expectGolden(path.join(here, 'fixtures/diff-lock.golden.txt'), `${render(a, b)}\n\n${render(a2, b2)}\n`);
    const moved = diffLockFiles(lockOf(a2), lockOf(b2)).find((c) => c.path === 'split.moved');
    expect(moved).toMatchObject({ kind: 'changed', from: 2, to: 2, meaning: expect.stringMatching(/^2 images moved: cxri\/a\.png fold1 → fold2, cxri\/c\.png fold2 val:fold1 → fold1$/) });
  });

  it('identical locks: no changes; CLI reads lock files', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'cvr-lock-'));
    const a = lockOf(pipelineLock({ cxri: [['a.png', 'NORMAL']] }));
    writeFileSync(path.join(dir, 'a.lock.json'), JSON.stringify(a));
    writeFileSync(path.join(dir, 'b.lock.json'), JSON.stringify(a));
    expect(await diff(['a.lock.json', 'b.lock.json'], dir)).toEqual({ code: 0, out: 'no semantic changes\n', err: '' });
    writeFileSync(path.join(dir, 'c.lock.json'), '{}');
    const bad = await diff(['a.lock.json', 'c.lock.json'], dir);
    expect(bad.code).toBe(1);
    expect(bad.err).toContain('CVR651');
  });
});

// ---------------------------------------------------------------------------------------------

function fold(i: number, accuracy: number, bootstrap?: FoldMetrics['bootstrap']): FoldMetrics {
  const c = { precision: accuracy, recall: accuracy, f1: accuracy, support: 10 };
  return {
    fold: i,
    accuracy,
    perClass: { NCV: c, CVP: c },
    macro: { precision: accuracy, recall: accuracy, f1: accuracy },
    weighted: { precision: accuracy, recall: accuracy, f1: accuracy },
    confusion: [[5, 0], [0, 5]],
    bySource: {},
    ...(bootstrap !== undefined && { bootstrap }),
  };
}

function model(folds: FoldMetrics[]): ModelMetrics {
  const accs = folds.map((f) => f.accuracy);
  const mean = accs.reduce((a, b) => a + b, 0) / accs.length;
  const std = accs.length > 1 ? Math.sqrt(accs.reduce((a, v) => a + (v - mean) ** 2, 0) / (accs.length - 1)) : 0;
  return { folds, summary: { accuracy: { mean, std }, macroF1: { mean, std } } };
}

function metrics(models: Record<string, ModelMetrics>, over: Partial<MetricsFile> = {}): MetricsFile {
  return { pipeline: 'p', engine: 'cpu', seed: 1, classes: ['NCV', 'CVP'], models, audit: { sourceOnlyBaseline: 0.5, independent: true }, ...over };
}

describe('cvr diff on run folders', () => {
  it('marks each delta against the fold std (k-fold) or the bootstrap interval (holdout)', () => {
    const a = metrics({
      kfold: model([fold(0, 0.8), fold(1, 0.9)]),
      holdout: model([fold(0, 0.8, { accuracy: { low: 0.75, high: 0.85 }, macroF1: { low: 0.7, high: 0.9 } })]),
      gone: model([fold(0, 0.5)]),
    });
    const b = metrics(
      {
        kfold: model([fold(0, 0.82), fold(1, 0.92)]),
        holdout: model([fold(0, 0.9, { accuracy: { low: 0.86, high: 0.94 }, macroF1: { low: 0.8, high: 0.95 } })]),
      },
      { seed: 2, audit: { sourceOnlyBaseline: 1, independent: false } },
    );
    const text = diffRuns(a, b)
      .map((c) => `${c.kind} ${c.path}: ${c.meaning} [${String(c.exceedsNoise)}]`)
      .join('\n');
    expectGolden(path.join(here, 'fixtures/diff-runs.golden.txt'), `${text}\n`);
    const byPath = new Map(diffRuns(a, b).map((c) => [c.path, c]));
    expect(byPath.get('kfold.accuracy')?.exceedsNoise).toBe(false);
    expect(byPath.get('holdout.accuracy')?.exceedsNoise).toBe(true);
    // macro F1 0.8 → 0.9: 0.9 inside A's [0.7, 0.9] interval.
    expect(byPath.get('holdout.macroF1')?.exceedsNoise).toBe(false);
  });

  it('CLI: two run folders; a folder without metrics.json is an error', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'cvr-runs-'));
    for (const [name, acc] of [['a', 0.5], ['b', 0.7]] as const) {
      mkdirSync(path.join(dir, name));
      writeFileSync(path.join(dir, name, 'metrics.json'), JSON.stringify(metrics({ m: model([fold(0, acc), fold(1, acc + 0.02)]) })));
    }
    const r = await diff(['a', 'b'], dir);
    // The table opens the output: metric, old, new, delta, beyond noise?
    expect(r.out.split('\n')[0]).toMatch(/^metric\s+old\s+new\s+delta\s+beyond noise\?$/);
    expect(r.out).toMatch(/m\.accuracy\s+0\.5100\s+0\.7100\s+\+0\.2000\s+yes \(fold std 0\.0141\)/);
    // Image counts per partition from audit.json: where data or the split assignment changed.
    const counts = (n: number) => ({ sourceOnlyBaseline: 0.5, independent: false, counts: [{ source: 'x', class: 'NCV', partition: 'fold1:test', n }, { source: 'x', class: 'CVP', partition: 'fold1:test', n: 3 }] });
    writeFileSync(path.join(dir, 'a', 'audit.json'), JSON.stringify(counts(4)));
    writeFileSync(path.join(dir, 'b', 'audit.json'), JSON.stringify(counts(5)));
    const table = await diff(['a', 'b'], dir);
    // The count cells come after the metrics, not before them.
    expect(table.out.indexOf('m.accuracy')).toBeLessThan(table.out.indexOf('x NCV images in fold1:test: 4 → 5'));
    expectGolden(path.join(here, 'fixtures/diff-runs-table.golden.txt'), table.out);
    expectGolden(path.join(here, 'fixtures/diff-runs-table.golden.md'), (await diff(['--format', 'md', 'a', 'b'], dir)).out);
    const withCounts = await diff(['--format', 'json', 'a', 'b'], dir);
    expect(JSON.parse(withCounts.out).changes[0]).toEqual({ path: 'counts.x.NCV.fold1:test', kind: 'changed', from: 4, to: 5, meaning: 'x NCV images in fold1:test: 4 → 5' });
    mkdirSync(path.join(dir, 'empty'));
    const bad = await diff(['a', 'empty'], dir);
    expect(bad.code).toBe(1);
    expect(bad.err).toContain('error[CVR901]');
    expect(bad.err).toContain('empty has no metrics.json: it is not a finished run folder');
    expect((await diff(['a', 'pipelines.cvr'], dir)).code).toBe(1);
  });
});
