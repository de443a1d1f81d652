/**
 * The semantic diff of two resolved pipelines. Both are flattened into keyed facts (one per
 * statement or setting, values in canonical words), so formatting, comments, statement order
 * and where a statement came from (import, extends) cannot show up; only what the experiment
 * does. Each differing fact is explained; facts derived from several statements (which sources
 * supply each class) are compared too, because that is what decides whether a design is biased.
 */
import type { ResolvedPipeline } from '../../dsl/index.ts';
import {
  classSources,
  describeAugment,
  describeClassSources,
  describeClassWeights,
  describeLocation,
  describeOptimizer,
  describeSource,
  num,
  testDesign,
  validationOf,
} from '../describe.ts';
import type { Change } from './types.ts';

type Value = string | number | boolean;

/** One comparable fact: its value and how to explain a change of it. */
interface Fact {
  readonly value: Value;
  /** Sorting: facts are reported in this order, then by path. */
  readonly rank: number;
  readonly explain: (from: Value | null, to: Value | null) => string;
}

const changedWord = (what: string) => (from: Value | null, to: Value | null): string =>
  from === null ? `${what} added: ${String(to)}` : to === null ? `${what} removed (was ${String(from)})` : `${what}: ${String(from)} → ${String(to)}`;

function facts(p: ResolvedPipeline, cwd: string): Map<string, Fact> {
  const out = new Map<string, Fact>();
  const put = (path: string, value: Value | undefined, rank: number, explain: Fact['explain']): void => {
    if (value !== undefined) out.set(path, { value, rank, explain });
  };

  put('title', p.title, 0, changedWord('title'));
  put('description', p.description, 0, changedWord('description'));
  put('seed', p.seed, 1, (from, to) => `seed changed (${String(from)} → ${String(to)}): every random stream (split assignment, augmentation, initialisation) differs`);
  put('engine', p.engine, 1, changedWord('engine'));

  for (const c of p.classes.classes) {
    put(`classes.${c.name}`, c.isUnion ? `${c.leaves.join(' | ')}` : 'leaf', 2, changedWord(`class ${c.name}`));
  }
  put('task', p.task.classes.join(' vs '), 3, (from, to) =>
    from === null || to === null ? changedWord('task')(from, to) : `task: ${String(from)} → ${String(to)} (the model predicts other classes)`,
  );

  const split = p.split;
  put('split', testDesign(split), 4, (from, to) => `test design: ${String(from)} → ${String(to)}`);
  put('split.validation', validationOf(split), 5, (from, to) => `validation set: ${String(from)} → ${String(to)}`);
  // Stratification means nothing where whole sources are the test set.
  if (split.form === 'kfold' || (split.form === 'holdout' && split.testSources === undefined)) {
    put('split.stratified', split.stratified, 5, (_f, to) => (to === true ? 'test assignment now stratified by class' : 'test assignment no longer stratified by class'));
  }
  const wholeSources = split.form === 'leave_source_out' || (split.form === 'holdout' && split.testSources !== undefined);
  put('split.grouped_by_patient', split.groupByPatient, 5, (_f, to) =>
    to === true
      ? "splits now keep each patient's images together"
      : wholeSources
        ? "validation no longer keeps a patient's images together (the test sources stay whole)"
        : "splits no longer keep a patient's images together (a patient may be in training and test)",
  );

  const supply = classSources(p);
  for (const [cls, entry] of Object.entries(supply)) {
    put(`task.${cls}.sources`, describeClassSources(entry), 6, (from, to) => {
      if (from === null || to === null) return `${cls} ${to === null ? 'is no longer a task class' : 'is a new task class'}`;
      return classSourcesMeaning(cls, from, to);
    });
  }

  for (const s of p.sources) {
    // Added or removed: one change that says everything; changed: where (here) and each label (below).
    put(`source:${s.name}`, describeSource(s, cwd, false), 7, (from, to) => {
      if (from === null) return `source ${s.name} added (${describeSource(s, cwd)})`;
      if (to === null) return `source ${s.name} removed (was ${describeSource(s, cwd)})`;
      return `source ${s.name}: ${String(from)} → ${String(to)}`;
    });
    // Regex keys are tried in written order: a reordering is a change of meaning.
    const patterns = (s.patterns ?? []).map((r) => `/${r.pattern}/${r.flags} -> ${r.target ?? 'drop'}`).join(', ');
    if (patterns !== '' || s.other !== undefined) {
      put(`source:${s.name}.map.patterns`, `${patterns}${s.other === undefined ? '' : `${patterns === '' ? '' : ', '}other -> ${s.other ?? 'drop'}`}`, 7, (from, to) => `${s.name}: regex keys and other now ${String(to)} (was ${String(from)})`);
    }
    // Per native label too, so a changed source says which labels moved.
    for (const [label, cls] of Object.entries(s.map)) {
      put(`source:${s.name}.map."${label}"`, cls ?? 'drop', 7, (from, to) =>
        from === null ? `${s.name}: "${label}" now mapped to ${String(to)}` : to === null ? `${s.name}: "${label}" no longer mapped (was ${String(from)})` : `${s.name}: "${label}" now ${String(to)} (was ${String(from)})`,
      );
    }
  }
  for (const m of p.sourceManifests ?? []) {
    const where = describeLocation({ kind: 'manifest', file: m.file, columns: m.columns, root: m.root, sourceColumn: m.sourceColumn, ...(m.partition !== undefined && { partition: m.partition }) }, cwd);
    put(`sources from ${where}`, Object.entries(m.map).map(([k, v]) => `"${k}" -> ${v ?? 'drop'}`).sort().join(', '), 7, changedWord('sources from manifest'));
  }

  put('image.size', `${p.image.width} x ${p.image.height}`, 8, changedWord('input size'));
  put('image.resize', p.image.resize, 8, changedWord('resize interpolation'));
  put('image.channels', p.image.channels, 8, changedWord('channels'));
  put('image.normalize', p.image.normalize, 8, changedWord('normalisation'));

  for (const op of p.augment) {
    const key = op.op === 'flip' ? `flip ${op.axis}` : op.op;
    put(`augment.${key}`, describeAugment(op), 9, changedWord('augmentation'));
  }

  for (const m of p.models) {
    put(`model:${m.name}`, 'present', 10, (from) => (from === null ? `model ${m.name} added` : `model ${m.name} removed`));
    put(`model:${m.name}.weights`, m.weights, 10, changedWord(`${m.name} initial weights`));
    put(`model:${m.name}.width`, m.width, 10, changedWord(`${m.name} width multiplier`));
    for (const [k, v] of Object.entries(m.options)) put(`model:${m.name}.${k}`, v, 10, changedWord(`${m.name} ${k}`));
  }

  const t = p.train;
  put('train.optimizer', describeOptimizer(t), 11, changedWord('optimizer'));
  put('train.loss', t.loss, 11, changedWord('loss'));
  put('train.class_weights', describeClassWeights(t), 11, changedWord('class weights'));
  put('train.batch', t.batch, 11, changedWord('batch size'));
  put('train.epochs', t.epochs, 11, changedWord('maximum epochs'));
  if (t.reduceLr !== undefined) {
    const r = t.reduceLr;
    put('train.reduce_lr', `on ${r.metric} factor ${num(r.factor)} patience ${r.patience}${r.min > 0 ? ` min ${num(r.min)}` : ''}`, 11, changedWord('learning-rate schedule'));
  }
  if (t.earlyStop !== undefined) {
    const e = t.earlyStop;
    put('train.early_stop', `on ${e.metric} patience ${e.patience}${e.restoreBest ? ' restore_best' : ''}`, 11, changedWord('early stopping'));
  }

  const ev = p.evaluate;
  put('evaluate.metrics', [...ev.metrics].sort().join(', '), 12, changedWord('metrics'));
  put('evaluate.confusion', ev.confusion, 12, changedWord('confusion matrices'));
  put('evaluate.by_source', ev.bySource, 12, changedWord('per-source metrics'));
  put('evaluate.bootstrap', ev.bootstrap, 12, changedWord('bootstrap resamples'));
  if (ev.gradcam !== undefined) {
    const g = ev.gradcam;
    put('evaluate.gradcam', `${g.className} top ${g.top} threshold ${num(g.threshold)}`, 12, changedWord('GradCAM'));
  }
  return out;
}

function classSourcesMeaning(cls: string, from: Value, to: Value): string {
  const parse = (v: Value): { train: string[]; test: string[] } => {
    const text = String(v);
    const m = /^train (.*); test (.*)$/.exec(text);
    const list = (s: string): string[] => (s === 'none' ? [] : s.split(', '));
    return m !== null ? { train: list(m[1] ?? ''), test: list(m[2] ?? '') } : { train: list(text), test: [] };
  };
  const a = parse(from);
  const b = parse(to);
  const before = new Set([...a.train, ...a.test]);
  const after = new Set([...b.train, ...b.test]);
  const added = [...after].filter((s) => !before.has(s));
  const removed = [...before].filter((s) => !after.has(s));
  const parts: string[] = [];
  if (after.size !== before.size || added.length > 0 || removed.length > 0) {
    parts.push(`${cls} now drawn from ${after.size} source${after.size === 1 ? '' : 's'} (was ${before.size})`);
    const delta = [...added.map((s) => `+${s}`), ...removed.map((s) => `−${s}`)];
    if (delta.length > 0) parts[0] += `: ${delta.join(', ')}`;
  }
  if (b.test.join() !== a.test.join()) {
    parts.push(b.test.length > 0 ? `its test images come only from ${b.test.join(', ')}, never trained on` : 'no source of it is held out for testing any more');
  }
  return parts.length > 0 ? parts.join('; ') : `${cls}: ${String(from)} → ${String(to)}`;
}

/** The changes from `a` to `b`; empty when they describe the same experiment. */
export function diffPipelines(a: ResolvedPipeline, b: ResolvedPipeline, cwd: string): Change[] {
  const fa = facts(a, cwd);
  const fb = facts(b, cwd);
  // A whole model or source added or removed is one change, not one per setting of it.
  const group = /^(model|source):[^.]+$/;
  const oneSided = new Set([...[...fa.keys()].filter((k) => group.test(k) && !fb.has(k)), ...[...fb.keys()].filter((k) => group.test(k) && !fa.has(k))]);
  const underOneSided = (path: string): boolean => [...oneSided].some((g) => path.startsWith(`${g}.`));
  const paths = [...new Set([...fa.keys(), ...fb.keys()])];
  const rows: { change: Change; rank: number }[] = [];
  for (const path of paths) {
    if (underOneSided(path)) continue;
    const x = fa.get(path);
    const y = fb.get(path);
    // Present on one side only because the other design has no such setting: the design change says it.
    if (path === 'split.stratified' && (x === undefined || y === undefined)) continue;
    if (x !== undefined && y !== undefined && x.value === y.value) continue;
    const fact = (y ?? x)!;
    const from = x?.value ?? null;
    const to = y?.value ?? null;
    const kind = x === undefined ? 'added' : y === undefined ? 'removed' : 'changed';
    rows.push({ rank: fact.rank, change: { path, kind, from, to, meaning: fact.explain(from, to) } });
  }
  return rows
    .sort((r, s) => r.rank - s.rank || (r.change.path < s.change.path ? -1 : r.change.path > s.change.path ? 1 : 0))
    .map((r) => r.change);
}

