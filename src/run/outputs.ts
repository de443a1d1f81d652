/**
 * What the runner reads from node outputs to write the run folder (cli.md). The handlers own
 * their outputs; these readers accept the documented fields and ignore the rest:
 * - `audit`: `{ sourceOnlyBaseline, cramersV, independent, findings[], … }` (written as audit.json);
 * - `metrics:<model>`: a `ModelMetrics` of `evaluate/types.ts`;
 * - `predict:<model>:<fold>`: `{ predictions: [{ id, image, source, trueIndex, probabilities, partition }] }`
 *   (evaluate's PredictionRow; predictions.csv gets evaluate's columns with a leading `model`).
 */
import { csvField, isRecord } from '../data/index.ts';
import type { FoldMetrics, MeanStd, MetricsFile, ModelMetrics, ProbeFinding, ProbesMetrics } from '../evaluate/index.ts';
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
  probes?: ProbesMetrics | undefined;
}): MetricsFile {
  return {
    pipeline: args.pipeline,
    engine: args.engine,
    seed: args.seed,
    classes: args.classes,
    models: args.models,
    audit: { sourceOnlyBaseline: args.audit?.sourceOnlyBaseline ?? Number.NaN, independent: args.audit?.independent ?? false },
    ...(args.probes !== undefined && Object.keys(args.probes).length > 0 && { probes: args.probes }),
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

function readFindings(value: unknown): ProbeFinding[] {
  if (!Array.isArray(value)) return [];
  return value.filter(isRecord).map((f) => ({
    code: String(f['code'] ?? ''),
    severity: String(f['severity'] ?? 'warning'),
    message: String(f['message'] ?? ''),
    ...(typeof f['hint'] === 'string' && { hint: f['hint'] }),
  }));
}

const num = (v: unknown): number => (typeof v === 'number' ? v : Number.NaN);

/** The metrics.json entry of a `probe:<name>` node's output (docs/probes.md), or undefined. */
export function readProbe(name: string, output: unknown): Partial<ProbesMetrics> | undefined {
  if (!isRecord(output)) return undefined;
  const findings = readFindings(output['findings']);
  switch (name) {
    case 'source_probe': {
      const within = isRecord(output['withinClass']) ? output['withinClass'] : {};
      const withinClass = Object.fromEntries(Object.entries(within).filter(([, v]) => isRecord(v)).map(([cls, v]) => {
        const r = v as Record<string, unknown>;
        return [cls, { accuracy: num(r['accuracy']), majorityRate: num(r['majorityRate']), ...(Array.isArray(r['sources']) && { sources: r['sources'].map(String) }) }];
      }));
      return { source_probe: { accuracy: num(output['accuracy']), balancedAccuracy: num(output['balancedAccuracy']), majorityRate: num(output['majorityRate']), withinClass, ...(Array.isArray(output['sources']) && { sources: output['sources'].map(String) }), findings } };
    }
    case 'periphery_only':
    case 'lung_only':
      return { [name]: { accuracy: num(output['accuracy']), prior: num(output['prior']), ...(typeof output['fullModel'] === 'number' && { fullModel: output['fullModel'] }), findings } };
    case 'gradcam_in_lungs': {
      const groups = isRecord(output['groups']) ? output['groups'] : {};
      return {
        gradcam_in_lungs: {
          share: num(output['share']),
          areaShare: num(output['areaShare']),
          low: num(output['low']),
          high: num(output['high']),
          groups: Object.fromEntries(Object.entries(groups).filter(([, v]) => isRecord(v)).map(([k, v]) => {
            const r = v as Record<string, unknown>;
            return [k, { share: num(r['share']), low: num(r['low']), high: num(r['high']), n: num(r['n']) }];
          })),
          findings,
        },
      };
    }
    default:
      return undefined;
  }
}
