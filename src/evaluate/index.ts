export type { ClassMetrics, FoldMetrics, MeanStd, ModelMetrics, MetricsFile } from './types.ts';
export type { Prediction, Averages, Headline } from './metrics.ts';
export {
  accuracy,
  argmax,
  confusionMatrix,
  foldMetrics,
  headline,
  macroAverage,
  oneVsRestAuc,
  perClassFromConfusion,
  rocAuc,
  weightedAverage,
} from './metrics.ts';
export { bootstrapIntervals, meanStd, quantile, summarizeFolds } from './aggregate.ts';
export { evaluateFold, type EvaluateFoldRequest } from './evaluate-fold.ts';
export { predictionsCsv, type PredictionRow } from './predictions-csv.ts';
export type { CamTarget, GradcamRequest, GradcamResult, GradcamImage } from './gradcam.ts';
import type { GradcamRequest, GradcamResult } from './gradcam.ts';

/** GradCAM overlays (gradcam.ts), loaded on first use: metrics and reports need no tfjs. */
export async function gradcam(req: GradcamRequest): Promise<GradcamResult> {
  return (await import('./gradcam.ts')).gradcam(req);
}
