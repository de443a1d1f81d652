/**
 * What a reviewer checks beyond accuracy, computed from a run folder's scored test images and
 * fold metrics: a model that predicts one class for (almost) every image, intervals for k-fold
 * means and for AUC, precision-recall curves, calibration (reliability and ECE), and
 * sensitivity and specificity per test source.
 */
import type { MeanStd, ModelMetrics } from '../evaluate/index.ts';
import { quantile } from '../evaluate/index.ts';
import { randomStream } from '../engine/light.ts';
import type { PredictionRecord } from './run-folder.ts';
import { rocCurve } from './roc.ts';

/** A model is flagged when one predicted class holds at least this share of its test images. */
export const ONE_CLASS_SHARE = 0.95;

export interface OneClassFinding {
  readonly model: string;
  readonly className: string;
  readonly predicted: number;
  readonly images: number;
}

/** From the confusion matrices summed over folds: the column (predicted class) that holds nearly every image. */
export function oneClassPrediction(model: string, metrics: ModelMetrics, classes: readonly string[]): OneClassFinding | undefined {
  const columns = classes.map((_, c) => metrics.folds.reduce((a, f) => a + f.confusion.reduce((s, row) => s + (row[c] ?? 0), 0), 0));
  const images = columns.reduce((a, b) => a + b, 0);
  if (images === 0) return undefined;
  const top = columns.indexOf(Math.max(...columns));
  const predicted = columns[top] ?? 0;
  return predicted / images >= ONE_CLASS_SHARE ? { model, className: classes[top] ?? '?', predicted, images } : undefined;
}

/** Two-sided 97.5 % quantiles of Student's t for 1…30 degrees of freedom (then the normal's). */
const T_975 = [12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.16, 2.145, 2.131, 2.12, 2.11, 2.101, 2.093, 2.086, 2.08, 2.074, 2.069, 2.064, 2.06, 2.056, 2.052, 2.048, 2.045, 2.042];

/**
 * The 95 % t-interval of a mean over k folds from the sample standard deviation (n − 1, as
 * metrics.json stores it): mean ± t(0.975, k − 1) · std / √k. Folds share training images, so
 * the interval is optimistic; it still says how far apart two k-fold means must be to matter.
 */
export function tInterval(m: MeanStd, k: number): { low: number; high: number } | undefined {
  if (k < 2 || !Number.isFinite(m.std)) return undefined;
  const t = T_975[k - 2] ?? 1.96;
  const half = (t * m.std) / Math.sqrt(k);
  return { low: m.mean - half, high: m.mean + half };
}

/**
 * Percentile-bootstrap 95 % interval of one class's one-vs-rest AUC over the pooled scored
 * images, seeded so the same run folder always gets the same report.
 */
export function bootstrapAuc(preds: readonly PredictionRecord[], classIndex: number, className: string, resamples: number, seed: number): { auc: number; low: number; high: number } | undefined {
  const scores = preds.map((p) => p.probabilities[classIndex] ?? 0);
  const positive = preds.map((p) => p.trueClass === className);
  const full = rocCurve(scores, positive);
  if (full === undefined) return undefined;
  const random = randomStream(seed, 'report', `auc-bootstrap:${className}`);
  const values: number[] = [];
  const n = preds.length;
  for (let r = 0; r < resamples; r++) {
    const s: number[] = [];
    const y: boolean[] = [];
    for (let i = 0; i < n; i++) {
      const j = Math.floor(random.next() * n);
      s.push(scores[j] ?? 0);
      y.push(positive[j] ?? false);
    }
    const roc = rocCurve(s, y);
    if (roc !== undefined) values.push(roc.auc);
  }
  if (values.length === 0) return undefined;
  values.sort((a, b) => a - b);
  return { auc: full.auc, low: quantile(values, 0.025), high: quantile(values, 0.975) };
}

/**
 * Precision-recall curve of one class (one point per distinct score, highest first) and its
 * average precision, Σ (R_k − R_{k−1}) P_k, as scikit-learn defines it.
 */
export function precisionRecall(scores: readonly number[], positive: readonly boolean[]): { points: [number, number][]; averagePrecision: number } | undefined {
  const P = positive.filter(Boolean).length;
  if (P === 0) return undefined;
  const order = scores.map((_, i) => i).sort((a, b) => (scores[b] ?? 0) - (scores[a] ?? 0));
  const points: [number, number][] = [];
  let tp = 0;
  let seen = 0;
  let previousRecall = 0;
  let ap = 0;
  for (let k = 0; k < order.length; ) {
    const score = scores[order[k]!];
    while (k < order.length && scores[order[k]!] === score) {
      if (positive[order[k]!]) tp++;
      seen++;
      k++;
    }
    const recall = tp / P;
    const precision = tp / seen;
    ap += (recall - previousRecall) * precision;
    previousRecall = recall;
    points.push([recall, precision]);
  }
  return { points, averagePrecision: ap };
}

export interface Calibration {
  /** Per non-empty bin: mean confidence, accuracy, images. */
  readonly bins: readonly { readonly confidence: number; readonly accuracy: number; readonly n: number }[];
  /** Expected calibration error: Σ (n_b / n) |accuracy_b − confidence_b|. */
  readonly ece: number;
}

/** Top-label calibration: the predicted class's probability against how often it is right, in equal-width bins. */
export function calibration(preds: readonly PredictionRecord[], classes: readonly string[], binCount = 10): Calibration | undefined {
  if (preds.length === 0) return undefined;
  const sums = Array.from({ length: binCount }, () => ({ confidence: 0, correct: 0, n: 0 }));
  for (const p of preds) {
    const top = p.probabilities.indexOf(Math.max(...p.probabilities));
    const confidence = p.probabilities[top] ?? 0;
    const bin = sums[Math.min(binCount - 1, Math.floor(confidence * binCount))]!;
    bin.confidence += confidence;
    bin.correct += classes[top] === p.trueClass ? 1 : 0;
    bin.n++;
  }
  const bins = sums.filter((b) => b.n > 0).map((b) => ({ confidence: b.confidence / b.n, accuracy: b.correct / b.n, n: b.n }));
  const ece = bins.reduce((a, b) => a + (b.n / preds.length) * Math.abs(b.accuracy - b.confidence), 0);
  return { bins, ece };
}

export interface SourceClassRates {
  readonly source: string;
  readonly className: string;
  /** Images of this class from this source, and of the other classes. */
  readonly positives: number;
  readonly negatives: number;
  /** Recall of the class among its images; undefined without positives. */
  readonly sensitivity?: number;
  /** Share of the source's other images not predicted as the class; undefined without negatives. */
  readonly specificity?: number;
}

/** Sensitivity and specificity of each class within each test source (pooled over folds). */
export function sourceRates(preds: readonly PredictionRecord[], classes: readonly string[]): SourceClassRates[] {
  const out: SourceClassRates[] = [];
  const sources = [...new Set(preds.map((p) => p.source))].sort();
  for (const source of sources) {
    const mine = preds.filter((p) => p.source === source);
    classes.forEach((c, ci) => {
      let tp = 0;
      let fn = 0;
      let tn = 0;
      let fp = 0;
      for (const p of mine) {
        const predicted = p.probabilities.indexOf(Math.max(...p.probabilities)) === ci;
        if (p.trueClass === c) predicted ? tp++ : fn++;
        else predicted ? fp++ : tn++;
      }
      out.push({
        source,
        className: c,
        positives: tp + fn,
        negatives: tn + fp,
        ...(tp + fn > 0 ? { sensitivity: tp / (tp + fn) } : {}),
        ...(tn + fp > 0 ? { specificity: tn / (tn + fp) } : {}),
      });
    });
  }
  return out;
}
