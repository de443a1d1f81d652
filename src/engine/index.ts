export { ENGINE_NAMES, isEngineName } from './types.ts';
export type { EngineName, EngineStatus, EngineInfo, UsableEngine, ProbeResult } from './types.ts';
export { probeEngine, probeEngines, chooseEngine, selectEngine, engineInfo } from './select.ts';
export type { EngineChoice } from './select.ts';
export { realProbeHost } from './tfjs-node-probe.ts';
export type { ProbeHost } from './tfjs-node-probe.ts';
export { randomStream, saveableRandomStream, restoreRandomStream, streamFactory, derivedSeed, streamName, shuffled, permutation } from './random.ts';
export type { RandomStream, SaveableRandomStream, RandomState, RandomStreamFactory } from './random.ts';
export { silenceTfjsNotices } from './notices.ts';
