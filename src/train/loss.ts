/** The training loss and the validation pass of the fit loop. */
import * as tf from '@tensorflow/tfjs';
import type { ImageSource, LabelledImage } from '../data/index.ts';
import { batchesOf, makeBatch } from '../data/index.ts';
import type { ResolvedImage } from '../dsl/index.ts';

/** Keras's categorical cross-entropy on probabilities: renormalise, clip to [ε, 1−ε], weigh per sample. */
export function crossEntropy(y: tf.Tensor, probs: tf.Tensor, sampleWeights?: tf.Tensor): tf.Tensor1D {
  const p = probs.div(probs.sum(-1, true)).clipByValue(1e-7, 1 - 1e-7);
  const perSample = y.mul(p.log()).sum(-1).neg() as tf.Tensor1D;
  return sampleWeights === undefined ? perSample : (perSample.mul(sampleWeights) as tf.Tensor1D);
}

/** Unweighted mean cross-entropy and accuracy over a labelled set (validation: no augmentation). */
export function evaluateLoss(
  model: tf.LayersModel,
  items: readonly LabelledImage[],
  spec: { source: ImageSource; normalize: ResolvedImage['normalize']; classes: number },
  batchSize: number,
): { val_loss: number; val_accuracy: number } {
  let lossSum = 0;
  let correct = 0;
  for (const chunk of batchesOf(items, batchSize)) {
    const batch = makeBatch(chunk, spec);
    tf.tidy(() => {
      const x = tf.tensor4d(batch.x, [batch.size, spec.source.height, spec.source.width, spec.source.channels]);
      const y = tf.tensor2d(batch.y, [batch.size, spec.classes]);
      const probs = model.apply(x, { training: false }) as tf.Tensor;
      lossSum += crossEntropy(y, probs).sum().dataSync()[0] as number;
      correct += probs.argMax(-1).equal(y.argMax(-1)).sum().dataSync()[0] as number;
    });
  }
  return { val_loss: lossSum / items.length, val_accuracy: correct / items.length };
}
