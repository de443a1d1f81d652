/**
 * Plain-words descriptions of resolved pipeline parts, shared by the report and `cvr diff`, so a
 * reader sees one vocabulary in both.
 */
import { relative } from 'node:path';
import type {
  ResolvedAugmentOp,
  ResolvedLocation,
  ResolvedPipeline,
  ResolvedSource,
  ResolvedSplit,
  ResolvedTrain,
} from '../dsl/index.ts';

export function pct(x: number): string {
  const v = x * 100;
  return `${Number.isInteger(v) ? v.toFixed(0) : Number(v.toFixed(1)).toString()}%`;
}

/** `1e-4`, `0.9`, `200`: short and stable. */
export function num(x: number): string {
  if (x !== 0 && Math.abs(x) < 1e-3) return x.toExponential();
  return String(Number(x.toPrecision(6)));
}

/** The test design alone: what decides whether the reported accuracy is independent. */
export function testDesign(split: ResolvedSplit): string {
  switch (split.form) {
    case 'kfold':
      return `${split.k}-fold cross-validation`;
    case 'holdout':
      return split.testSources !== undefined
        ? `independent holdout (${[...split.testSources].sort().join(', ')})`
        : `random holdout (${pct(split.testFraction ?? 0.2)} test, not independent)`;
    case 'leave_source_out':
      return 'leave one source out';
    case 'given':
      return 'given train/test partition';
  }
}

export function validationOf(split: ResolvedSplit): string {
  const v = split.validation;
  if (v.fromTest) return 'the test set (validation test)';
  if (v.fraction <= 0) return 'none';
  return `${pct(v.fraction)}${v.stratified ? ' stratified' : ''}`;
}

export function describeSplit(split: ResolvedSplit): string {
  const parts = [testDesign(split)];
  if ((split.form === 'kfold' || split.form === 'holdout') && split.stratified) parts.push('stratified');
  if (split.groupByPatient) parts.push('grouped by patient');
  parts.push(`validation ${validationOf(split)}`);
  return parts.join(', ');
}

export function describeLocation(location: ResolvedLocation, cwd: string): string {
  const rel = (p: string): string => relative(cwd, p) || '.';
  if (location.kind === 'folder') return `folder ${rel(location.dir)}`;
  const select = location.sourceColumn !== undefined ? ` where ${location.sourceColumn} = ${location.sourceValue ?? ''}` : '';
  const partition = location.partition !== undefined ? ` (partition ${location.partition})` : '';
  return `manifest ${rel(location.file)}${select}${partition}`;
}

export function describeSource(source: ResolvedSource, cwd: string, withMap = true): string {
  // Sorted: a source listed in several manifests is the same source whatever their order.
  const where = source.locations.map((l) => describeLocation(l, cwd)).sort().join(' + ');
  const map = Object.entries(source.map)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([label, cls]) => `"${label}" -> ${cls ?? 'drop'}`)
    .concat((source.patterns ?? []).map((p) => `/${p.pattern}/${p.flags} -> ${p.target ?? 'drop'}`))
    .concat(source.other === undefined ? [] : [`other -> ${source.other ?? 'drop'}`])
    .join(', ');
  const extra = [
    source.labelsFromPath !== undefined ? `; labels from path /${source.labelsFromPath}/` : '',
    source.patientsFromPath !== undefined ? `; patients from path /${source.patientsFromPath}/` : '',
    source.coarse === 'drop' ? '; coarse drop' : '',
  ].join('');
  return withMap ? `${where}; map ${map || '(none)'}${extra}` : `${where}${extra}`;
}

export function describeAugment(op: ResolvedAugmentOp): string {
  const p = op.p < 1 ? ` p ${num(op.p)}` : '';
  switch (op.op) {
    case 'rotate':
      return `rotate ${num(op.degrees)}deg${p}`;
    case 'flip':
      return `flip ${op.axis}${p}`;
    default:
      return `${op.op} ${pct(op.fraction)}${p}`;
  }
}

export function describeClassWeights(train: ResolvedTrain): string {
  const w = train.classWeights;
  if (w.mode === 'explicit') {
    return Object.entries(w.weights)
      .map(([c, v]) => `${c} ${num(v)}`)
      .join(', ');
  }
  return w.mode;
}

export function describeOptimizer(train: ResolvedTrain): string {
  const params = Object.entries(train.optimizer.params)
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([k, v]) => ` ${k} ${num(v)}`)
    .join('');
  return `${train.optimizer.name} lr ${num(train.optimizer.lr)}${params}`;
}

/**
 * For each task class, the sources that supply it: a source supplies class T when one of its
 * mapped classes lies inside T (a union too coarse for T supplies nothing). Holdout designs with
 * test sources tell training sources from test sources.
 */
export function classSources(pipeline: ResolvedPipeline): Record<string, { train: string[]; test: string[] }> {
  const leaves = new Map(pipeline.classes.classes.map((c) => [c.name, new Set(c.leaves)]));
  const testSources = new Set(pipeline.split.form === 'holdout' ? (pipeline.split.testSources ?? []) : []);
  const out: Record<string, { train: string[]; test: string[] }> = {};
  for (const task of pipeline.task.classes) {
    const taskLeaves = leaves.get(task) ?? new Set([task]);
    const entry = { train: [] as string[], test: [] as string[] };
    for (const source of pipeline.sources) {
      const targets = [...Object.values(source.map), ...(source.patterns ?? []).map((p) => p.target), ...(source.other === undefined ? [] : [source.other])];
      const supplies = targets.some((cls) => {
        if (cls === null) return false;
        const l = leaves.get(cls) ?? new Set([cls]);
        return [...l].every((leaf) => taskLeaves.has(leaf));
      });
      if (supplies) (testSources.has(source.name) ? entry.test : entry.train).push(source.name);
    }
    entry.train.sort();
    entry.test.sort();
    out[task] = entry;
  }
  return out;
}

export function describeClassSources(entry: { train: readonly string[]; test: readonly string[] }): string {
  const train = entry.train.join(', ') || 'none';
  return entry.test.length > 0 ? `train ${train}; test ${entry.test.join(', ')}` : train;
}
