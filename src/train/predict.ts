/**
 * Softmax outputs for a list of images, batch by batch from the uint8 cache (no augmentation).
 */
import * as tf from '@tensorflow/tfjs';
import type { ResolvedImage } from '../dsl/index.ts';
import type { ImageSource } from '../data/index.ts';
import { batchesOf, makeBatch } from '../data/index.ts';

export interface PredictRequest {
  readonly model: tf.LayersModel;
  readonly images: ImageSource;
  readonly ids: readonly string[];
  readonly normalize: ResolvedImage['normalize'];
  readonly classes: number;
  readonly batch: number;
  readonly signal?: AbortSignal;
  readonly onProgress?: (done: number, total: number) => void;
}

/** One probability row per id, in the order given; undefined when cancelled. */
export function predictProbabilities(req: PredictRequest): number[][] | undefined {
  const out: number[][] = [];
  for (const chunk of batchesOf(req.ids, req.batch)) {
    if (req.signal?.aborted) return undefined;
    predictChunk(req, chunk, out);
  }
  return out;
}

/**
 * The same, yielding to the event loop between batches, so that a SIGINT handler can abort it
 * and the live view keeps drawing during a long prediction.
 */
export async function predictProbabilitiesAsync(req: PredictRequest): Promise<number[][] | undefined> {
  const out: number[][] = [];
  for (const chunk of batchesOf(req.ids, req.batch)) {
    await new Promise<void>((resolve) => setImmediate(resolve));
    if (req.signal?.aborted) return undefined;
    predictChunk(req, chunk, out);
  }
  return out;
}

function predictChunk(req: PredictRequest, ids: readonly string[], out: number[][]): void {
  const { height, width, channels } = req.images;
  const batch = makeBatch(
    ids.map((id) => ({ id, classIndex: 0 })),
    { source: req.images, normalize: req.normalize, classes: req.classes },
  );
  const probs = tf.tidy(() => {
    const x = tf.tensor4d(batch.x, [batch.size, height, width, channels]);
    return (req.model.apply(x, { training: false }) as tf.Tensor).dataSync().slice();
  });
  for (let i = 0; i < batch.size; i++) out.push(Array.from(probs.subarray(i * req.classes, (i + 1) * req.classes)));
  req.onProgress?.(out.length, req.ids.length);
}
