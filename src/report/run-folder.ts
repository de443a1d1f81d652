/**
 * Reading a run folder (architecture.md): metrics.json is required; audit.json, predictions.csv,
 * events.ndjson, lock.json, pipeline.cvr and gradcam/ are used when present. Readers accept the
 * documented fields and ignore the rest, so a report can be written for older run folders too.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import type { MetricsFile } from '../evaluate/index.ts';
import { parseCsv, type SourceLedger } from '../data/index.ts';
import { readLedger } from './ledger-section.ts';

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

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * predictions.csv as either writer lays it out: evaluate's (`true`, `p_<CLASS>` columns,
 * `partition` = `test` or `test:<fold>`) or the runner's generic one (`model`, `fold`,
 * `trueIndex`, `probabilities` space-separated).
 */
export function parsePredictions(csv: string, classes: readonly string[], defaultModel: string): PredictionRecord[] {
  const rows = parseCsv(csv);
  const header = rows[0] ?? [];
  const col = (name: string): number => header.indexOf(name);
  const iModel = col('model');
  const iFold = col('fold');
  const iPartition = col('partition');
  const iSource = col('source');
  const iTrue = col('true');
  const iTrueIndex = col('trueIndex');
  const iProbs = col('probabilities');
  const pCols = classes.map((c) => col(`p_${c}`));
  const out: PredictionRecord[] = [];
  for (const row of rows.slice(1)) {
    if (row.length === 1 && row[0] === '') continue;
    const cell = (i: number): string => (i >= 0 ? (row[i] ?? '') : '');
    let fold = Number(cell(iFold));
    if (iFold < 0 || cell(iFold) === '' || !Number.isFinite(fold)) {
      const m = /:(\d+)$/.exec(cell(iPartition));
      fold = m !== null ? Number(m[1]) : 0;
    }
    const trueClass = iTrue >= 0 ? cell(iTrue) : (classes[Number(cell(iTrueIndex))] ?? '');
    const probabilities = pCols.every((i) => i >= 0)
      ? pCols.map((i) => Number(cell(i)))
      : cell(iProbs).split(/[\s;]+/).filter((s) => s !== '').map(Number);
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

export async function readRunFolder(dir: string): Promise<{ run: RunFolder } | { error: string }> {
  const metricsText = await text(join(dir, 'metrics.json'));
  if (metricsText === undefined) return { error: `${dir} has no metrics.json: is it a finished run folder? (\`cvr run\` writes it at the end of a run)` };
  const metrics = json(metricsText);
  if (!isRecord(metrics) || !isRecord(metrics['models']) || !Array.isArray(metrics['classes'])) {
    return { error: `${join(dir, 'metrics.json')} is not a cvr metrics file (it needs "classes" and "models")` };
  }
  for (const [name, model] of Object.entries(metrics['models'])) {
    if (!isRecord(model) || !Array.isArray(model['folds']) || !isRecord(model['summary']) || !isRecord(model['summary']['accuracy'])) {
      return { error: `${join(dir, 'metrics.json')}: model "${name}" has no folds or summary (was the run interrupted?)` };
    }
  }
  const m = metrics as unknown as MetricsFile;
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
