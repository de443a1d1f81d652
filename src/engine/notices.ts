import * as tf from '@tensorflow/tfjs';

/**
 * Silences tfjs's own console notices, above all the cpu backend's "Hi, looks like you are
 * running TensorFlow.js in Node.js … install our node backend" on its first tensor: beside
 * `cvr engines`, which says why tfjs-node is or is not usable here, it misleads.
 *
 * The notice goes through tfjs-core's `warn()` (log.ts), which prints unless the `IS_TEST` or
 * `PROD` flag is set; `PROD` is tfjs's switch for production use (`tf.enableProdMode()`). In
 * tfjs 4.x it is read only by `warn()`/`log()` and by the flag-override warnings, so it changes
 * no numbers. The flag is read at each warning, so setting it any time before the first tensor
 * is enough; cvr's own engine report is printed by cvr, not by tfjs, and is unaffected.
 */
export function silenceTfjsNotices(): void {
  tf.env().set('PROD', true);
}
