/**
 * One training step exactly as `cvr run` takes it (fit.ts calls this): forward in training mode,
 * class-weighted categorical cross-entropy, gradients from `tf.variableGrads`, the update from
 * our optimizer. The benchmarks (bench/train.ts, bench/native-vs-torch.ts) call the same function,
 * so what they time is what a run does.
 */
import * as tf from '@tensorflow/tfjs';
import type { TrainOptimizer } from './optimizers.ts';
import { crossEntropy } from './loss.ts';

export { crossEntropy };


/**
 * Trains on one batch: x [n, h, w, c], y one-hot [n, k], classWeights [k]. Returns the batch's
 * mean weighted loss and how many predictions were right. Every tensor it makes is released.
 */
export function trainStep(model: tf.LayersModel, vars: readonly tf.Variable[], optimizer: TrainOptimizer, x: tf.Tensor, y: tf.Tensor, classWeights: tf.Tensor): { loss: number; hits: number } {
  return tf.tidy(() => {
    const w = y.mul(classWeights).sum(-1);
    let hitsT: tf.Tensor | undefined;
    const { value, grads } = tf.variableGrads(() => {
      const probs = model.apply(x, { training: true }) as tf.Tensor;
      hitsT = tf.keep(probs.argMax(-1).equal(y.argMax(-1)).sum());
      return crossEntropy(y, probs, w).mean() as tf.Scalar;
    }, [...vars]);
    optimizer.apply(vars.map((v) => grads[v.name] as tf.Tensor));
    const hits = (hitsT as tf.Tensor).dataSync()[0] as number;
    hitsT?.dispose();
    return { loss: value.dataSync()[0] as number, hits };
  });
}
