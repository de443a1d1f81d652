/**
 * Classification metrics over one test partition, with scikit-learn's conventions so numbers can
 * be checked against its documentation: a zero denominator gives 0 (sklearn's
 * `zero_division="warn"` behaviour), F1 is computed from the per-class precision and recall,
 * the weighted average weighs each class by its support, and one-vs-rest ROC-AUC uses average
 * ranks for ties (the trapezoidal area under the ROC curve).
 */
import type { ClassMetrics, FoldMetrics } from './types.ts';

/** One scored test image. */
export interface Prediction {
  readonly id: string;
  readonly source: string;
  /** Index into the task's classes. */
  readonly trueIndex: number;
  /** Softmax output, one entry per class in task order. */
  readonly probabilities: readonly number[];
}

export interface Averages {
  readonly precision: number;
  readonly recall: number;
  readonly f1: number;
}

/** The first index of the largest probability (ties go to the earlier class, like numpy argmax). */
export function argmax(values: readonly number[]): number {
  let best = 0;
  for (let i = 1; i < values.length; i++) if ((values[i] as number) > (values[best] as number)) best = i;
  return best;
}

export function confusionMatrix(trueIdx: readonly number[], predIdx: readonly number[], k: number): number[][] {
  const m = Array.from({ length: k }, () => new Array<number>(k).fill(0));
  trueIdx.forEach((t, i) => {
    const row = m[t];
    const p = predIdx[i] as number;
    if (row !== undefined) row[p] = (row[p] as number) + 1;
  });
  return m;
}

function safeDiv(a: number, b: number): number {
  return b === 0 ? 0 : a / b;
}

export function accuracy(trueIdx: readonly number[], predIdx: readonly number[]): number {
  return safeDiv(trueIdx.filter((t, i) => t === predIdx[i]).length, trueIdx.length);
}

/** Per-class precision, recall, F1 and support from a confusion matrix (rows true, columns predicted). */
export function perClassFromConfusion(confusion: readonly (readonly number[])[]): ClassMetrics[] {
  const k = confusion.length;
  return Array.from({ length: k }, (_, c) => {
    const tp = confusion[c]?.[c] ?? 0;
    const support = (confusion[c] ?? []).reduce((s, v) => s + v, 0);
    const predicted = confusion.reduce((s, row) => s + (row[c] ?? 0), 0);
    const precision = safeDiv(tp, predicted);
    const recall = safeDiv(tp, support);
    return { precision, recall, f1: safeDiv(2 * precision * recall, precision + recall), support };
  });
}

export function macroAverage(perClass: readonly ClassMetrics[]): Averages {
  const n = perClass.length;
  const sum = (f: (c: ClassMetrics) => number) => safeDiv(perClass.reduce((s, c) => s + f(c), 0), n);
  return { precision: sum((c) => c.precision), recall: sum((c) => c.recall), f1: sum((c) => c.f1) };
}

export function weightedAverage(perClass: readonly ClassMetrics[]): Averages {
  const total = perClass.reduce((s, c) => s + c.support, 0);
  const sum = (f: (c: ClassMetrics) => number) => safeDiv(perClass.reduce((s, c) => s + f(c) * c.support, 0), total);
  return { precision: sum((c) => c.precision), recall: sum((c) => c.recall), f1: sum((c) => c.f1) };
}

/**
 * Binary ROC-AUC as the Mann–Whitney statistic with average ranks for ties; undefined when there
 * are no positives or no negatives (sklearn raises there).
 */
export function rocAuc(isPositive: readonly boolean[], scores: readonly number[]): number | undefined {
  const order = scores.map((s, i) => [s, i] as const).sort((a, b) => a[0] - b[0]);
  const ranks = new Array<number>(scores.length).fill(0);
  for (let i = 0; i < order.length; ) {
    let j = i;
    while (j + 1 < order.length && (order[j + 1] as readonly [number, number])[0] === (order[i] as readonly [number, number])[0]) j++;
    const rank = (i + j) / 2 + 1;
    for (let r = i; r <= j; r++) ranks[(order[r] as readonly [number, number])[1]] = rank;
    i = j + 1;
  }
  let positives = 0;
  let rankSum = 0;
  isPositive.forEach((p, i) => {
    if (p) {
      positives++;
      rankSum += ranks[i] as number;
    }
  });
  const negatives = isPositive.length - positives;
  if (positives === 0 || negatives === 0) return undefined;
  return (rankSum - (positives * (positives + 1)) / 2) / (positives * negatives);
}

/** One-vs-rest AUC per class index; classes without positives or negatives are left out. */
export function oneVsRestAuc(predictions: readonly Prediction[], k: number): Map<number, number> {
  const out = new Map<number, number>();
  for (let c = 0; c < k; c++) {
    const auc = rocAuc(
      predictions.map((p) => p.trueIndex === c),
      predictions.map((p) => p.probabilities[c] ?? 0),
    );
    if (auc !== undefined) out.set(c, auc);
  }
  return out;
}

/** The headline numbers for a set of predictions (what bootstrap resamples). */
export interface Headline {
  readonly accuracy: number;
  readonly macroF1: number;
}

export function headline(predictions: readonly Prediction[], k: number): Headline {
  const t = predictions.map((p) => p.trueIndex);
  const y = predictions.map((p) => argmax(p.probabilities));
  return { accuracy: accuracy(t, y), macroF1: macroAverage(perClassFromConfusion(confusionMatrix(t, y, k))).f1 };
}

/** Everything in a `folds[]` entry of metrics.json except the bootstrap intervals. */
export function foldMetrics(fold: number, predictions: readonly Prediction[], classes: readonly string[]): FoldMetrics {
  const k = classes.length;
  const t = predictions.map((p) => p.trueIndex);
  const y = predictions.map((p) => argmax(p.probabilities));
  const confusion = confusionMatrix(t, y, k);
  const perClassList = perClassFromConfusion(confusion);
  const perClass: Record<string, ClassMetrics> = {};
  classes.forEach((name, i) => (perClass[name] = perClassList[i] as ClassMetrics));
  const aucByIndex = oneVsRestAuc(predictions, k);
  const auc: Record<string, number> = {};
  for (const [i, v] of aucByIndex) auc[classes[i] as string] = v;
  const bySource: Record<string, { accuracy: number; n: number }> = {};
  const sources = [...new Set(predictions.map((p) => p.source))].sort();
  for (const source of sources) {
    const idx = predictions.flatMap((p, i) => (p.source === source ? [i] : []));
    bySource[source] = { accuracy: accuracy(idx.map((i) => t[i] as number), idx.map((i) => y[i] as number)), n: idx.length };
  }
  return {
    fold,
    accuracy: accuracy(t, y),
    perClass,
    macro: macroAverage(perClassList),
    weighted: weightedAverage(perClassList),
    ...(aucByIndex.size > 0 ? { auc } : {}),
    confusion,
    bySource,
  };
}
