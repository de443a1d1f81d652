export type { ClassMetrics, FoldMetrics, MeanStd, ModelMetrics, MetricsFile, ProbesMetrics, MaskedProbeMetrics, ProbeFinding } from './types.ts';
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
export { sourceProbe, imageFeatures, groupedFolds, fitPredictSoftmax, farAboveChance, SOURCE_PROBE_DEFAULTS, type ProbeImage, type ProbeScore, type SourceProbeResult, type SourceProbeSettings } from './probes/source-probe.ts';
export { summarizeLungShares, type LungShareSummary, type ShareInterval, type ShareRow } from './probes/lung-share-summary.ts';

/** GradCAM heat inside the lung field (probes/lung-share.ts, which needs tfjs), loaded on first use. */
export async function camLungShares(args: Parameters<typeof import('./probes/lung-share.ts').camLungShares>[0]): Promise<ReturnType<typeof import('./probes/lung-share.ts').camLungShares>> {
  return (await import('./probes/lung-share.ts')).camLungShares(args);
}
