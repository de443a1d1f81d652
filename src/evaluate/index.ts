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
export { gradcam, camFor, defaultTargets, headTargets, lastConvLayer, type CamTarget, type GradcamRequest, type GradcamResult, type GradcamImage } from './gradcam.ts';
export { sourceProbe, imageFeatures, groupedFolds, fitPredictSoftmax, farAboveChance, SOURCE_PROBE_DEFAULTS, type ProbeImage, type ProbeScore, type SourceProbeResult, type SourceProbeSettings } from './probes/source-probe.ts';
export { camLungShares, summarizeLungShares, type LungShareSummary, type ShareInterval, type ShareRow } from './probes/lung-share.ts';
