/**
 * Recomputes every BatchNorm layer's moving statistics at the final weights: forward passes in
 * training mode over the training images, no gradients, no augmentation. After a short run
 * (a few dozen steps) the moving statistics still lag far behind the weights — they were
 * averaged over weights that no longer exist — and the network in inference mode predicts one
 * class for everything while it scores well in training mode. Opt-in (model option
 * `bn_momentum`): Keras does not do this, and the paper's long runs do not need it.
 */
import * as tf from '@tensorflow/tfjs';
import { makeBatch, type LabelledImage } from '../data/index.ts';
import type { ImageSource } from '../data/index.ts';
import type { ResolvedImage } from '../dsl/index.ts';

/** Enough moving-average updates for momentum ≤ 0.9 to forget the lagging statistics. */
const MIN_UPDATES = 30;

export function recalibrateBatchNorm(req: {
  readonly model: tf.LayersModel;
  readonly items: readonly LabelledImage[];
  readonly images: ImageSource;
  readonly normalize: ResolvedImage['normalize'];
  readonly classes: number;
  readonly batch: number;
  readonly signal?: AbortSignal;
}): boolean {
  const hasBn = req.model.layers.some((l) => l.getClassName() === 'BatchNormalization');
  if (!hasBn || req.items.length === 0) return false;
  const { height, width, channels } = req.images;
  const batches: LabelledImage[][] = [];
  for (let i = 0; i < req.items.length; i += req.batch) batches.push(req.items.slice(i, i + req.batch));
  // A batch of one has no variance to measure; fold it into the one before.
  if (batches.length > 1 && (batches[batches.length - 1]?.length ?? 0) < 2) {
    const tail = batches.pop() ?? [];
    batches[batches.length - 1]?.push(...tail);
  }
  for (let update = 0; update < Math.max(MIN_UPDATES, batches.length); update++) {
    if (req.signal?.aborted) return false;
    const chunk = batches[update % batches.length] ?? [];
    const b = makeBatch(chunk, { source: req.images, normalize: req.normalize, classes: req.classes });
    tf.tidy(() => {
      req.model.apply(tf.tensor4d(b.x, [b.size, height, width, channels]), { training: true });
    });
  }
  return true;
}
