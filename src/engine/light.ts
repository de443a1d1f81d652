/**
 * engine/'s light face: the random streams, without tfjs or the native addon (index.ts loads
 * both). For stages that only draw random numbers where nothing else needs tensors — `cvr
 * report`'s bootstrap starts in a fraction of the time. index.ts exports the same names.
 */
export { randomStream, saveableRandomStream, restoreRandomStream, streamFactory, derivedSeed, streamName, shuffled, permutation } from './random.ts';
export type { RandomStream, SaveableRandomStream, RandomState, RandomStreamFactory } from './random.ts';
