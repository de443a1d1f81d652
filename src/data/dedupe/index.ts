/** Near-duplicate images (docs/dedupe.md): signatures, candidate search, verification. */
export { signatureOf, GRID, THUMB_GRID, type Signature } from './signature.ts';
export { candidatePairs, coefficientTable } from './search.ts';
export { similarity, prepareThumb } from './verify.ts';
export { nearDuplicatePairs, clustersOf, DEFAULT_THRESHOLD, NEAR_METHOD, type NearPair, type NearOptions } from './near.ts';
export { preparedSignatures } from './read.ts';
export { signatureFile } from './store.ts';
export { nearDuplicateRemovals, type Removal } from './remove.ts';
export { pairImage } from './pair-image.ts';
