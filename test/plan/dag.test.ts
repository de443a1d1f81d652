import { describe, expect, it } from 'vitest';
import { buildPlan, foldCount } from '../../src/plan/index.ts';
import type { ResolvedPipeline } from '../../src/dsl/resolved.ts';
import { NO_VALIDATION, twoSourceKfold } from '../data/pipeline-fixture.ts';

const base = (): ResolvedPipeline => twoSourceKfold('/work', 3);

function keys(p: ResolvedPipeline, fingerprints?: Record<string, string>): Map<string, string> {
  return new Map(buildPlan(p, fingerprints === undefined ? {} : { sourceFingerprints: fingerprints }).nodes.map((n) => [n.id, n.key]));
}

function changed(a: Map<string, string>, b: Map<string, string>): string[] {
  return [...new Set([...a.keys(), ...b.keys()])].filter((id) => a.get(id) !== b.get(id)).sort();
}

describe('buildPlan', () => {
  it('has the nodes and edges of architecture.md, in a stable topological order', () => {
    const plan = buildPlan({ ...base(), evaluate: { ...base().evaluate, gradcam: { className: 'CVP', top: 3, threshold: 0.6 } } });
    const ids = plan.nodes.map((n) => n.id);
    expect([...ids].sort()).toEqual(
      ['audit', 'gradcam:cvrnet', 'labels', 'metrics:cvrnet', 'predict:cvrnet:0', 'predict:cvrnet:1', 'predict:cvrnet:2', 'prep:cidc', 'prep:cxri', 'report', 'scan:cidc', 'scan:cxri', 'split', 'train:cvrnet:0', 'train:cvrnet:1', 'train:cvrnet:2'].sort(),
    );
    for (const [from, to] of plan.edges) expect(ids.indexOf(from)).toBeLessThan(ids.indexOf(to));
    expect(plan.edges).toContainEqual(['scan:cxri', 'labels']);
    expect(plan.edges).toContainEqual(['split', 'audit']);
    expect(plan.edges).toContainEqual(['train:cvrnet:1', 'predict:cvrnet:1']);
    expect(plan.edges).toContainEqual(['predict:cvrnet:2', 'metrics:cvrnet']);
    expect(plan.edges).toContainEqual(['gradcam:cvrnet', 'report']);
    expect(buildPlan(base())).toEqual(buildPlan(base()));
    expect(plan.nodes.every((n) => /^[0-9a-f]{64}$/.test(n.key))).toBe(true);
  });

  it('a copy of the .cvr file in another folder, pointing at the same data, draws the same random streams', () => {
    // /work/p/a.cvr declares "../data/cxri"; /work/p/runs/copy/a.cvr declares "../../../data/cxri".
    const copy: ResolvedPipeline = { ...base(), file: '/work/p/runs/copy/a.cvr' };
    const fingerprints = { cxri: 'f1', cidc: 'f2' };
    const a = buildPlan(base(), { sourceFingerprints: fingerprints });
    const b = buildPlan(copy, { sourceFingerprints: fingerprints });
    expect(a.nodes.find((n) => n.id === 'scan:cxri')?.config['locations']).toEqual([{ kind: 'folder', dir: '../data/cxri' }]);
    expect(b.nodes.find((n) => n.id === 'scan:cxri')?.config['locations']).toEqual([{ kind: 'folder', dir: '../../../data/cxri' }]);
    const streams = (p: typeof a): Map<string, string> => new Map(p.nodes.map((n) => [n.id, n.streamKey]));
    expect(changed(streams(a), streams(b))).toEqual([]);
    // The cache keys still hold the paths as written; other data changes the streams.
    expect(changed(new Map(a.nodes.map((n) => [n.id, n.key])), new Map(b.nodes.map((n) => [n.id, n.key])))).toContain('scan:cxri');
    const other = buildPlan(base(), { sourceFingerprints: { ...fingerprints, cxri: 'f3' } });
    expect(changed(streams(a), streams(other))).toEqual(expect.arrayContaining(['scan:cxri', 'split', 'train:cvrnet:0']));
  });

  it('editing evaluate changes only metrics and report keys', () => {
    const a = keys(base());
    const b = keys({ ...base(), evaluate: { ...base().evaluate, metrics: ['accuracy', 'f1'] } });
    expect(changed(a, b)).toEqual(['metrics:cvrnet', 'report']);
  });

  it('editing the seed changes the split and everything that draws randomness after it', () => {
    const a = keys(base());
    const b = keys({ ...base(), seed: 99 });
    expect(changed(a, b)).toEqual(['audit', 'metrics:cvrnet', 'predict:cvrnet:0', 'predict:cvrnet:1', 'predict:cvrnet:2', 'report', 'split', 'train:cvrnet:0', 'train:cvrnet:1', 'train:cvrnet:2']);
  });

  it('editing image settings reruns preprocessing, the audit (its near-duplicate search reads the prepared images) and training, not scanning, labels or the split', () => {
    const a = keys(base());
    const b = keys({ ...base(), image: { ...base().image, width: 64, height: 64 } });
    const c = changed(a, b);
    expect(c).toEqual(expect.arrayContaining(['prep:cxri', 'prep:cidc', 'train:cvrnet:0', 'report']));
    expect(c).not.toEqual(expect.arrayContaining(['split']));
    expect(c).toContain('audit');
    expect(c.filter((id) => id.startsWith('scan') || id === 'labels' || id === 'split')).toEqual([]);
  });

  it('dedupe near makes the split read the prepared images (it removes copies before splitting), and only then', () => {
    const plain = buildPlan(base());
    expect(plain.edges.filter(([, to]) => to === 'split')).toEqual([['labels', 'split']]);
    const deduped = buildPlan({ ...base(), dedupe: { method: 'near', threshold: 0.9, keep: 'first' } });
    expect(deduped.edges.filter(([, to]) => to === 'split').sort()).toEqual([['labels', 'split'], ['prep:cidc', 'split'], ['prep:cxri', 'split']]);
    const a = new Map(plain.nodes.map((n) => [n.id, n.key]));
    const b = new Map(deduped.nodes.map((n) => [n.id, n.key]));
    expect(changed(a, b)).toContain('split');
    expect(changed(a, b).filter((id) => id.startsWith('scan') || id.startsWith('prep') || id === 'labels')).toEqual([]);
  });

  it('a changed file list changes only that source\'s scan and what depends on it', () => {
    const a = keys(base(), { cxri: 'aaa', cidc: 'bbb' });
    const b = keys(base(), { cxri: 'aaa2', cidc: 'bbb' });
    const c = changed(a, b);
    expect(c).toContain('scan:cxri');
    expect(c).toContain('prep:cxri');
    expect(c).not.toContain('scan:cidc');
    expect(c).not.toContain('prep:cidc');
  });

  it('keys do not depend on where the checkout lives', () => {
    const moved = twoSourceKfold('/elsewhere', 3);
    expect(changed(keys(base()), keys(moved))).toEqual([]);
  });

  it.each([
    [{ form: 'kfold', k: 7, stratified: true, groupByPatient: false, validation: NO_VALIDATION }, 7],
    [{ form: 'holdout', testSources: ['cidc'], stratified: false, groupByPatient: false, validation: NO_VALIDATION }, 1],
    [{ form: 'leave_source_out', groupByPatient: false, validation: NO_VALIDATION }, 2],
    [{ form: 'given', groupByPatient: false, validation: NO_VALIDATION }, 1],
  ] as const)('fold count of %j is %i', (split, folds) => {
    expect(foldCount({ ...base(), split })).toBe(folds);
  });
});
