/**
 * Resolved pipeline → execution DAG (architecture.md):
 * scan:<source> → labels → split → audit; prep:<source>; train:<model>:<fold> →
 * predict:<model>:<fold> → metrics:<model>; gradcam:<model>; report.
 * A node's key hashes its kind, its own configuration and its inputs' keys, so editing only
 * `evaluate` changes only the metrics, gradcam and report keys, and editing `seed` changes every
 * node that draws randomness (split and below); it also holds cvr's version and the kind's output
 * schema version (key-versions.ts). Its `streamKey`, from which its random streams derive, is the
 * same hash without the versions and without where files are (a source's folders and manifests,
 * a weights file, a mask folder, written relative to the .cvr file): a seed's numbers depend on
 * what the data is (the source's file list, labels and contents, in `files`), not on how a path
 * to it is written, so a copy of the .cvr file in another folder, pointing at the same data,
 * trains the same models.
 */
import { dirname, relative } from 'node:path';
import { DEFAULT_THRESHOLD, NEAR_METHOD } from '../data/index.ts';
import type { ResolvedLocation, ResolvedPipeline } from '../dsl/index.ts';
import { canonicalJson, sha256Hex } from './canonical.ts';
import type { Plan, PlanNode, PlanNodeKind } from './types.ts';
import { currentKeyVersions, type KeyVersions } from './key-versions.ts';

export interface PlanOptions {
  /** Per source, a hash of its file list (see lock files); part of the scan node's key when known. */
  readonly sourceFingerprints?: Readonly<Record<string, string>>;
  /** Per model with `weights`: what the weight files are now (size, mtime), so a replaced file retrains. */
  readonly weightsFingerprints?: Readonly<Record<string, string>>;
  /** Overrides the pipeline's seed. */
  readonly seed?: number;
  /** cvr's and the output schemas' versions in the keys; default the current ones. */
  readonly versions?: KeyVersions;
}

interface Draft {
  readonly id: string;
  readonly kind: PlanNodeKind;
  readonly inputs: readonly string[];
  readonly config: Record<string, unknown>;
  /** The config as the random streams see it (no paths); default `config`. */
  readonly streamConfig?: Record<string, unknown>;
  readonly fold?: number;
  readonly model?: string;
}

/** A model's declaration in a key: a weights file's path relative to the .cvr file, and its fingerprint. */
function modelConfig(model: ResolvedPipeline['models'][number], rel: (p: string) => string, fingerprint?: string): Record<string, unknown> {
  return {
    ...model,
    weights: model.weights.startsWith('/') ? rel(model.weights) : model.weights,
    ...(model.weightsFiles && { weightsFiles: Object.fromEntries(Object.entries(model.weightsFiles).map(([k, p]) => [k, rel(p)])) }),
    ...(fingerprint !== undefined && { weightsFingerprint: fingerprint }),
  };
}

/** The same for the random streams: a weights file by its fingerprint only. */
function streamModelConfig(model: ResolvedPipeline['models'][number], fingerprint?: string): Record<string, unknown> {
  const { weightsFiles: _files, ...rest } = model;
  return { ...rest, weights: model.weights.startsWith('/') ? 'file' : model.weights, ...(fingerprint !== undefined && { weightsFingerprint: fingerprint }) };
}

/** The folds a design runs: K for k-fold, one per source for leave_source_out, else one. */
export function foldCount(pipeline: ResolvedPipeline): number {
  switch (pipeline.split.form) {
    case 'kfold':
      return pipeline.split.k;
    case 'leave_source_out':
      return Math.max(1, pipeline.sources.length);
    case 'holdout':
    case 'given':
      return 1;
  }
}

export function buildPlan(pipeline: ResolvedPipeline, options: PlanOptions = {}): Plan {
  const base = dirname(pipeline.file);
  const rel = (p: string): string => relative(base, p).split('\\').join('/');
  const location = (l: ResolvedLocation): Record<string, unknown> =>
    l.kind === 'folder' ? { kind: 'folder', dir: rel(l.dir) } : { ...l, file: rel(l.file), root: rel(l.root) };
  const seed = options.seed ?? pipeline.seed;
  const drafts: Draft[] = [];
  const sources = pipeline.sources.map((s) => s.name);
  for (const s of pipeline.sources) {
    drafts.push({
      id: `scan:${s.name}`,
      kind: 'scan',
      inputs: [],
      config: { source: s.name, locations: s.locations.map(location), labelsFromPath: s.labelsFromPath, patientsFromPath: s.patientsFromPath, files: options.sourceFingerprints?.[s.name] },
      streamConfig: { source: s.name, labelsFromPath: s.labelsFromPath, patientsFromPath: s.patientsFromPath, files: options.sourceFingerprints?.[s.name] },
    });
  }
  drafts.push({
    id: 'labels',
    kind: 'labels',
    inputs: sources.map((s) => `scan:${s}`),
    config: { task: pipeline.task.classes, classes: pipeline.classes, maps: Object.fromEntries(pipeline.sources.map((s) => [s.name, { map: s.map, coarse: s.coarse }])) },
  });
  // `dedupe near` removes copies before the split: the split then reads the prepared images' signatures.
  const dedupe = pipeline.dedupe;
  drafts.push(
    dedupe === undefined
      ? { id: 'split', kind: 'split', inputs: ['labels'], config: { split: pipeline.split, seed } }
      : { id: 'split', kind: 'split', inputs: ['labels', ...sources.map((s) => `prep:${s}`)], config: { split: pipeline.split, seed, dedupe, nearMethod: NEAR_METHOD } },
  );
  // The audit reads the prepared images' signatures for its near-duplicate findings.
  drafts.push({ id: 'audit', kind: 'audit', inputs: ['split', ...sources.map((s) => `prep:${s}`)], config: { nearThreshold: dedupe?.threshold ?? DEFAULT_THRESHOLD, nearMethod: NEAR_METHOD } });
  for (const s of sources) drafts.push({ id: `prep:${s}`, kind: 'prep', inputs: [`scan:${s}`], config: { image: pipeline.image } });
  const folds = foldCount(pipeline);
  const prepIds = sources.map((s) => `prep:${s}`);
  for (const model of pipeline.models) {
    const m = model.name;
    for (let fold = 0; fold < folds; fold++) {
      drafts.push({
        id: `train:${m}:${fold}`,
        kind: 'train',
        inputs: ['split', ...prepIds],
        config: { model: modelConfig(model, rel, options.weightsFingerprints?.[m]), train: pipeline.train, augment: pipeline.augment, seed, fold, engine: pipeline.engine },
        streamConfig: { model: streamModelConfig(model, options.weightsFingerprints?.[m]), train: pipeline.train, augment: pipeline.augment, seed, fold, engine: pipeline.engine },
        fold,
        model: m,
      });
      drafts.push({ id: `predict:${m}:${fold}`, kind: 'predict', inputs: [`train:${m}:${fold}`, 'split', ...prepIds], config: { fold }, fold, model: m });
    }
    const { gradcam, ...evaluation } = pipeline.evaluate;
    drafts.push({ id: `metrics:${m}`, kind: 'metrics', inputs: Array.from({ length: folds }, (_, f) => `predict:${m}:${f}`), config: { evaluate: evaluation, seed }, model: m });
    if (gradcam !== undefined) {
      drafts.push({ id: `gradcam:${m}`, kind: 'gradcam', inputs: [...Array.from({ length: folds }, (_, f) => `train:${m}:${f}`), 'split', ...prepIds], config: { gradcam }, model: m });
    }
  }
  drafts.push(...probeDrafts(pipeline, { folds, prepIds, seed, rel }));
  const reportInputs = ['audit', ...drafts.filter((d) => d.kind === 'metrics' || d.kind === 'gradcam' || d.kind === 'probe').map((d) => d.id)];
  drafts.push({ id: 'report', kind: 'report', inputs: reportInputs, config: { pipeline: pipeline.name, title: pipeline.title, description: pipeline.description } });
  return finish(pipeline.name, drafts, options.versions ?? currentKeyVersions());
}

/**
 * `probes { }` (docs/probes.md): `probe:source_probe` reads the split and the prepared images;
 * `periphery_only` and `lung_only` are train/predict nodes of their own (`train:periphery_only:<fold>`,
 * the same split and protocol, images masked by the lung field) summed up by `probe:<name>`,
 * which also reads the full model's metrics; `probe:gradcam_in_lungs` reads the full model's
 * trained folds.
 */
function probeDrafts(pipeline: ResolvedPipeline, at: { folds: number; prepIds: readonly string[]; seed: number; rel: (p: string) => string }): Draft[] {
  const main = pipeline.models[0];
  if (pipeline.probes === undefined || main === undefined) return [];
  const { folds, prepIds, seed } = at;
  // A declared lung field is part of the masked and GradCAM nodes' keys (the default adds nothing).
  const declared = pipeline.lungField;
  const field = declared === undefined ? {} : { lungField: declared.kind === 'masks' ? { ...declared, folder: at.rel(declared.folder) } : declared };
  // The random streams see a mask folder without its path.
  const streamField = declared === undefined ? {} : { lungField: declared.kind === 'masks' ? { ...declared, folder: undefined } : declared };
  const out: Draft[] = [];
  for (const probe of pipeline.probes) {
    const id = `probe:${probe.name}`;
    if (probe.name === 'source_probe') {
      out.push({ id, kind: 'probe', inputs: ['split', ...prepIds], config: { probe: probe.name, settings: probe.settings, seed } });
    } else if (probe.name === 'gradcam_in_lungs') {
      out.push({ id, kind: 'probe', inputs: [...Array.from({ length: folds }, (_, f) => `train:${main.name}:${f}`), 'split', ...prepIds], config: { probe: probe.name, settings: probe.settings, seed, ...field }, streamConfig: { probe: probe.name, settings: probe.settings, seed, ...streamField }, model: main.name });
    } else {
      const model = probe.model ?? main;
      const mask = probe.name === 'periphery_only' ? 'periphery' : 'lung';
      const epochs = typeof probe.settings['epochs'] === 'number' ? probe.settings['epochs'] : pipeline.train.epochs;
      // `folds N`: only the first N folds of the split (a cheaper probe); the full model is compared on the same folds.
      const probeFolds = typeof probe.settings['folds'] === 'number' ? Math.min(folds, probe.settings['folds']) : folds;
      for (let fold = 0; fold < probeFolds; fold++) {
        out.push({
          id: `train:${probe.name}:${fold}`,
          kind: 'train',
          inputs: ['split', ...prepIds],
          config: { probe: probe.name, mask, model: modelConfig(model, at.rel), train: { ...pipeline.train, epochs }, augment: pipeline.augment, seed, fold, engine: pipeline.engine, ...field },
          streamConfig: { probe: probe.name, mask, model: streamModelConfig(model), train: { ...pipeline.train, epochs }, augment: pipeline.augment, seed, fold, engine: pipeline.engine, ...streamField },
          fold,
          model: probe.name,
        });
        out.push({ id: `predict:${probe.name}:${fold}`, kind: 'predict', inputs: [`train:${probe.name}:${fold}`, 'split', ...prepIds], config: { fold, probe: probe.name, mask, ...field }, streamConfig: { fold, probe: probe.name, mask, ...streamField }, fold, model: probe.name });
      }
      // The train nodes too: a probe that did not learn says so (CVR694) instead of scoring "chance".
      const own = (kind: string) => Array.from({ length: probeFolds }, (_, f) => `${kind}:${probe.name}:${f}`);
      out.push({ id, kind: 'probe', inputs: [...own('predict'), ...own('train'), 'split', `metrics:${main.name}`], config: { probe: probe.name }, model: probe.name });
    }
  }
  return out;
}

/** Topological order (ties by id, so stable) and keys computed inputs-first. */
function finish(pipeline: string, drafts: readonly Draft[], versions: KeyVersions): Plan {
  const byId = new Map(drafts.map((d) => [d.id, d]));
  const indegree = new Map(drafts.map((d) => [d.id, d.inputs.length]));
  const consumers = new Map<string, string[]>();
  for (const d of drafts) for (const input of d.inputs) consumers.set(input, [...(consumers.get(input) ?? []), d.id]);
  const ready = drafts.filter((d) => d.inputs.length === 0).map((d) => d.id).sort();
  const keys = new Map<string, string>();
  const streamKeys = new Map<string, string>();
  const nodes: PlanNode[] = [];
  while (ready.length > 0) {
    const id = ready.shift()!;
    const d = byId.get(id)!;
    const streamKey = sha256Hex(canonicalJson({ kind: d.kind, config: d.streamConfig ?? d.config, inputs: d.inputs.map((i) => streamKeys.get(i)!) }));
    const key = sha256Hex(canonicalJson({ kind: d.kind, config: d.config, inputs: d.inputs.map((i) => keys.get(i)!), cvr: versions.cvr, outputSchema: versions.outputSchema[d.kind] }));
    keys.set(id, key);
    streamKeys.set(id, streamKey);
    const node: { -readonly [K in keyof PlanNode]: PlanNode[K] } = { id, kind: d.kind, key, streamKey, inputs: d.inputs, config: JSON.parse(canonicalJson(d.config)) as Record<string, unknown> };
    if (d.fold !== undefined) node.fold = d.fold;
    if (d.model !== undefined) node.model = d.model;
    nodes.push(node);
    for (const c of consumers.get(id) ?? []) {
      const left = indegree.get(c)! - 1;
      indegree.set(c, left);
      if (left === 0) {
        ready.push(c);
        ready.sort();
      }
    }
  }
  if (nodes.length !== drafts.length) throw new Error('internal: the plan has a cycle');
  const edges = nodes.flatMap((n) => n.inputs.map((i) => [i, n.id] as const));
  return { pipeline, nodes, edges };
}

/** Where the runner keeps a node's finished output: `<cache>/nodes/<key>/`. */
export function nodeCacheDir(cacheDir: string, key: string): string {
  return `${cacheDir}/nodes/${key}`;
}
