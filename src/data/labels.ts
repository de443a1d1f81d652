/**
 * Label mapping: native label → class (the source's `map`) → task class. A mapped class lands
 * in the task class whose leaves contain all of its leaves; a class that overlaps the task but
 * fits in no single task class is too coarse (NCV in `NOR vs NCP vs CVP`); a class disjoint from
 * every task class is outside the task.
 */
import type { Diagnostic } from '../diag/index.ts';
import type { ClassTable, ResolvedPipeline } from '../dsl/index.ts';
import { diagnostic } from '../diag/index.ts';
import type { LabeledImage, ScannedImage } from './types.ts';

export type LabelOutcome = 'kept' | 'dropped' | 'outside-task' | 'coarse-dropped' | 'coarse-error' | 'unmapped';

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

export function mapLabels(pipeline: ResolvedPipeline, scanned: readonly ScannedImage[]): LabelResult {
  const diagnostics: Diagnostic[] = [];
  const images: LabeledImage[] = [];
  const counts = new Map<string, { source: string; nativeLabel: string; count: number }>();
  for (const image of scanned) {
    const key = `${image.source}\u0000${image.nativeLabel}`;
    const entry = counts.get(key);
    if (entry === undefined) counts.set(key, { source: image.source, nativeLabel: image.nativeLabel, count: 1 });
    else entry.count++;
  }
  const sources = new Map(pipeline.sources.map((s) => [s.name, s]));
  const rows = new Map<string, LabelMappingRow>();
  for (const [key, { source, nativeLabel, count }] of counts) {
    const declared = sources.get(source);
    const map = declared?.map ?? {};
    const mappedTo = Object.hasOwn(map, nativeLabel) ? map[nativeLabel] : undefined;
    let row: LabelMappingRow;
    if (mappedTo === undefined) row = { source, nativeLabel, mappedTo, outcome: 'unmapped', count };
    else if (mappedTo === null) row = { source, nativeLabel, mappedTo, outcome: 'dropped', count };
    else {
      const landing = taskClassOf(pipeline.classes, pipeline.task.classes, mappedTo);
      if ('taskClass' in landing) row = { source, nativeLabel, mappedTo, taskClass: landing.taskClass, outcome: 'kept', count };
      else if (landing.outcome === 'outside-task') row = { source, nativeLabel, mappedTo, outcome: 'outside-task', count };
      else row = { source, nativeLabel, mappedTo, outcome: declared?.coarse === 'drop' ? 'coarse-dropped' : 'coarse-error', count };
    }
    rows.set(key, row);
  }
  for (const image of scanned) {
    const row = rows.get(`${image.source}\u0000${image.nativeLabel}`);
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
      diagnostics.push(
        diagnostic('CVR505', `source "${row.source}": native label ${JSON.stringify(row.nativeLabel)} (${row.count} image${row.count === 1 ? '' : 's'}) is not mapped`, {
          span,
          data,
          hint: `add \`${JSON.stringify(row.nativeLabel)} -> CLASS\` or \`${JSON.stringify(row.nativeLabel)} -> drop\` to the source's map${known.length > 0 ? ` (it maps ${known.map((k) => JSON.stringify(k)).join(', ')})` : ''}`,
        }),
      );
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
