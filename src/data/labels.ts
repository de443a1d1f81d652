/**
 * Label mapping: native label → class (the source's `map`) → task class. A mapped class lands
 * in the task class whose leaves contain all of its leaves; a class that overlaps the task but
 * fits in no single task class is too coarse (NCV in `NOR vs NCP vs CVP`); a class disjoint from
 * every task class is outside the task.
 */
import type { Diagnostic } from '../diag/index.ts';
import type { ClassTable, ResolvedPipeline } from '../dsl/index.ts';
import { diagnostic, firstFew } from '../diag/index.ts';
import type { LedgerBook, LedgerLineName } from './ledger.ts';
import { compileRules, mapNative } from './label-rules.ts';
import type { LabeledImage, ScannedImage } from './types.ts';

export type LabelOutcome = 'kept' | 'dropped' | 'outside-task' | 'coarse-dropped' | 'coarse-error' | 'unmapped' | 'conflicting';

/** The ledger line of each outcome (an unmapped label is an error, and counted as dropped). */
export const OUTCOME_LINE: Readonly<Record<LabelOutcome, LedgerLineName>> = {
  kept: 'used',
  dropped: 'dropped',
  'outside-task': 'outside the task',
  'coarse-dropped': 'too coarse',
  'coarse-error': 'too coarse',
  unmapped: 'dropped',
  conflicting: 'conflicting',
};

/** One line of the mapping report: how many images of one native label went where. */
export interface LabelMappingRow {
  readonly source: string;
  readonly nativeLabel: string;
  /** The class the map names (null: `drop`, undefined: unmapped). */
  readonly mappedTo: string | null | undefined;
  /** The task class the images landed in, when kept. */
  readonly taskClass?: string;
  readonly outcome: LabelOutcome;
  readonly count: number;
}

export interface LabelResult {
  readonly images: readonly LabeledImage[];
  readonly mapping: readonly LabelMappingRow[];
  readonly diagnostics: readonly Diagnostic[];
}

/** For each class name: the task class it lands in, or why it does not. */
export function taskClassOf(classes: ClassTable, task: readonly string[], className: string): { taskClass: string } | { outcome: 'outside-task' | 'coarse' } {
  const leavesOf = (name: string): readonly string[] => classes.classes.find((c) => c.name === name)?.leaves ?? [name];
  const leaves = leavesOf(className);
  let overlaps = false;
  for (const t of task) {
    const taskLeaves = new Set(leavesOf(t));
    const inside = leaves.filter((l) => taskLeaves.has(l)).length;
    if (inside === leaves.length && leaves.length > 0) return { taskClass: t };
    if (inside > 0) overlaps = true;
  }
  return { outcome: overlaps ? 'coarse' : 'outside-task' };
}

export function mapLabels(pipeline: ResolvedPipeline, scanned: readonly ScannedImage[], ledger?: LedgerBook): LabelResult {
  const diagnostics: Diagnostic[] = [];
  const images: LabeledImage[] = [];
  const counts = new Map<string, { source: string; nativeLabel: string; separator: string | undefined; count: number }>();
  for (const image of scanned) {
    const key = `${image.source}\u0000${image.labelSeparator ?? ''}\u0000${image.nativeLabel}`;
    const entry = counts.get(key);
    if (entry === undefined) counts.set(key, { source: image.source, nativeLabel: image.nativeLabel, separator: image.labelSeparator, count: 1 });
    else entry.count++;
  }
  const sources = new Map(pipeline.sources.map((s) => [s.name, s]));
  const rules = new Map(pipeline.sources.map((s) => [s.name, compileRules(s)]));
  const rows = new Map<string, LabelMappingRow>();
  const unmappedValues = new Map<LabelMappingRow, readonly string[]>();
  for (const [key, { source, nativeLabel, separator, count }] of counts) {
    const declared = sources.get(source);
    const mapped = mapNative(rules.get(source), pipeline.classes, nativeLabel, separator);
    const mappedTo = mapped.kind === 'class' ? mapped.className : mapped.kind === 'drop' ? null : undefined;
    let row: LabelMappingRow;
    if (mapped.kind === 'unmapped') {
      row = { source, nativeLabel, mappedTo, outcome: 'unmapped', count };
      unmappedValues.set(row, mapped.values);
    } else if (mapped.kind === 'conflicting') row = { source, nativeLabel, mappedTo: undefined, outcome: 'conflicting', count };
    else if (mappedTo === null || mappedTo === undefined) row = { source, nativeLabel, mappedTo: null, outcome: 'dropped', count };
    else {
      const landing = taskClassOf(pipeline.classes, pipeline.task.classes, mappedTo);
      if ('taskClass' in landing) row = { source, nativeLabel, mappedTo, taskClass: landing.taskClass, outcome: 'kept', count };
      else if (landing.outcome === 'outside-task') row = { source, nativeLabel, mappedTo, outcome: 'outside-task', count };
      else row = { source, nativeLabel, mappedTo, outcome: declared?.coarse === 'drop' ? 'coarse-dropped' : 'coarse-error', count };
    }
    rows.set(key, row);
  }
  for (const image of scanned) {
    const row = rows.get(`${image.source}\u0000${image.labelSeparator ?? ''}\u0000${image.nativeLabel}`);
    if (row !== undefined && row.outcome !== 'kept') ledger?.move(image.source, 'used', OUTCOME_LINE[row.outcome], 1, `${image.row === undefined ? image.id : `${image.row}: ${image.id}`} (${JSON.stringify(image.nativeLabel)})`);
    if (row?.taskClass === undefined) continue;
    const labeled: { -readonly [K in keyof LabeledImage]: LabeledImage[K] } = { source: image.source, id: image.id, absPath: image.absPath, nativeLabel: image.nativeLabel, taskClass: row.taskClass };
    if (image.patient !== undefined) labeled.patient = image.patient;
    if (image.partition !== undefined) labeled.partition = image.partition;
    images.push(labeled);
  }
  const mapping = [...rows.values()].sort((a, b) => cmp(a.source, b.source) || cmp(a.nativeLabel, b.nativeLabel));
  for (const row of mapping) {
    const span = pipeline.spans[`source:${row.source}`];
    const data = { source: row.source, label: row.nativeLabel, count: row.count, class: row.mappedTo ?? null };
    if (row.outcome === 'unmapped') {
      const known = Object.keys(sources.get(row.source)?.map ?? {});
      const values = [...new Set(unmappedValues.get(row) ?? [row.nativeLabel])];
      const label = values.length === 1 && values[0] === row.nativeLabel ? JSON.stringify(row.nativeLabel) : `${values.map((v) => JSON.stringify(v)).join(', ')} (in ${JSON.stringify(row.nativeLabel)})`;
      const first = values[0] ?? row.nativeLabel;
      diagnostics.push(
        diagnostic('CVR505', `source "${row.source}": native label ${label} (${row.count} image${row.count === 1 ? '' : 's'}) is not mapped`, {
          span,
          data: { ...data, values },
          hint: `add \`${JSON.stringify(first)} -> CLASS\` or \`${JSON.stringify(first)} -> drop\` (or \`other -> drop\`) to the source's map${known.length > 0 ? ` (it maps ${known.map((k) => JSON.stringify(k)).join(', ')})` : ''}`,
        }),
      );
    } else if (row.outcome === 'conflicting') {
      continue;
    } else if (row.outcome === 'coarse-error') {
      diagnostics.push(
        diagnostic('CVR506', `source "${row.source}": ${row.count} image(s) labelled ${JSON.stringify(row.nativeLabel)} → ${row.mappedTo} are too coarse for the task ${pipeline.task.classes.join(' vs ')}`, {
          span,
          data,
          hint: `${row.mappedTo} spans several task classes; say \`coarse drop\` in the source to leave them out, or map the label to a finer class`,
        }),
      );
    } else if (row.outcome !== 'kept') {
      const why = row.outcome === 'dropped' ? 'dropped by the map' : row.outcome === 'outside-task' ? `class ${row.mappedTo} is outside the task` : `class ${row.mappedTo} is too coarse for the task (coarse drop)`;
      diagnostics.push(diagnostic('CVR507', `source "${row.source}": ${row.count} image(s) labelled ${JSON.stringify(row.nativeLabel)} left out: ${why}`, { span, data: { ...data, reason: row.outcome } }));
    }
  }
  const conflicting = mapping.filter((r) => r.outcome === 'conflicting');
  for (const source of new Set(conflicting.map((r) => r.source))) {
    const mine = conflicting.filter((r) => r.source === source);
    const n = mine.reduce((a, r) => a + r.count, 0);
    diagnostics.push(
      diagnostic('CVR527', `source "${source}": ${n} image(s) have labels whose values map to different classes and are dropped as conflicting: ${firstFew(mine.map((r) => `${r.nativeLabel} (${r.count})`), 4)}`, {
        span: pipeline.spans[`source:${source}`],
        data: { source, count: n, labels: mine.slice(0, 10).map((r) => ({ label: r.nativeLabel, count: r.count })) },
        hint: 'map the values so that at most one class (or one chain, like OBP inside NCP) remains, or drop one of them',
      }),
    );
  }
  for (const source of pipeline.sources) {
    if (!images.some((i) => i.source === source.name) && scanned.some((i) => i.source === source.name)) {
      diagnostics.push(
        diagnostic('CVR509', `source "${source.name}" contributes no images to the task ${pipeline.task.classes.join(' vs ')}`, {
          span: pipeline.spans[`source:${source.name}`],
          data: { source: source.name },
          hint: 'map its labels to task classes, or remove the source',
        }),
      );
    }
  }
  return { images, mapping, diagnostics };
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
