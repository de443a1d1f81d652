/**
 * What the runner's `metrics` node calls: one fold's metrics as the pipeline's `evaluate` block
 * asks (bootstrap intervals for holdout designs). predictions.csv is written by
 * predictions-csv.ts.
 */
import type { ResolvedEvaluate } from '../dsl/index.ts';
import type { RandomStream } from '../engine/index.ts';
import type { FoldMetrics } from './types.ts';
import type { Prediction } from './metrics.ts';
import { foldMetrics } from './metrics.ts';
import { bootstrapIntervals } from './aggregate.ts';

export interface EvaluateFoldRequest {
  readonly fold: number;
  readonly predictions: readonly Prediction[];
  readonly classes: readonly string[];
  readonly evaluate: ResolvedEvaluate;
  /** Holdout designs get bootstrap intervals; k-fold designs report mean ± std over folds instead. */
  readonly holdout: boolean;
  /** The metrics node's `bootstrap` stream. */
  readonly random: RandomStream;
}

/**
 * Accuracy, per-class figures and the confusion matrix are always computed (metrics.json needs
 * them); AUC only when `evaluate.metrics` lists `auc`, per-source accuracy only with `by_source`.
 */
export function evaluateFold(req: EvaluateFoldRequest): FoldMetrics {
  const { auc, ...rest } = foldMetrics(req.fold, req.predictions, req.classes);
  const base: FoldMetrics = {
    ...rest,
    ...(auc !== undefined && req.evaluate.metrics.includes('auc') ? { auc } : {}),
    bySource: req.evaluate.bySource ? rest.bySource : {},
  };
  if (!req.holdout || req.evaluate.bootstrap <= 0) return base;
  return { ...base, bootstrap: bootstrapIntervals(req.predictions, req.classes.length, req.evaluate.bootstrap, req.random) };
}
