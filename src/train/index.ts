export { fit, CHECKPOINT_FILE, type FitRequest, type FitResult, type FitStatus, type EpochLogs, type RandomStateLayer } from './fit.ts';
export { predictProbabilities, predictProbabilitiesAsync, type PredictRequest } from './predict.ts';
export { classCounts, classWeights, type ClassWeightResult } from './class-weights.ts';
export { createOptimizer, type TrainOptimizer, type OptimizerState } from './optimizers.ts';
export { canonicalMetric, isMinimised } from './monitors.ts';
export { loadModelWeights, saveModelWeights } from './model-weights.ts';
export { recalibrateBatchNorm } from './recalibrate-bn.ts';
export type { BatchEvent, EpochEvent, TrainEvent, TrainEventSink } from './events.ts';
