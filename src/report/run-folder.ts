/**
 * Reading a run folder (architecture.md): metrics.json is required; audit.json, predictions.csv,
 * events.ndjson, lock.json, pipeline.cvr and gradcam/ are used when present. Readers accept the
 * documented fields and ignore the rest, so a report can be written for older run folders too.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import type { MetricsFile } from '../evaluate/index.ts';
import { isRecord, parseCsv, type SourceLedger } from '../data/index.ts';
import { readLedger } from './ledger-section.ts';
import { diagnostic, type Diagnostic } from '../diag/index.ts';

/** The parts of audit.json (plan/audit.ts's AuditReport) the report shows. */
export interface AuditJson {
  readonly split?: string;
  readonly counts?: readonly { readonly source: string; readonly class: string; readonly partition: string; readonly n: number }[];
  readonly sourceOnlyBaseline: number;
  readonly baselineFolds?: readonly { readonly fold: string; readonly accuracy: number; readonly testImages: number }[];
  readonly cramersV?: number;
  readonly independent: boolean;
  readonly classSources?: Readonly<Record<string, readonly string[]>>;
  readonly findings?: readonly { readonly code: string; readonly severity: string; readonly message: string; readonly hint?: string }[];
  /** Per source, what was read and where it went (absent in older run folders). */
  readonly ledger?: readonly SourceLedger[];
  /** The top near-duplicate pairs, thumbnails side by side as base64 PNG (docs/dedupe.md). */
  readonly nearDuplicates?: readonly { readonly a: string; readonly b: string; readonly similarity: number; readonly kind: string; readonly png: string }[];
}

/** One scored test image. */
export interface PredictionRecord {
  readonly model: string;
  readonly fold: number;
  readonly source: string;
  readonly trueClass: string;
  /** In task-class order. */
  readonly probabilities: readonly number[];
}

/** One epoch's logs of one training node. */
export interface EpochRecord {
  readonly model: string;
  readonly fold: number;
  readonly epoch: number;
  readonly logs: Readonly<Record<string, number>>;
}

export interface GradcamImage {
  /** Relative to the run folder. */
  readonly path: string;
  readonly model: string;
  readonly target: string;
  readonly bytes: Buffer;
}

export interface RunFolder {
  readonly dir: string;
  readonly metrics: MetricsFile;
  readonly audit?: AuditJson;
  readonly predictions: readonly PredictionRecord[];
  readonly epochs: readonly EpochRecord[];
  readonly lock?: Readonly<Record<string, unknown>>;
  readonly pipelineText?: string;
  readonly gradcam: readonly GradcamImage[];
  /** The run's wall time, from the `run-done` event of events.ndjson. */
  readonly durationMs?: number;
}

async function text(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch {
    return undefined;
  }
}

function json(textValue: string | undefined): unknown {
  if (textValue === undefined) return undefined;
  try {
    return JSON.parse(textValue) as unknown;
  } catch {
    return undefined;
  }
}

/**
 * predictions.csv in evaluate's layout (`true`, `p_<CLASS>` columns, `partition` = `test` or
 * `test:<fold>`), with the runner's leading `model` column or without it (one model).
 */
export function parsePredictions(csv: string, classes: readonly string[], defaultModel: string): PredictionRecord[] {
  const rows = parseCsv(csv);
  const header = rows[0] ?? [];
  const col = (name: string): number => header.indexOf(name);
  const iModel = col('model');
  const iPartition = col('partition');
  const iSource = col('source');
  const iTrue = col('true');
  const pCols = classes.map((c) => col(`p_${c}`));
  const out: PredictionRecord[] = [];
  for (const row of rows.slice(1)) {
    if (row.length === 1 && row[0] === '') continue;
    const cell = (i: number): string => (i >= 0 ? (row[i] ?? '') : '');
    const m = /:(\d+)$/.exec(cell(iPartition));
    const fold = m !== null ? Number(m[1]) : 0;
    const trueClass = cell(iTrue);
    const probabilities = pCols.every((i) => i >= 0) ? pCols.map((i) => Number(cell(i))) : [];
    if (!classes.includes(trueClass) || probabilities.length !== classes.length || probabilities.some((p) => !Number.isFinite(p))) continue;
    out.push({ model: iModel >= 0 && cell(iModel) !== '' ? cell(iModel) : defaultModel, fold, source: cell(iSource), trueClass, probabilities });
  }
  return out;
}

/** `epoch` events of events.ndjson, in file order. */
export function parseEpochs(ndjson: string): EpochRecord[] {
  const out: EpochRecord[] = [];
  for (const line of ndjson.split('\n')) {
    if (line.trim() === '') continue;
    const event = json(line);
    if (!isRecord(event) || event['type'] !== 'epoch' || !isRecord(event['logs'])) continue;
    const logs: Record<string, number> = {};
    for (const [k, v] of Object.entries(event['logs'])) if (typeof v === 'number') logs[k] = v;
    out.push({ model: String(event['model'] ?? ''), fold: Number(event['fold'] ?? 0), epoch: Number(event['epoch'] ?? out.length + 1), logs });
  }
  return out;
}

/** The `ms` of the last `run-done` event (a resumed run appends a new one). */
export function parseDuration(ndjson: string): number | undefined {
  let ms: number | undefined;
  for (const line of ndjson.split('\n')) {
    if (!line.includes('"run-done"')) continue;
    const event = json(line);
    if (isRecord(event) && event['type'] === 'run-done' && typeof event['ms'] === 'number') ms = event['ms'];
  }
  return ms;
}

async function gradcamImages(dir: string): Promise<GradcamImage[]> {
  const root = join(dir, 'gradcam');
  let entries: string[];
  try {
    entries = (await readdir(root, { recursive: true })).map(String);
  } catch {
    return [];
  }
  const out: GradcamImage[] = [];
  for (const entry of entries.filter((e) => e.toLowerCase().endsWith('.png')).sort()) {
    const parts = entry.split(/[\\/]/);
    const path = join(root, entry);
    out.push({ path: relative(dir, path), model: parts.length > 1 ? (parts[0] ?? '') : '', target: parts.length > 2 ? (parts[1] ?? '') : '', bytes: await readFile(path) });
  }
  return out;
}

/**
 * metrics.json of a run folder, checked for what the report and the diff read; a coded diagnostic
 * (CVR901–903) naming the file when it is missing, not a metrics file, or from a run that did not finish.
 */
export async function readMetricsFile(dir: string): Promise<{ metrics: MetricsFile } | { diagnostic: Diagnostic }> {
  const file = join(dir, 'metrics.json');
  const metricsText = await text(file);
  if (metricsText === undefined) {
    return { diagnostic: diagnostic('CVR901', 'has no metrics.json: it is not a finished run folder', { file: dir, hint: '`cvr run` writes metrics.json when the run ends; point at a folder under runs/<pipeline>/' }) };
  }
  const metrics = json(metricsText);
  if (!isRecord(metrics) || !isRecord(metrics['models']) || !Array.isArray(metrics['classes'])) {
    const why = metrics === undefined ? 'it is not valid JSON' : 'it has no "classes" and "models"';
    return { diagnostic: diagnostic('CVR902', `not a cvr metrics file: ${why}`, { file, hint: 'was it edited by hand? rerun `cvr run` on the pipeline: finished nodes come from the cache' }) };
  }
  for (const [name, model] of Object.entries(metrics['models'])) {
    if (!isRecord(model) || !Array.isArray(model['folds']) || !isRecord(model['summary']) || !isRecord(model['summary']['accuracy'])) {
      return { diagnostic: diagnostic('CVR903', `model "${name}" has no folds or summary: the run did not finish`, { file, hint: 'rerun `cvr run`: it resumes from the cache and rewrites metrics.json' }) };
    }
  }
  return { metrics: metrics as unknown as MetricsFile };
}

export async function readRunFolder(dir: string): Promise<{ run: RunFolder } | { diagnostic: Diagnostic }> {
  const read = await readMetricsFile(dir);
  if ('diagnostic' in read) return read;
  const m = read.metrics;
  const auditValue = json(await text(join(dir, 'audit.json')));
  const ledger = isRecord(auditValue) ? readLedger(auditValue['ledger']) : undefined;
  let audit: AuditJson | undefined;
  if (isRecord(auditValue) && typeof auditValue['sourceOnlyBaseline'] === 'number') {
    // A ledger of another shape is left out rather than shown wrong.
    const { ledger: _stored, ...rest } = auditValue;
    audit = { ...(rest as unknown as AuditJson), ...(ledger === undefined ? {} : { ledger }) };
  }
  const predictionsText = await text(join(dir, 'predictions.csv'));
  const onlyModel = Object.keys(m.models).length === 1 ? (Object.keys(m.models)[0] ?? '') : '';
  const lockValue = json(await text(join(dir, 'lock.json')));
  const pipelineText = await text(join(dir, 'pipeline.cvr'));
  const events = (await text(join(dir, 'events.ndjson'))) ?? '';
  const durationMs = parseDuration(events);
  return {
    run: {
      dir,
      metrics: m,
      ...(audit !== undefined && { audit }),
      predictions: predictionsText !== undefined ? parsePredictions(predictionsText, m.classes, onlyModel) : [],
      epochs: parseEpochs(events),
      ...(durationMs !== undefined && { durationMs }),
      ...(isRecord(lockValue) && { lock: lockValue }),
      ...(pipelineText !== undefined && { pipelineText }),
      gradcam: await gradcamImages(dir),
    },
  };
}
