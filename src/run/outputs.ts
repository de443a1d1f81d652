/**
 * What the runner reads from node outputs to write the run folder (cli.md). The handlers own
 * their outputs; these readers accept the documented fields and ignore the rest:
 * - `audit`: `{ sourceOnlyBaseline, cramersV, independent, findings[], … }` (written as audit.json);
 * - `metrics:<model>`: a `ModelMetrics` of `evaluate/types.ts`;
 * - `predict:<model>:<fold>`: `{ predictions: [{ id, image, source, trueIndex, probabilities, partition }] }`
 *   (evaluate's PredictionRow; predictions.csv gets evaluate's columns with a leading `model`).
 */
import { csvField, isRecord } from '../data/index.ts';
import type { FoldMetrics, MeanStd, MetricsFile, ModelMetrics } from '../evaluate/index.ts';
import type { AuditEvent, SummaryEvent } from './events.ts';
import { meanStd, predictionsCsv as evaluatePredictionsCsv, type PredictionRow } from '../evaluate/index.ts';

export interface AuditSummary {
  readonly sourceOnlyBaseline: number;
  readonly cramersV: number;
  readonly independent: boolean;
  readonly findings: AuditEvent['findings'];
}

export function readAudit(output: unknown): AuditSummary | undefined {
  if (!isRecord(output) || typeof output['sourceOnlyBaseline'] !== 'number') return undefined;
  const findings = Array.isArray(output['findings']) ? output['findings'] : [];
  return {
    sourceOnlyBaseline: output['sourceOnlyBaseline'],
    cramersV: typeof output['cramersV'] === 'number' ? output['cramersV'] : Number.NaN,
    independent: output['independent'] === true,
    findings: findings.filter(isRecord).map((f) => ({
      code: String(f['code'] ?? ''),
      severity: String(f['severity'] ?? 'info'),
      message: String(f['message'] ?? ''),
    })),
  };
}

export function readModelMetrics(output: unknown): ModelMetrics | undefined {
  if (!isRecord(output) || !Array.isArray(output['folds'])) return undefined;
  return output as unknown as ModelMetrics;
}

/** A row of predictions.csv: a predict node's row with its model. */
export type ModelPredictionRow = PredictionRow & { readonly model: string };

const isPredictionRow = (row: unknown): row is PredictionRow =>
  isRecord(row) && typeof row['image'] === 'string' && typeof row['trueIndex'] === 'number' && Array.isArray(row['probabilities']);

export function readPredictions(output: unknown): readonly PredictionRow[] {
  if (!isRecord(output) || !Array.isArray(output['predictions'])) return [];
  return output['predictions'].filter(isPredictionRow);
}

export function buildMetricsFile(args: {
  pipeline: string;
  engine: string;
  seed: number;
  classes: readonly string[];
  models: Readonly<Record<string, ModelMetrics>>;
  audit: AuditSummary | undefined;
}): MetricsFile {
  return {
    pipeline: args.pipeline,
    engine: args.engine,
    seed: args.seed,
    classes: args.classes,
    models: args.models,
    audit: { sourceOnlyBaseline: args.audit?.sourceOnlyBaseline ?? Number.NaN, independent: args.audit?.independent ?? false },
  };
}

export function summaryOf(metrics: MetricsFile, t: number): SummaryEvent {
  const models: Record<string, SummaryEvent['models'][string]> = {};
  for (const [name, model] of Object.entries(metrics.models)) {
    const perClass: Record<string, SummaryEvent['models'][string]['perClass'][string]> = {};
    for (const cls of metrics.classes) {
      const of = (pick: (f: FoldMetrics) => number | undefined): MeanStd =>
        meanStd(model.folds.map(pick).filter((v): v is number => typeof v === 'number'));
      perClass[cls] = {
        precision: of((f) => f.perClass[cls]?.precision),
        recall: of((f) => f.perClass[cls]?.recall),
        f1: of((f) => f.perClass[cls]?.f1),
      };
    }
    const size = metrics.classes.length;
    const confusion = Array.from({ length: size }, (_, r) =>
      Array.from({ length: size }, (_, c) => model.folds.reduce((sum, f) => sum + (f.confusion[r]?.[c] ?? 0), 0)),
    );
    models[name] = {
      folds: model.folds.length,
      accuracy: model.summary.accuracy,
      macroF1: model.summary.macroF1,
      perClass,
      confusion,
    };
  }
  return { type: 'summary', t, classes: metrics.classes, models, audit: metrics.audit };
}

/** predictions.csv: evaluate's format (image, source, partition, true, predicted, p_<class>…) with a leading `model` column. */
export function predictionsCsv(rows: readonly ModelPredictionRow[], classes: readonly string[]): string {
  const header = evaluatePredictionsCsv([], classes).trimEnd();
  const out = [`model,${header}`];
  for (const model of [...new Set(rows.map((row) => row.model))]) {
    const lines = evaluatePredictionsCsv(rows.filter((row) => row.model === model), classes).trimEnd().split('\n');
    out.push(...lines.slice(1).map((line) => `${csvField(model)},${line}`));
  }
  return `${out.join('\n')}\n`;
}
