/** data/: source scanning, label mapping, split assignment, content hashing; preprocessing and batches. */
export type { Partition, ScannedImage, LabeledImage, ScanResult } from './types.ts';
export { scanSources, scanSource, IMAGE_EXTENSIONS } from './scan.ts';
export type { ScanOptions } from './scan.ts';
export { parseManifest, sniffDelimiter } from './manifest.ts';
export type { Delimiter, ManifestTable, ManifestRow } from './manifest.ts';
export { csvField, csvLine, parseCsv, readDelimited } from './csv.ts';
export { isRecord } from './json.ts';
export { mapLabels, taskClassOf } from './labels.ts';
export type { LabelMappingRow, LabelOutcome, LabelResult } from './labels.ts';
export { assignSplit, assignmentHash, foldImages, unitHash, unitHashes, ROLE, ROLE_NAMES } from './split.ts';
export type { Fold, Role, SplitPurpose, SplitResult, SplitOptions } from './split.ts';
export { hashFile, hashFiles } from './content-hash.ts';
export type { HashOutcome } from './content-hash.ts';
export { containedRelativePath } from './paths.ts';
export { mapLimit } from './pool.ts';
export { expandSourceManifests } from './expand.ts';

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
export { decodeDicom, isDicom, volumeReason, readVolumeReason, SUPPORTED_TRANSFER_SYNTAXES, type DicomImage, type DicomOptions, type DicomResult } from './dicom/index.ts';
export type { PresetName } from './synth/index.ts';
export { PRESET_NAMES } from './synth/index.ts';
export { memoizedDigests } from './digest-memo.ts';
export { synthesize } from './synth/index.ts';
export { writeChunksAtomic } from './write-atomic.ts';
export { writeFileAtomic } from './write-atomic.ts';
export { resizeArea } from './resize-area.ts';
export { DEFAULT_LUNG_FIELD, lungFieldMask, maskAreaShare, maskedImages, type Ellipse, type MaskKeep } from './lung-field.ts';
export { loadLungMasks, type MaskedImage, type LungMasksResult } from './lung-masks.ts';
export { ledgerText, LedgerBook, ledgerAddsUp } from './ledger.ts';
export type { SourceLedger } from './ledger.ts';
export { readMemo } from './digest-memo.ts';
export { writeMemo } from './digest-memo.ts';
export { ensureDir } from './write-atomic.ts';
export { renameIn } from './write-atomic.ts';
export { writeFileIn } from './write-atomic.ts';
export { checkWrite } from './write-atomic.ts';
export { pairImage, signatureFile } from './dedupe/index.ts';
export { preparedSignatures, nearDuplicatePairs, nearDuplicateRemovals, clustersOf, DEFAULT_THRESHOLD, NEAR_METHOD, type NearPair, type Signature, type Removal } from './dedupe/index.ts';
