/** Tiny models and easy generated images for training tests (16 px, a few epochs). */
import * as tf from '@tensorflow/tfjs';
import type { ImageSource } from '../../src/data/prep-cache.ts';
import type { LabelledImage } from '../../src/data/batches.ts';
import type { ResolvedImage, ResolvedTrain } from '../../src/dsl/resolved.ts';
import { randomStream } from '../../src/engine/index.ts';

export const SIZE = 16;

export const IMAGE: ResolvedImage = { width: SIZE, height: SIZE, resize: 'nearest', channels: 1, normalize: 'unit' };

export function trainConfig(over: Partial<ResolvedTrain> = {}): ResolvedTrain {
  return {
    optimizer: { name: 'adam', lr: 0.01, params: {} },
    loss: 'categorical_crossentropy',
    classWeights: { mode: 'balanced' },
    batch: 8,
    epochs: 6,
    ...over,
  };
}

/**
 * Easy phantoms: class 0 has a bright blob in the upper half, class 1 in the lower half, on
 * noise. A small conv net separates them in a few epochs.
 */
export function easyImage(classIndex: number, seed: number): Uint8Array {
  const rng = randomStream(seed, 'easy', 'pixels');
  const px = new Uint8Array(SIZE * SIZE);
  const cy = classIndex === 0 ? 4 : 11;
  const cx = 3 + Math.floor(rng.next() * 10);
  for (let y = 0; y < SIZE; y++) {
    for (let x = 0; x < SIZE; x++) {
      const blob = (x - cx) ** 2 + (y - cy) ** 2 <= 6 ? 150 : 0;
      px[y * SIZE + x] = Math.min(255, 40 + blob + Math.floor(rng.next() * 60));
    }
  }
  return px;
}

export function easySet(n: number, offset: number): { items: LabelledImage[]; pixels: Map<string, Uint8Array> } {
  const items: LabelledImage[] = [];
  const pixels = new Map<string, Uint8Array>();
  for (let i = 0; i < n; i++) {
    const id = `img${offset + i}`;
    const classIndex = i % 2;
    items.push({ id, classIndex });
    pixels.set(id, easyImage(classIndex, offset + i));
  }
  return { items, pixels };
}

/** Holds uint8 pixels in memory: fine for 16 px test sets (the runner uses the shard cache). */
export function memorySource(pixels: ReadonlyMap<string, Uint8Array>): ImageSource {
  return {
    width: SIZE,
    height: SIZE,
    channels: 1,
    has: (id) => pixels.has(id),
    read: (id) => {
      const p = pixels.get(id);
      if (p === undefined) throw new Error(`no image ${id}`);
      return p.slice();
    },
  };
}

export function tinyConvNet(seed: number, classes = 2): tf.LayersModel {
  const init = (s: number) => tf.initializers.glorotUniform({ seed: seed * 100 + s });
  return tf.sequential({
    layers: [
      tf.layers.conv2d({ inputShape: [SIZE, SIZE, 1], filters: 4, kernelSize: 3, activation: 'relu', kernelInitializer: init(1), name: 'conv1' }),
      tf.layers.maxPooling2d({ poolSize: 2 }),
      tf.layers.conv2d({ filters: 4, kernelSize: 3, activation: 'relu', kernelInitializer: init(2), name: 'conv2' }),
      tf.layers.flatten(),
      tf.layers.dense({ units: classes, activation: 'softmax', kernelInitializer: init(3) }),
    ],
  });
}
