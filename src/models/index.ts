export { MODEL_NAMES, MODELS, DEFAULT_MODEL_OPTIONS, buildModel, checkModelOptions, isModelName } from './registry.ts';
export type { ModelName, ModelEntry, BuildResult } from './registry.ts';
export type { ModelOptions } from './builder.ts';
export { SeededDropout } from './seeded-dropout.ts';
export { branchPaths, loadWeights, matchWeights, readWeightsFiles, saveKerasWeights, saveLayersModel, weightsFingerprint, weightsSource } from './weights.ts';
export type { WeightsResult, LayerMismatch, WeightsSource, WeightsFile, FileLayer, MatchResult } from './weights.ts';
