export { MODEL_NAMES, MODELS, DEFAULT_MODEL_OPTIONS, buildModel, checkModelOptions, isModelName } from './registry.ts';
export type { ModelName, ModelEntry, BuildResult } from './registry.ts';
export type { ModelOptions } from './builder.ts';
export { SeededDropout } from './seeded-dropout.ts';
export { loadWeights, saveLayersModel, weightsSource } from './weights.ts';
export type { WeightsResult, LayerMismatch, WeightsSource } from './weights.ts';
