/**
 * Copies of a model's weights (trainable and not, e.g. batch-norm statistics) as plain arrays:
 * for the best-epoch snapshot, for checkpoints and for the final weights file the predict node
 * loads.
 */
import * as tf from '@tensorflow/tfjs';
import type { NamedArray } from './tensor-file.ts';
import { readTensorFile, writeTensorFile } from './tensor-file.ts';

export function snapshotWeights(model: tf.LayersModel, prefix = 'model'): NamedArray[] {
  return model.weights.map((w, i) => {
    const t = w.read();
    return { name: `${prefix}/${i}:${w.name}`, shape: t.shape, data: t.dataSync().slice() as Float32Array };
  });
}

/** True when `arrays` has exactly the model's weight shapes, in order. */
export function fitsModel(model: tf.LayersModel, arrays: readonly NamedArray[]): boolean {
  return (
    arrays.length === model.weights.length &&
    model.weights.every((w, i) => {
      const a = arrays[i];
      return a !== undefined && a.shape.length === w.shape.length && a.shape.every((d, j) => d === w.shape[j]);
    })
  );
}

export function restoreWeights(model: tf.LayersModel, arrays: readonly NamedArray[]): void {
  const tensors = arrays.map((a) => tf.tensor(a.data, [...a.shape]));
  model.setWeights(tensors);
  tensors.forEach((t) => t.dispose());
}

export async function saveModelWeights(model: tf.LayersModel, file: string, meta: Record<string, unknown> = {}): Promise<void> {
  await writeTensorFile(file, meta, snapshotWeights(model));
}

/** False when the file is missing, damaged, or made for another architecture. */
export async function loadModelWeights(model: tf.LayersModel, file: string): Promise<boolean> {
  const f = await readTensorFile<unknown>(file);
  if (f === undefined || !fitsModel(model, f.arrays)) return false;
  restoreWeights(model, f.arrays);
  return true;
}
