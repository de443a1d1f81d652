/**
 * Batches assembled from the uint8 (or uint16) cache: only one batch is ever float32 (the rest of the data
 * stays as cached bytes), normalised as declared, augmented when a stream is given.
 */
import type { ResolvedAugmentOp, ResolvedImage } from '../dsl/index.ts';
import type { RandomStream } from '../engine/index.ts';
import type { ImageSource } from './prep-cache.ts';
import { augmentImage } from './augment.ts';
import { normalizeImage } from './normalize.ts';

export interface LabelledImage {
  readonly id: string;
  readonly classIndex: number;
}

export interface Batch {
  /** n × h × w × c, normalised. */
  readonly x: Float32Array;
  /** n × classes, one-hot. */
  readonly y: Float32Array;
  readonly classIndex: Int32Array;
  readonly size: number;
}

export interface BatchSpec {
  readonly source: ImageSource;
  readonly normalize: ResolvedImage['normalize'];
  readonly classes: number;
  /** Augmentation applies only where both ops and a stream are given (training batches). */
  readonly augment?: readonly ResolvedAugmentOp[];
  readonly random?: RandomStream;
}

export function makeBatch(items: readonly LabelledImage[], spec: BatchSpec): Batch {
  const { source } = spec;
  const shape = { width: source.width, height: source.height, channels: source.channels };
  const per = shape.width * shape.height * shape.channels;
  const x = new Float32Array(items.length * per);
  const y = new Float32Array(items.length * spec.classes);
  const classIndex = new Int32Array(items.length);
  items.forEach((item, i) => {
    const raw = source.read(item.id);
    let img: Float32Array = Float32Array.from(raw);
    // 16-bit samples onto the 0..255 scale, keeping their fractional precision.
    if (raw instanceof Uint16Array) for (let j = 0; j < img.length; j++) img[j] = (img[j] as number) / 257;
    if (spec.augment !== undefined && spec.augment.length > 0 && spec.random !== undefined) {
      img = augmentImage(img, shape, spec.augment, spec.random);
    }
    normalizeImage(img, shape.channels, spec.normalize);
    x.set(img, i * per);
    y[i * spec.classes + item.classIndex] = 1;
    classIndex[i] = item.classIndex;
  });
  return { x, y, classIndex, size: items.length };
}

/** Consecutive slices of `items` of `batchSize`; the last may be shorter (Keras keeps it too). */
export function batchesOf<T>(items: readonly T[], batchSize: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += batchSize) out.push(items.slice(i, i + batchSize));
  return out;
}
