import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { assignSplit } from '../../src/data/index.ts';
import type { LabeledImage } from '../../src/data/index.ts';
import { audit, auditPipeline, cramersVOf } from '../../src/plan/index.ts';
import type { ResolvedSource, ResolvedSplit } from '../../src/dsl/resolved.ts';
import { folderSource, NO_VALIDATION, pipelineFixture } from '../data/pipeline-fixture.ts';
import { tempDir, tinyPng, writeTree } from '../data/files.ts';

function src(name: string): ResolvedSource {
  return { name, locations: [{ kind: 'folder', dir: `/d/${name}` }], map: {}, coarse: 'error' };
}

/** `n` images of one class from one source (ids unique per call through `tag`). */
function many(source: string, taskClass: string, n: number, extra: Partial<LabeledImage> = {}, tag = ''): LabeledImage[] {
  return Array.from({ length: n }, (_, i) => ({ source, id: `${taskClass}/${tag}${i}.png`, absPath: `/d/${source}/${taskClass}/${tag}${i}.png`, nativeLabel: taskClass, taskClass, ...extra }));
}

function run(sources: string[], task: string[], split: ResolvedSplit, images: LabeledImage[], contentHashes?: string[]) {
  const pipeline = pipelineFixture({ sources: sources.map(src), task, split });
  const result = assignSplit(pipeline, images, { seed: pipeline.seed });
  return audit(contentHashes === undefined ? { pipeline, split: result, seed: pipeline.seed } : { pipeline, split: result, seed: pipeline.seed, contentHashes });
}

const codes = (report: { findings: readonly { code: string }[] }) => report.findings.map((f) => f.code);

describe('Cramér\'s V', () => {
  it.each([
    ['perfect association', [[10, 0], [0, 10]], 1],
    ['no association', [[5, 5], [5, 5]], 0],
    ['moderate', [[20, 10], [10, 20]], 1 / 3],
    ['one source only', [[4, 6]], 0],
  ])('%s', (_name, table, expected) => {
    const a: string[] = [];
    const b: string[] = [];
    table.forEach((row, r) => row.forEach((n, c) => {
      for (let i = 0; i < n; i++) {
        a.push(`s${r}`);
        b.push(`c${c}`);
      }
    }));
    expect(cramersVOf(a, b)).toBeCloseTo(expected, 10);
  });
});

describe('the paper\'s designs', () => {
  it('CXR-Single-CL2 (every class from one different source, 5-fold CV) audits to a baseline of 1.0 with a confounding finding', () => {
    const images = [...many('cxri', 'NCV', 117), ...many('cidc', 'CVP', 10)];
    const report = run(['cxri', 'cidc'], ['NCV', 'CVP'], { form: 'kfold', k: 5, stratified: true, groupByPatient: false, validation: { fraction: 0.1, stratified: true, fromTest: false } }, images);
    expect(report.sourceOnlyBaseline).toBe(1);
    expect(report.baselineFolds).toHaveLength(5);
    expect(report.cramersV).toBeCloseTo(1, 10);
    expect(report.independent).toBe(false);
    expect(codes(report)).toEqual(expect.arrayContaining(['CVR601', 'CVR602', 'CVR603', 'CVR611']));
    expect(report.findings.filter((f) => f.code === 'CVR603').map((f) => f.data?.['class'])).toEqual(['NCV', 'CVP']);
    const confounding = report.findings.find((f) => f.code === 'CVR601')!;
    expect(confounding.severity).toBe('warning');
    expect(confounding.data?.['sourceOnlyBaseline']).toBe(1);
    expect(confounding.hint).toMatch(/sources/);
  });

  it('an independent-source design reports the training prior for its unseen test sources and independent: true', () => {
    const images = [
      ...many('chexpert', 'NCV', 30),
      ...many('cxri', 'NCV', 40),
      ...many('ccxri', 'CVP', 25),
      ...many('padchest', 'CVP', 10),
      ...many('chestxray8', 'NCV', 12),
      ...many('cidc', 'CVP', 5),
    ];
    const sources = ['chexpert', 'cxri', 'ccxri', 'padchest', 'chestxray8', 'cidc'];
    const report = run(sources, ['NCV', 'CVP'], { form: 'holdout', testSources: ['chestxray8', 'cidc'], stratified: false, groupByPatient: false, validation: { fraction: 0.2, stratified: true, fromTest: false } }, images);
    expect(report.independent).toBe(true);
    const [fold] = report.baselineFolds;
    expect(fold!.rule).toEqual({ chestxray8: { class: 'NCV', from: 'prior' }, cidc: { class: 'NCV', from: 'prior' } });
    expect(fold!.trainingPrior).toEqual({ class: 'NCV', fraction: 70 / 105 });
    expect(report.sourceOnlyBaseline).toBeCloseTo(12 / 17, 12);
    expect(codes(report)).not.toContain('CVR601');
    expect(codes(report)).not.toContain('CVR610');
    expect(report.counts).toContainEqual({ source: 'chestxray8', class: 'NCV', partition: 'test', n: 12 });
    expect(report.counts.filter((c) => c.source === 'cxri').reduce((n, c) => n + c.n, 0)).toBe(40);
  });

  it('an official train/test split whose test sources also appear in training is flagged as not independent', () => {
    const images = [
      ...many('cohen', 'CVP', 8, { partition: 'train' }),
      ...many('ricord', 'CVP', 12, { partition: 'train' }),
      ...many('rsna', 'NCV', 40, { partition: 'train' }),
      ...many('ricord', 'CVP', 10, { partition: 'test' }, 't'),
      ...many('rsna', 'NCV', 10, { partition: 'test' }, 't'),
    ];
    const report = run(['cohen', 'ricord', 'rsna'], ['NCV', 'CVP'], { form: 'given', groupByPatient: false, validation: NO_VALIDATION }, images);
    expect(report.independent).toBe(false);
    expect(report.independence.sharedSources).toEqual({ given: ['ricord', 'rsna'] });
    expect(report.sourceOnlyBaseline).toBe(1);
    const finding = report.findings.find((f) => f.code === 'CVR610');
    expect(finding?.severity).toBe('warning');
    expect(finding?.message).toContain('ricord, rsna');
  });
});

describe('baseline arithmetic', () => {
  it('majority per training source, the training prior for unseen sources, ties by task order', () => {
    const images = [
      ...many('s0', 'NOR', 3, { partition: 'train' }),
      ...many('s0', 'CVP', 1, { partition: 'train' }),
      ...many('s1', 'CVP', 2, { partition: 'train' }),
      ...many('s0', 'NOR', 2, { partition: 'test' }, 't'),
      ...many('s0', 'CVP', 2, { partition: 'test' }, 't'),
      ...many('s1', 'CVP', 1, { partition: 'test' }, 't'),
      ...many('s1', 'NOR', 1, { partition: 'test' }, 't'),
      ...many('s2', 'NOR', 1, { partition: 'test' }, 't'),
      ...many('s2', 'CVP', 3, { partition: 'test' }, 't'),
    ];
    const report = run(['s0', 's1', 's2'], ['NOR', 'CVP'], { form: 'given', groupByPatient: false, validation: NO_VALIDATION }, images);
    expect(report.baselineFolds[0]!.rule).toEqual({ s0: { class: 'NOR', from: 'source' }, s1: { class: 'CVP', from: 'source' }, s2: { class: 'NOR', from: 'prior' } });
    expect(report.sourceOnlyBaseline).toBeCloseTo(0.4, 12);
  });

  it('k-fold: the mean of the per-fold baselines', () => {
    const images = [...many('a', 'NOR', 20), ...many('a', 'CVP', 10), ...many('b', 'CVP', 20), ...many('b', 'NOR', 5)];
    const report = run(['a', 'b'], ['NOR', 'CVP'], { form: 'kfold', k: 5, stratified: true, groupByPatient: false, validation: NO_VALIDATION }, images);
    const mean = report.baselineFolds.reduce((s, f) => s + f.accuracy, 0) / 5;
    expect(report.sourceOnlyBaseline).toBeCloseTo(mean, 12);
    expect(report.baselineFolds.every((f) => f.rule['a']?.class === 'NOR' && f.rule['b']?.class === 'CVP')).toBe(true);
    expect(report.sourceOnlyBaseline).toBeCloseTo(40 / 55, 12);
  });
});

describe('findings', () => {
  it('patients in both test and training (CVR612) and identical content across partitions and sources (CVR613, CVR620)', () => {
    const images = [
      ...many('a', 'NOR', 3, { partition: 'train', patient: 'p1' }),
      ...many('a', 'NOR', 1, { partition: 'test', patient: 'p1' }, 't'),
      ...many('b', 'CVP', 3, { partition: 'train' }),
      ...many('b', 'CVP', 1, { partition: 'test' }, 't'),
    ];
    const hashes = images.map((_, i) => `h${i}`);
    hashes[7] = 'h0'; // b's test image equals a's first training image
    const report = run(['a', 'b'], ['NOR', 'CVP'], { form: 'given', groupByPatient: true, validation: NO_VALIDATION }, images, hashes);
    expect(report.independent).toBe(false);
    expect(report.independence).toMatchObject({ sharedPatients: 1, sharedContent: 1 });
    expect(codes(report)).toEqual(expect.arrayContaining(['CVR612', 'CVR613', 'CVR620']));
    expect(report.findings.find((f) => f.code === 'CVR620')?.data).toMatchObject({ count: 1, bySources: { 'a & b': 1 } });
  });

  it('rejects validation = test (CVR640, an error)', () => {
    const images = [...many('a', 'NOR', 10), ...many('a', 'CVP', 10)];
    const report = run(['a'], ['NOR', 'CVP'], { form: 'kfold', k: 2, stratified: true, groupByPatient: false, validation: { fraction: 0, stratified: false, fromTest: true } }, images);
    expect(report.findings.filter((f) => f.severity === 'error').map((f) => f.code)).toEqual(['CVR640']);
    expect(report.independent).toBe(false);
  });

  it('reports imbalance and a class absent from a fold', () => {
    const images = [...many('a', 'NOR', 40), ...many('a', 'CVP', 2), ...many('a', 'NCP', 10)];
    const report = run(['a'], ['NOR', 'NCP', 'CVP'], { form: 'kfold', k: 4, stratified: true, groupByPatient: false, validation: NO_VALIDATION }, images);
    const absent = report.findings.filter((f) => f.code === 'CVR631');
    // Two CVP images over four folds: two test folds lack CVP, reported once.
    expect(absent.map((f) => [f.data?.['partition'], f.data?.['classes'], (f.data?.['folds'] as string[]).length])).toEqual([['test', ['CVP'], 2]]);
    expect(report.classBalance.filter((b) => b.partition === 'test').map((b) => b.counts['CVP'])).toEqual(expect.arrayContaining([0, 1]));
    const fullFold = report.classBalance.find((b) => b.partition === 'train' && b.counts['CVP'] === 2)!;
    expect(fullFold.ratio).toBeCloseTo(30 / 2, 10);
    const imbalance = report.findings.filter((f) => f.code === 'CVR630');
    expect(imbalance).toHaveLength(1);
    const partitions = imbalance[0]!.data?.['partitions'] as Record<string, { ratio: number }>;
    // The worst fold trains on 30 NOR and the one CVP its test fold leaves.
    expect(partitions['train']!.ratio).toBeCloseTo(30 / 1, 10);
  });

  it('an unseen-source design does not count class absence from a source\'s own test fold as a warning', () => {
    const images = [...many('a', 'NOR', 10), ...many('b', 'CVP', 10), ...many('c', 'NOR', 5), ...many('c', 'CVP', 5)];
    const report = run(['a', 'b', 'c'], ['NOR', 'CVP'], { form: 'leave_source_out', groupByPatient: false, validation: NO_VALIDATION }, images);
    expect(report.baselineFolds.map((f) => f.fold)).toEqual(['a', 'b', 'c']);
    expect(report.independent).toBe(true);
    expect(report.findings.filter((f) => f.code === 'CVR631').map((f) => [f.severity, f.data?.['classes'], f.data?.['folds']])).toEqual([
      ['info', ['CVP'], ['a']],
      ['info', ['NOR'], ['b']],
    ]);
  });
});

describe('auditPipeline on disk', () => {
  let root: string;
  beforeAll(async () => {
    root = await tempDir();
    const same = await tinyPng(200);
    await writeTree(root, {
      'a/NORMAL/1.png': await tinyPng(1),
      'a/NORMAL/2.png': await tinyPng(2),
      'a/COVID/3.png': await tinyPng(3),
      'a/COVID/dup.png': same,
      'b/COVID/4.png': await tinyPng(4),
      'b/COVID/copy.png': same,
      'b/NORMAL/5.png': await tinyPng(5),
    });
  });
  afterAll(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('hashes images when they are read, finds the cross-source duplicate, and skips hashing with metadataOnly', async () => {
    const map = { NORMAL: 'NOR', COVID: 'CVP' };
    const pipeline = pipelineFixture({
      sources: [folderSource('a', join(root, 'a'), map), folderSource('b', join(root, 'b'), map)],
      task: ['NCV', 'CVP'],
      split: { form: 'holdout', testSources: ['b'], stratified: false, groupByPatient: false, validation: NO_VALIDATION },
    });
    const full = await auditPipeline(pipeline, { metadataOnly: false });
    expect(full.report?.metadataOnly).toBe(false);
    expect(full.diagnostics.map((d) => d.code)).toEqual(expect.arrayContaining(['CVR613', 'CVR620']));
    expect(full.report?.independent).toBe(false);
    const meta = await auditPipeline(pipeline, { metadataOnly: true });
    expect(meta.report?.independent).toBe(true);
    expect(meta.report?.independence.sharedContent).toBeNull();
    expect(meta.diagnostics.map((d) => d.code)).not.toContain('CVR620');
  });

  it('stops before the audit when labels are unmapped', async () => {
    const pipeline = pipelineFixture({
      sources: [folderSource('a', join(root, 'a'), { NORMAL: 'NOR' })],
      task: ['NCV', 'CVP'],
      split: { form: 'kfold', k: 2, stratified: true, groupByPatient: false, validation: NO_VALIDATION },
    });
    const result = await auditPipeline(pipeline, { metadataOnly: true });
    expect(result.report).toBeUndefined();
    expect(result.diagnostics.map((d) => [d.code, d.data?.['label'], d.data?.['count']])).toEqual([['CVR505', 'COVID', 2]]);
  });
});

describe('auditPipeline: damaged files', () => {
  it('warns about zero-byte image files when images are read', async () => {
    const root = await tempDir();
    try {
      await writeTree(root, { 'a/NORMAL/ok.png': await tinyPng(9), 'a/NORMAL/empty.png': '', 'a/COVID/c.png': await tinyPng(10) });
      const pipeline = pipelineFixture({
        sources: [folderSource('a', join(root, 'a'), { NORMAL: 'NOR', COVID: 'CVP' })],
        task: ['NCV', 'CVP'],
        split: { form: 'kfold', k: 2, stratified: true, groupByPatient: false, validation: NO_VALIDATION },
      });
      const full = await auditPipeline(pipeline, { metadataOnly: false });
      const empty = full.diagnostics.filter((d) => d.code === 'CVR515');
      expect(empty.map((d) => [d.severity, d.data?.['count']])).toEqual([['warning', 1]]);
      expect(String(empty[0]!.message)).toContain('empty.png');
      const meta = await auditPipeline(pipeline, { metadataOnly: true });
      expect(meta.diagnostics.map((d) => d.code)).not.toContain('CVR515');
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });
});

describe('auditPipeline: unreadable files', () => {
  it('reports files that cannot be read while hashing (CVR510) and stops before the audit', async () => {
    const root = await tempDir();
    try {
      await writeTree(root, { 'images/ok.png': await tinyPng(1), 'images/folder.png/inside.txt': 'x', 'm.csv': 'img,lab\nok.png,COVID\nfolder.png,COVID\n' });
      const pipeline = pipelineFixture({
        sources: [{ name: 'm', locations: [{ kind: 'manifest', file: join(root, 'm.csv'), columns: { image: 'img', label: 'lab' }, root: join(root, 'images') }], map: { COVID: 'CVP' }, coarse: 'error' }],
        task: ['NCV', 'CVP'],
        split: { form: 'kfold', k: 2, stratified: true, groupByPatient: false, validation: NO_VALIDATION },
      });
      const result = await auditPipeline(pipeline, { metadataOnly: false });
      expect(result.report).toBeUndefined();
      expect(result.diagnostics.map((d) => [d.code, d.data?.['count']])).toEqual([['CVR510', 1]]);
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });
});
