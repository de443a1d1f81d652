/**
 * An effective pipeline that passed its checks → `ResolvedPipeline`: defaults applied, units
 * converted, paths made absolute (relative to the file each path was written in).
 */
import { slurmOptionsOfBlock } from './slurm-options.ts';
import path from 'node:path';
import type { DedupeStmt, AliasBlock, CoarsePolicy, LabelMap, ManifestFields, NumberLit, SourcesFromManifest, StringLit, ValidationSpec, WhereExpr } from './ast.ts';
import { classModel } from './class-model.ts';
import type { EffectivePipeline } from './effective.ts';
import type {
  ClassInfo,
  ResolvedAugmentOp,
  ResolvedEvaluate,
  ResolvedImage,
  ResolvedLocation,
  ResolvedManifestColumns,
  ResolvedModel,
  ResolvedPipeline,
  ResolvedSource,
  ResolvedSourceManifest,
  ResolvedSplit,
  ResolvedTrain,
  ResolvedValidation,
  ResolvedWhere,
  ResolvedPatternRule,
  ManifestDelimiter,
  ResolvedProbe,
  ResolvedLungField,
  ResolvedDedupe,
} from './resolved.ts';
import { DEDUPE_DEFAULT_THRESHOLD, PROBE_NAMES } from './resolved.ts';
import { asFraction } from './checks/numbers.ts';
import { CLASS_WEIGHT_MODES, METRICS, NORMALIZE, OPTIMIZERS, RESIZE, isOneOf } from './vocabulary.ts';

export const DEFAULTS = {
  seed: 0,
  size: 224,
  resize: 'nearest',
  channels: 3,
  normalize: 'unit',
  optimizer: 'adam',
  lr: 1e-4,
  loss: 'categorical_crossentropy',
  classWeights: 'balanced',
  batch: 8,
  epochs: 200,
  plateauFactor: 0.1,
  patience: 10,
  minLr: 0,
  metrics: ['accuracy', 'precision', 'recall', 'f1', 'auc'],
  bootstrap: 1000,
  gradcamTop: 3,
  gradcamThreshold: 0.5,
  engine: 'auto',
} as const;

/** A path string, absolute, relative to the folder of the file it was written in. */
function absolute(s: StringLit): string {
  return path.resolve(path.dirname(s.span.file), s.value);
}

function mapRecord(map: LabelMap | undefined): Record<string, string | null> {
  const out: Record<string, string | null> = {};
  for (const e of map?.entries ?? []) {
    if (e.key.kind === 'string' && !Object.hasOwn(out, e.key.value)) out[e.key.value] = e.drop || e.target === undefined ? null : e.target.name;
  }
  return out;
}

/** The regex keys in written order and the `other` target, as optional fields (absent when not written). */
function mapRules(map: LabelMap | undefined): { patterns?: ResolvedPatternRule[]; other?: string | null } {
  const patterns: ResolvedPatternRule[] = [];
  let other: string | null | undefined;
  for (const e of map?.entries ?? []) {
    const target = e.drop || e.target === undefined ? null : e.target.name;
    if (e.key.kind === 'regex') patterns.push({ pattern: e.key.pattern, flags: e.key.flags ?? '', target });
    else if (e.key.kind === 'other' && other === undefined) other = target;
  }
  return { ...(patterns.length > 0 ? { patterns } : {}), ...(other !== undefined ? { other } : {}) };
}

function aliasRecord(alias: AliasBlock | undefined): Record<string, string> | undefined {
  if (alias === undefined || alias.entries.length === 0) return undefined;
  const out: Record<string, string> = {};
  for (const e of alias.entries) if (!Object.hasOwn(out, e.from.value)) out[e.from.value] = e.to.name;
  return out;
}

export function resolveWhere(e: WhereExpr): ResolvedWhere {
  switch (e.kind) {
    case 'where-or': return { op: 'or', terms: e.terms.map(resolveWhere) };
    case 'where-and': return { op: 'and', terms: e.terms.map(resolveWhere) };
    case 'where-not': return { op: 'not', term: resolveWhere(e.term) };
    case 'where-compare': return { op: e.op, column: e.column.name, value: e.value.value };
    case 'where-in': return { op: 'in', column: e.column.name, values: e.values.map((v) => v.value) };
    case 'where-matches': return { op: 'matches', column: e.column.name, pattern: e.regex.pattern, flags: e.regex.flags ?? '' };
  }
}

/** `delimiter` words: the five names, and `csv` / `tsv` as synonyms of comma and tab. */
export const DELIMITERS: Readonly<Record<string, ManifestDelimiter>> = {
  comma: 'comma',
  csv: 'comma',
  tab: 'tab',
  tsv: 'tab',
  semicolon: 'semicolon',
  pipe: 'pipe',
  whitespace: 'whitespace',
};

export const ENCODINGS = ['utf8', 'utf-8', 'latin1'] as const;

function coarse(c: CoarsePolicy | undefined): 'drop' | 'error' {
  return c?.action ?? 'error';
}

function columns(fields: ManifestFields): ResolvedManifestColumns {
  const positional = fields.columns?.map((c) => c.name);
  const pick = (given: StringLit | undefined, name: string): string | undefined => given?.value ?? (positional?.includes(name) === true ? name : undefined);
  const out: { -readonly [K in keyof ResolvedManifestColumns]: ResolvedManifestColumns[K] } = {
    image: pick(fields.image, 'image') ?? 'image',
    label: pick(fields.label, 'label') ?? 'label',
  };
  const patient = pick(fields.patient, 'patient');
  const source = pick(fields.source, 'source');
  const partition = pick(fields.partitionColumn, 'partition');
  if (patient !== undefined) out.patient = patient;
  if (source !== undefined) out.source = source;
  if (partition !== undefined) out.partition = partition;
  if (positional !== undefined) out.positional = positional;
  const delimiter = fields.delimiter === undefined ? undefined : DELIMITERS[fields.delimiter.name];
  if (delimiter !== undefined) out.delimiter = delimiter;
  if (fields.labelSplit !== undefined) out.labelSplit = fields.labelSplit.value;
  if (fields.where !== undefined) out.where = resolveWhere(fields.where);
  if (fields.encoding?.name === 'latin1') out.encoding = 'latin1';
  return out;
}

function manifestRoot(file: string, fields: ManifestFields): string {
  return fields.root === undefined ? path.dirname(file) : absolute(fields.root);
}

function partitionOf(m: SourcesFromManifest): 'train' | 'test' | undefined {
  const p = m.partition?.name;
  return p === 'train' || p === 'test' ? p : undefined;
}

function sources(p: EffectivePipeline): { sources: ResolvedSource[]; manifests: ResolvedSourceManifest[] } {
  const byName = new Map<string, { -readonly [K in keyof ResolvedSource]: ResolvedSource[K] }>();
  for (const { use, def } of p.sources) {
    const loc = def.location;
    if (loc === undefined) continue;
    let location: ResolvedLocation;
    if (loc.kind === 'folder') location = { kind: 'folder', dir: absolute(loc.path) };
    else {
      const file = absolute(loc.path);
      location = { kind: 'manifest', file, columns: columns(loc.fields), root: manifestRoot(file, loc.fields) };
    }
    const source: { -readonly [K in keyof ResolvedSource]: ResolvedSource[K] } = { name: use.name.name, locations: [location], map: mapRecord(def.map), ...mapRules(def.map), coarse: coarse(def.coarse) };
    if (def.labelsFromPath !== undefined) source.labelsFromPath = def.labelsFromPath.pattern;
    if (def.patientsFromPath !== undefined) source.patientsFromPath = def.patientsFromPath.pattern;
    byName.set(source.name, source);
  }
  const manifests: ResolvedSourceManifest[] = [];
  for (const m of p.manifests) {
    const file = absolute(m.path);
    const cols = columns(m.fields);
    const root = manifestRoot(file, m.fields);
    const partition = partitionOf(m);
    const sourceColumn = cols.source ?? 'source';
    const alias = aliasRecord(m.alias);
    const aliasPart = alias === undefined ? {} : { alias };
    if (m.only === undefined) {
      manifests.push({ file, columns: cols, root, sourceColumn, ...(partition === undefined ? {} : { partition }), map: mapRecord(m.map), ...mapRules(m.map), ...aliasPart, coarse: coarse(m.coarse) });
      continue;
    }
    for (const name of m.only) {
      const location: ResolvedLocation = { kind: 'manifest', file, columns: cols, root, sourceColumn, sourceValue: name.name, ...(partition === undefined ? {} : { partition }), ...aliasPart };
      const existing = byName.get(name.name);
      if (existing !== undefined) {
        existing.locations = [...existing.locations, location];
        existing.map = { ...mapRecord(m.map), ...existing.map };
        const rules = mapRules(m.map);
        if (existing.patterns === undefined && rules.patterns !== undefined) existing.patterns = rules.patterns;
        if (existing.other === undefined && rules.other !== undefined) existing.other = rules.other;
      } else byName.set(name.name, { name: name.name, locations: [location], map: mapRecord(m.map), ...mapRules(m.map), coarse: coarse(m.coarse) });
    }
  }
  return { sources: [...byName.values()], manifests };
}

function validation(v: ValidationSpec | undefined): ResolvedValidation {
  if (v === undefined) return { fraction: 0, stratified: false, fromTest: false };
  return { fraction: v.fromTest || v.fraction === undefined ? 0 : asFraction(v.fraction), stratified: v.stratified, fromTest: v.fromTest };
}

function split(p: EffectivePipeline): ResolvedSplit {
  const s = p.split;
  if (s === undefined) throw new Error('Internal error: conversion of a pipeline without split');
  const groupByPatient = s.groupedBy?.name === 'patient';
  switch (s.form) {
    case 'kfold':
      return { form: 'kfold', k: s.k.value, stratified: s.stratified, groupByPatient, validation: validation(s.validation) };
    case 'holdout':
      return {
        form: 'holdout',
        ...(s.testSources === undefined || s.testSources.length === 0 ? {} : { testSources: s.testSources.map((t) => t.name) }),
        ...(s.testFraction === undefined ? {} : { testFraction: asFraction(s.testFraction) }),
        stratified: s.stratified,
        groupByPatient,
        validation: validation(s.validation),
      };
    case 'leave_source_out':
      return { form: 'leave_source_out', groupByPatient, validation: validation(s.validation) };
    case 'given':
      return { form: 'given', groupByPatient, validation: validation(s.validation) };
    default: {
      const never: never = s;
      throw new Error(`Internal error: unknown split ${JSON.stringify(never)}`);
    }
  }
}

function image(p: EffectivePipeline): ResolvedImage {
  const i = p.image;
  const width = i?.width?.value ?? DEFAULTS.size;
  const resize = i?.resize?.name ?? DEFAULTS.resize;
  const normalize = i?.normalize?.name ?? DEFAULTS.normalize;
  return {
    width,
    height: i?.height?.value ?? width,
    resize: isOneOf(RESIZE, resize) ? resize : DEFAULTS.resize,
    channels: i?.channels?.value === 1 ? 1 : 3,
    normalize: isOneOf(NORMALIZE, normalize) ? normalize : DEFAULTS.normalize,
  };
}

function augment(p: EffectivePipeline): ResolvedAugmentOp[] {
  const out: ResolvedAugmentOp[] = [];
  for (const op of p.augment?.ops ?? []) {
    const name = op.op.name;
    const pr = (fallback: number): number => (op.p === undefined ? fallback : asFraction(op.p));
    if (name === 'flip') {
      out.push({ op: 'flip', axis: op.axis?.name === 'vertical' ? 'vertical' : 'horizontal', p: pr(0.5) });
    } else if (name === 'rotate') {
      out.push({ op: 'rotate', degrees: op.amount?.value ?? 0, p: pr(1) });
    } else if (name === 'shift' || name === 'zoom' || name === 'brightness' || name === 'contrast') {
      out.push({ op: name, fraction: op.amount === undefined ? 0 : asFraction(op.amount), p: pr(1) });
    }
  }
  return out;
}

/** The checker (checks/dedupe.ts) rejected other methods, keys and values; defaults fill the rest. */
function dedupeOf(d: DedupeStmt): ResolvedDedupe {
  const value = (key: string): DedupeStmt['settings'][number]['value'] | undefined => d.settings.find((s) => s.key.name === key)?.value;
  const t = value('threshold');
  const k = value('keep');
  return { method: 'near', threshold: t?.kind === 'number' ? t.value : DEDUPE_DEFAULT_THRESHOLD, keep: k?.kind === 'ident' && k.name === 'none' ? 'none' : 'first' };
}

/** Probes with unknown names were rejected by the checker (CVR820); they are left out here. */
function probes(p: EffectivePipeline): ResolvedProbe[] {
  const out: ResolvedProbe[] = [];
  for (const d of p.probes?.probes ?? []) {
    const name = PROBE_NAMES.find((n) => n === d.name.name);
    if (name === undefined) continue;
    const settings = Object.fromEntries(d.settings.map((s) => [s.key.name, s.value.kind === 'number' ? s.value.value : s.value.kind === 'ident' ? s.value.name : s.value.value]));
    const model = d.model === undefined ? undefined : models({ ...p, model: d.model })[0];
    out.push({ name, settings, ...(model === undefined ? {} : { model }) });
  }
  return out;
}

/** `lung_field { ellipse … }` or `{ masks "…" }`; the checker (CVR823) rejected anything else. */
function lungField(p: EffectivePipeline): ResolvedLungField | undefined {
  const d = p.probes?.probes.find((x) => x.name.name === 'lung_field');
  if (d === undefined) return undefined;
  const masks = d.settings.find((s) => s.key.name === 'masks');
  if (masks !== undefined && masks.value.kind === 'string') return { kind: 'masks', folder: absolute(masks.value) };
  const ellipses = d.settings.flatMap((s) => {
    const n = [s.value, ...(s.more ?? [])].map((v) => (v.kind === 'number' ? v.value : Number.NaN));
    return s.key.name === 'ellipse' && n.length === 4 && n.every(Number.isFinite) ? [{ cx: n[0]!, cy: n[1]!, ax: n[2]!, ay: n[3]! }] : [];
  });
  return ellipses.length === 0 ? undefined : { kind: 'ellipses', ellipses };
}

function lungFieldEntry(p: EffectivePipeline): { lungField?: ResolvedLungField } {
  const field = lungField(p);
  return field === undefined ? {} : { lungField: field };
}

function models(p: EffectivePipeline): ResolvedModel[] {
  const stmt = p.model;
  if (stmt === undefined) return [];
  const names = stmt.kind === 'model' ? [stmt.name.name] : stmt.models.map((m) => m.name);
  let weights = 'none';
  let weightsFiles: Record<string, string> | undefined;
  let width = 1;
  const options: Record<string, number | string> = {};
  for (const o of stmt.options) {
    const v = o.value;
    if (v.kind === 'path-map') {
      // Only `weights` takes a map (the checker says so); one absolute path per branch.
      if (o.key.name === 'weights') {
        weights = 'branches';
        weightsFiles = Object.fromEntries(v.entries.map((e) => [e.key.name, absolute(e.path)]));
      }
    } else if (o.key.name === 'weights') weights = v.kind === 'string' ? absolute(v) : v.kind === 'ident' ? v.name : String(v.value);
    else if (o.key.name === 'width' && v.kind === 'number') width = asFraction(v);
    else options[o.key.name] = v.kind === 'number' ? (v.unit === 'percent' ? asFraction(v) : v.value) : v.kind === 'ident' ? v.name : v.value;
  }
  return names.map((name) => ({ name, weights, ...(weightsFiles !== undefined && { weightsFiles }), width, options: { ...options } }));
}

function numberParam(params: readonly { key: { name: string }; value: NumberLit }[], key: string): number | undefined {
  const found = params.find((p) => p.key.name === key);
  return found === undefined ? undefined : found.value.unit === 'percent' ? asFraction(found.value) : found.value.value;
}

function train(p: EffectivePipeline): ResolvedTrain {
  const t = p.train;
  const optName = t?.optimizer?.name.name ?? DEFAULTS.optimizer;
  const params: Record<string, number> = {};
  for (const param of t?.optimizer?.params ?? []) if (param.key.name !== 'lr' && !(param.key.name in params)) params[param.key.name] = param.value.value;
  const mode = t?.classWeights?.mode?.name ?? DEFAULTS.classWeights;
  const explicit = t?.classWeights?.explicit;
  const out: { -readonly [K in keyof ResolvedTrain]: ResolvedTrain[K] } = {
    optimizer: {
      name: isOneOf(OPTIMIZERS, optName) ? optName : DEFAULTS.optimizer,
      lr: numberParam(t?.optimizer?.params ?? [], 'lr') ?? DEFAULTS.lr,
      params,
    },
    loss: t?.loss?.name ?? DEFAULTS.loss,
    classWeights:
      explicit !== undefined && explicit.length > 0
        ? { mode: 'explicit', weights: Object.fromEntries(explicit.map((w) => [w.className.name, w.weight.value])) }
        : { mode: isOneOf(CLASS_WEIGHT_MODES, mode) ? mode : DEFAULTS.classWeights },
    batch: t?.batch?.value ?? DEFAULTS.batch,
    epochs: t?.epochs?.value ?? DEFAULTS.epochs,
  };
  if (t?.reduceLr !== undefined) {
    out.reduceLr = {
      metric: t.reduceLr.metric.name,
      factor: numberParam(t.reduceLr.params, 'factor') ?? DEFAULTS.plateauFactor,
      patience: numberParam(t.reduceLr.params, 'patience') ?? DEFAULTS.patience,
      min: numberParam(t.reduceLr.params, 'min') ?? DEFAULTS.minLr,
    };
  }
  if (t?.earlyStop !== undefined) {
    out.earlyStop = { metric: t.earlyStop.metric.name, patience: numberParam(t.earlyStop.params, 'patience') ?? DEFAULTS.patience, restoreBest: t.earlyStop.restoreBest };
  }
  return out;
}

function evaluate(p: EffectivePipeline): ResolvedEvaluate {
  const e = p.evaluate;
  if (e === undefined) return { metrics: [...DEFAULTS.metrics], confusion: true, bySource: true, bootstrap: DEFAULTS.bootstrap };
  const out: { -readonly [K in keyof ResolvedEvaluate]: ResolvedEvaluate[K] } = {
    metrics: e.metrics === undefined ? [...DEFAULTS.metrics] : e.metrics.map((m) => m.name).filter((m) => isOneOf(METRICS, m)),
    confusion: e.confusion,
    bySource: e.bySource,
    bootstrap: e.bootstrap?.value ?? DEFAULTS.bootstrap,
  };
  if (e.gradcam !== undefined) {
    out.gradcam = {
      className: e.gradcam.className.name,
      top: e.gradcam.top?.value ?? DEFAULTS.gradcamTop,
      threshold: e.gradcam.threshold === undefined ? DEFAULTS.gradcamThreshold : asFraction(e.gradcam.threshold),
    };
  }
  return out;
}

function classes(p: EffectivePipeline): ClassInfo[] {
  const model = classModel(p.classes);
  return [...model.decls.values()].map((d) => ({
    name: d.name.name,
    ...(d.description === undefined ? {} : { description: d.description.value }),
    leaves: [...(model.leaves(d.name.name) ?? [])],
    isUnion: d.members !== undefined,
  }));
}

export function toResolved(p: EffectivePipeline): ResolvedPipeline {
  const { sources: resolvedSources, manifests } = sources(p);
  return {
    name: p.name,
    file: p.file,
    ...(p.title === undefined ? {} : { title: p.title.text.value }),
    ...(p.description === undefined ? {} : { description: p.description.text.value }),
    seed: p.seed?.value.value ?? DEFAULTS.seed,
    classes: { classes: classes(p) },
    sources: resolvedSources,
    ...(manifests.length === 0 ? {} : { sourceManifests: manifests }),
    ...(p.patientsShared === undefined ? {} : { patientsShared: true as const }),
    task: { classes: (p.task?.classes ?? []).map((c) => c.name) },
    split: split(p),
    image: image(p),
    augment: augment(p),
    models: models(p),
    train: train(p),
    evaluate: evaluate(p),
    engine: p.engine?.name.name ?? DEFAULTS.engine,
    ...(p.probes === undefined ? {} : { probes: probes(p) }),
    ...lungFieldEntry(p),
    ...(p.executor?.name.name === 'slurm' && { executor: { kind: 'slurm' as const, options: slurmOptionsOfBlock(p.executor).options } }),
    ...(p.dedupe === undefined ? {} : { dedupe: dedupeOf(p.dedupe) }),
    spans: { ...p.spans },
  };
}
