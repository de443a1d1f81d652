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
export type { LungShareSummary, ShareInterval, ShareRow } from './probes/lung-share.ts';
import type { LungShareSummary, ShareRow } from './probes/lung-share.ts';
import type { RandomStream } from '../engine/index.ts';

/** GradCAM heat inside the lung field (probes/lung-share.ts, which needs tfjs), loaded on first use. */
export async function camLungShares(args: Parameters<typeof import('./probes/lung-share.ts').camLungShares>[0]): Promise<ReturnType<typeof import('./probes/lung-share.ts').camLungShares>> {
  return (await import('./probes/lung-share.ts')).camLungShares(args);
}

/** The bootstrap summary of lung shares, from the same lazily loaded module. */
export async function summarizeLungShares(rows: readonly ShareRow[], areaShare: number, resamples: number, random: RandomStream): Promise<LungShareSummary> {
  return (await import('./probes/lung-share.ts')).summarizeLungShares(rows, areaShare, resamples, random);
}
