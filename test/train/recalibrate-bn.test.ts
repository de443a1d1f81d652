/** BatchNorm recalibration: the moving statistics become those of the training images. */
import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { buildModel, DEFAULT_MODEL_OPTIONS } from '../../src/models/index.ts';
import { recalibrateBatchNorm } from '../../src/train/recalibrate-bn.ts';
import type { ImageSource } from '../../src/data/prep-cache.ts';

const SIZE = 32;

function source(): ImageSource {
  return {
    width: SIZE,
    height: SIZE,
    channels: 1,
    has: () => true,
    // Bright, high-contrast images: far from the moving statistics' initial mean 0, variance 1.
    read: (id: string) => Uint8Array.from({ length: SIZE * SIZE }, (_, j) => (Number(id) * 53 + j * 29) % 256),
  };
}

describe('recalibrateBatchNorm', () => {
  it('sets the moving statistics to those of the training images at the current weights', () => {
    const built = buildModel('resnet50', { ...DEFAULT_MODEL_OPTIONS, size: SIZE, channels: 1, classes: 2, width: 0.0625, bnMomentum: 0.8 });
    if (!built.ok) throw new Error('build failed');
    const model = built.model;
    const images = source();
    const items = Array.from({ length: 8 }, (_, i) => ({ id: String(i), classIndex: i % 2 }));
    const x = tf.tensor4d(
      Float32Array.from(items.flatMap((item) => Array.from(images.read(item.id), (v) => v / 255))),
      [items.length, SIZE, SIZE, 1],
    );
    const bn = model.layers.find((l) => l.getClassName() === 'BatchNormalization');
    if (bn === undefined) throw new Error('no BatchNorm layer');
    // The first BatchNorm's input does not depend on any BatchNorm statistics.
    const upstream = tf.model({ inputs: model.inputs, outputs: bn.input as tf.SymbolicTensor });
    const batchMean = tf.tidy(() => Array.from(tf.mean(upstream.predict(x) as tf.Tensor, [0, 1, 2]).dataSync()));
    const movingMean = (): number[] => Array.from(bn.weights.find((w) => w.name.includes('moving_mean'))?.read().dataSync() ?? []);
    const off = (values: number[]): number => Math.max(...values.map((v, i) => Math.abs(v - (batchMean[i] ?? 0))));
    const before = off(movingMean());
    expect(recalibrateBatchNorm({ model, items, images, normalize: 'unit', classes: 2, batch: 8 })).toBe(true);
    const after = off(movingMean());
    expect(before).toBeGreaterThan(1e-2);
    expect(after).toBeLessThan(1e-3 * Math.max(1, ...batchMean.map(Math.abs)));
    x.dispose();
    model.dispose();
  });

  it('does nothing for a model without BatchNorm or without images', () => {
    const input = tf.input({ shape: [4, 4, 1] });
    const model = tf.model({ inputs: input, outputs: tf.layers.flatten().apply(input) as tf.SymbolicTensor });
    expect(recalibrateBatchNorm({ model, items: [{ id: '0', classIndex: 0 }], images: source(), normalize: 'unit', classes: 2, batch: 8 })).toBe(false);
  });
});
