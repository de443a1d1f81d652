// Preprocessing, batches and augmentation (train's part of data/).
export {
  prepareImages,
  openPrepared,
  decodeImage,
  prepSettings,
  DEFAULT_MAX_PIXELS,
  type PrepImage,
  type PrepSettings,
  type PrepShard,
  type PreparedImages,
  type PrepOptions,
  type PrepResult,
  type ImageSource,
  type OpenResult,
  type Pixels,
} from './prep-cache.ts';
export { makeBatch, batchesOf, type Batch, type BatchSpec, type LabelledImage } from './batches.ts';
export { augmentImage, type ImageShape } from './augment.ts';
export { normalizeImage } from './normalize.ts';
