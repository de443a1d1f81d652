/** Programmatically built ResolvedPipelines for data/ and plan/ tests (no parser involved). */
import type { ClassTable, ResolvedPipeline, ResolvedSource, ResolvedSplit } from '../../src/dsl/resolved.ts';

export const COVID_CLASSES: ClassTable = {
  classes: [
    { name: 'NOR', leaves: ['NOR'], isUnion: false },
    { name: 'OBP', leaves: ['OBP'], isUnion: false },
    { name: 'OVP', leaves: ['OVP'], isUnion: false },
    { name: 'CVP', leaves: ['CVP'], isUnion: false },
    { name: 'NCP', leaves: ['OBP', 'OVP'], isUnion: true },
    { name: 'NCV', leaves: ['NOR', 'OBP', 'OVP'], isUnion: true },
  ],
};

export const NO_VALIDATION = { fraction: 0, stratified: false, fromTest: false } as const;

export function folderSource(name: string, dir: string, map: Record<string, string | null>, extra: Partial<ResolvedSource> = {}): ResolvedSource {
  return { name, locations: [{ kind: 'folder', dir }], map, coarse: 'error', ...extra };
}

export function pipelineFixture(parts: {
  readonly sources: readonly ResolvedSource[];
  readonly task: readonly string[];
  readonly split: ResolvedSplit;
  readonly seed?: number;
  readonly name?: string;
  readonly file?: string;
}): ResolvedPipeline {
  return {
    name: parts.name ?? 'fixture',
    file: parts.file ?? '/tmp/fixture.cvr',
    seed: parts.seed ?? 7,
    classes: COVID_CLASSES,
    sources: parts.sources,
    task: { classes: parts.task },
    split: parts.split,
    image: { width: 224, height: 224, resize: 'nearest', channels: 3, normalize: 'unit' },
    augment: [],
    models: [{ name: 'cvrnet', weights: 'none', width: 1, options: {} }],
    train: {
      optimizer: { name: 'adam', lr: 1e-4, params: {} },
      loss: 'categorical_crossentropy',
      classWeights: { mode: 'balanced' },
      batch: 8,
      epochs: 200,
    },
    evaluate: { metrics: ['accuracy'], confusion: true, bySource: true, bootstrap: 1000 },
    engine: 'auto',
    spans: {},
  };
}

/** Two folder sources under `<root>/data/` (cxri: NORMAL → NOR, cidc: COVID → CVP), NCV vs CVP, K folds, the file `<root>/p/a.cvr`. */
export function twoSourceKfold(root: string, k: number): ResolvedPipeline {
  return pipelineFixture({
    file: `${root}/p/a.cvr`,
    sources: [folderSource('cxri', `${root}/data/cxri`, { NORMAL: 'NOR' }), folderSource('cidc', `${root}/data/cidc`, { COVID: 'CVP' })],
    task: ['NCV', 'CVP'],
    split: { form: 'kfold', k, stratified: true, groupByPatient: false, validation: NO_VALIDATION },
  });
}
