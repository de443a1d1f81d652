/**
 * Fold aggregation (k-fold mean ± std) and seeded bootstrap intervals (holdout designs).
 */
import type { FoldMetrics, MeanStd, ModelMetrics } from './types.ts';
import type { Prediction } from './metrics.ts';
import { headline } from './metrics.ts';
import type { RandomStream } from '../engine/index.ts';

/**
 * Mean and sample standard deviation over folds (n − 1, as pandas and the runner's summary;
 * 0 for a single fold).
 */
export function meanStd(values: readonly number[]): MeanStd {
  if (values.length === 0) return { mean: Number.NaN, std: Number.NaN };
  const mean = values.reduce((s, v) => s + v, 0) / values.length;
  const variance = values.length > 1 ? values.reduce((s, v) => s + (v - mean) ** 2, 0) / (values.length - 1) : 0;
  return { mean, std: Math.sqrt(variance) };
}

/** The q-quantile (0..1) with linear interpolation between order statistics (numpy's default). */
export function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return Number.NaN;
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  const a = sorted[lo] as number;
  const b = sorted[hi] as number;
  return a + (b - a) * (pos - lo);
}

/**
 * Percentile bootstrap: `resamples` draws of the test set with replacement; the 2.5 % and
 * 97.5 % quantiles of accuracy and macro-F1.
 */
export function bootstrapIntervals(
  predictions: readonly Prediction[],
  k: number,
  resamples: number,
  random: RandomStream,
): Record<string, { low: number; high: number }> {
  const n = predictions.length;
  const acc: number[] = [];
  const f1: number[] = [];
  if (n === 0 || resamples <= 0) return {};
  for (let r = 0; r < resamples; r++) {
    const sample = Array.from({ length: n }, () => predictions[Math.floor(random.next() * n)] as Prediction);
    const h = headline(sample, k);
    acc.push(h.accuracy);
    f1.push(h.macroF1);
  }
  const interval = (xs: number[]) => {
    const s = xs.slice().sort((a, b) => a - b);
    return { low: quantile(s, 0.025), high: quantile(s, 0.975) };
  };
  return { accuracy: interval(acc), macroF1: interval(f1) };
}

/** The `models.<name>` entry of metrics.json: folds in order and their mean ± std. */
export function summarizeFolds(folds: readonly FoldMetrics[]): ModelMetrics {
  const sorted = folds.slice().sort((a, b) => a.fold - b.fold);
  const pick = (f: (m: FoldMetrics) => number) => meanStd(sorted.map(f));
  const summary: Record<string, MeanStd> = {
    accuracy: pick((m) => m.accuracy),
    macroF1: pick((m) => m.macro.f1),
    macroPrecision: pick((m) => m.macro.precision),
    macroRecall: pick((m) => m.macro.recall),
    weightedF1: pick((m) => m.weighted.f1),
  };
  const aucClasses = new Set(sorted.flatMap((m) => Object.keys(m.auc ?? {})));
  for (const c of [...aucClasses].sort()) {
    const values = sorted.flatMap((m) => (m.auc?.[c] !== undefined ? [m.auc[c] as number] : []));
    summary[`auc:${c}`] = meanStd(values);
  }
  return { folds: sorted, summary: summary as ModelMetrics['summary'] };
}
