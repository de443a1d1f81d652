/** The report's blocks for the evidence of evidence.ts: header facts, findings, curves, tables. */
import type { ModelMetrics } from '../evaluate/index.ts';
import type { Block } from './document.ts';
import { bootstrapAuc, calibration, oneClassPrediction, precisionRecall, sourceRates, tInterval } from './evidence.ts';
import { lineChart, type Series } from './plot/svg.ts';
import type { RunFolder } from './run-folder.ts';

const f4 = (x: number | undefined): string => (x === undefined || !Number.isFinite(x) ? 'n/a' : x.toFixed(4));
const pct = (x: number): string => `${(100 * x).toFixed(1)} %`;
const safe = (name: string): string => name.replace(/[^A-Za-z0-9_-]+/g, '_');
/** Bootstrap resamples for the AUC intervals; fixed so a report is the same on every machine. */
export const AUC_RESAMPLES = 500;

function durationText(ms: number): string {
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  return m < 60 ? `${m} min ${s % 60} s` : `${Math.floor(m / 60)} h ${m % 60} min`;
}

/** Date, cvr's version, duration, engine and host of the run, as lock.json and events.ndjson say them. */
export function runFactsLine(run: RunFolder): string {
  const lock = run.lock ?? {};
  const versions = (lock['versions'] ?? {}) as Record<string, unknown>;
  const parts = [
    typeof lock['startedAt'] === 'string' ? `run ${lock['startedAt'].replace('T', ' ').replace(/\.\d+Z$/, ' UTC')}` : undefined,
    run.durationMs !== undefined ? `took ${durationText(run.durationMs)}` : undefined,
    typeof versions['cvr'] === 'string' ? `cvr ${versions['cvr']}` : undefined,
    typeof versions['node'] === 'string' ? `Node ${versions['node']}` : undefined,
    `engine \`${run.metrics.engine}\``,
    typeof lock['host'] === 'string' ? `on host \`${lock['host']}\`` : undefined,
  ];
  return `${parts.filter((p) => p !== undefined).join(' · ')}.`;
}

/** The source-only rule's row of the results table, beside the models. */
export function baselineRow(run: RunFolder, columns: number): string[] {
  const base = run.audit?.sourceOnlyBaseline ?? run.metrics.audit.sourceOnlyBaseline;
  const folds = run.audit?.baselineFolds?.length;
  return ['source-only rule (audit)', folds === undefined ? '' : String(folds), f4(base), ...Array.from({ length: columns - 3 }, () => '')];
}

/** 95 % t-interval of the k-fold mean accuracy, or the bootstrap interval of a single test set. */
export function accuracyInterval(model: ModelMetrics): string {
  const k = model.folds.length;
  const t = tInterval(model.summary.accuracy, k);
  if (t !== undefined) return `${f4(t.low)} – ${f4(t.high)} (t, ${k} folds)`;
  const b = model.folds[0]?.bootstrap?.['accuracy'];
  return b === undefined ? 'n/a' : `${f4(b.low)} – ${f4(b.high)} (bootstrap)`;
}

/** A finding per model that predicts one class for (almost) every test image. */
export function oneClassBlocks(run: RunFolder): Block[] {
  const items = Object.entries(run.metrics.models).flatMap(([name, model]) => {
    const f = oneClassPrediction(name, model, run.metrics.classes);
    if (f === undefined) return [];
    return [
      `**warning** \`${name}\` predicts ${f.className} for ${f.predicted} of ${f.images} test images (${pct(f.predicted / f.images)}): its accuracy is the share of ${f.className} in the test set, not evidence that it tells the classes apart.`,
    ];
  });
  return items.length === 0 ? [] : [{ kind: 'list', items }];
}

/** AUC with bootstrap intervals, precision-recall curves and calibration of one model. */
export function modelEvidenceBlocks(run: RunFolder, name: string, seed: number): Block[] {
  const classes = run.metrics.classes;
  const preds = run.predictions.filter((p) => p.model === name);
  if (preds.length === 0) return [];
  const out: Block[] = [];
  // In a binary task the two one-vs-rest curves mirror each other: the positive class only.
  const shown = classes.map((c, i) => ({ c, i })).filter(({ i }) => classes.length !== 2 || i === 1);

  const rows = shown.flatMap(({ c, i }) => {
    const b = bootstrapAuc(preds, i, c, AUC_RESAMPLES, seed);
    const pr = precisionRecall(preds.map((p) => p.probabilities[i] ?? 0), preds.map((p) => p.trueClass === c));
    return b === undefined ? [] : [[c, f4(b.auc), `${f4(b.low)} – ${f4(b.high)}`, f4(pr?.averagePrecision)]];
  });
  out.push({ kind: 'heading', level: 3, text: 'AUC intervals and precision-recall' });
  if (rows.length > 0) {
    out.push({ kind: 'table', header: ['Class', 'AUC', `95 % bootstrap interval (${AUC_RESAMPLES} resamples)`, 'Average precision'], rows, numeric: [false, true, true, true] });
  }
  const series: Series[] = shown.flatMap(({ c, i }) => {
    const pr = precisionRecall(preds.map((p) => p.probabilities[i] ?? 0), preds.map((p) => p.trueClass === c));
    return pr === undefined ? [] : [{ name: `${c} (AP ${pr.averagePrecision.toFixed(3)})`, points: pr.points, color: i }];
  });
  if (series.length > 0) {
    out.push({
      kind: 'plot',
      file: `plots/pr-${safe(name)}.png`,
      alt: `precision-recall curves of ${name}`,
      svg: lineChart({ title: `Precision-recall — ${name}`, xLabel: 'recall', yLabel: 'precision', series, x: [0, 1], y: [0, 1] }),
    });
  }

  const cal = calibration(preds, classes);
  if (cal !== undefined) {
    out.push({ kind: 'heading', level: 3, text: 'Calibration' });
    out.push({
      kind: 'paragraph',
      text: `Expected calibration error (top label, 10 bins): **${f4(cal.ece)}**. A well-calibrated model's points lie on the diagonal: among images it gives 80 % confidence, 80 % are right.`,
    });
    out.push({
      kind: 'plot',
      file: `plots/calibration-${safe(name)}.png`,
      alt: `reliability diagram of ${name}`,
      svg: lineChart({ title: `Reliability — ${name}`, xLabel: 'confidence of the predicted class', yLabel: 'accuracy', series: [{ name: `ECE ${cal.ece.toFixed(3)}`, points: cal.bins.map((b) => [b.confidence, b.accuracy] as [number, number]) }], x: [0, 1], y: [0, 1], diagonal: true }),
    });
  }

  const rates = sourceRates(preds, classes);
  if (new Set(rates.map((r) => r.source)).size > 0 && rates.some((r) => r.source !== '')) {
    out.push({ kind: 'heading', level: 3, text: 'Sensitivity and specificity per test source' });
    out.push({
      kind: 'table',
      header: ['Source', 'Class', 'Sensitivity', 'Specificity', 'Images of the class', 'Other images'],
      rows: rates.map((r) => [r.source, r.className, f4(r.sensitivity), f4(r.specificity), String(r.positives), String(r.negatives)]),
      numeric: [false, false, true, true, true, true],
    });
  }
  return out;
}
