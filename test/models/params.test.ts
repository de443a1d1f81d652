import { describe, expect, it } from 'vitest';
import { buildModel, checkModelOptions, type ModelOptions } from '../../src/models/index.ts';

const count = (name: string, o: Partial<ModelOptions>): number => {
  const r = buildModel(name, { size: 224, channels: 3, classes: 1000, width: 1, seed: 1, nodeKey: 'params', init: 'zeros', ...o });
  if (!r.ok) throw new Error(JSON.stringify(r.diagnostics));
  const n = r.model.countParams();
  r.model.dispose();
  return n;
};

/**
 * Keras applications with include_top=True, 1000 classes, at their default input size
 * (Keras model.summary() totals; keras.io/api/applications lists them rounded:
 * 25.6M, 22.9M, 143.7M, 23.9M, 8.1M, 5.3M).
 */
const KERAS_REFERENCE: ReadonlyArray<[string, number, number]> = [
  ['resnet50', 224, 25_636_712],
  ['xception', 299, 22_910_480],
  ['vgg19', 224, 143_667_240],
  ['inceptionv3', 299, 23_851_784],
  ['densenet121', 224, 8_062_504],
  // Keras reports 5,330,571: that includes its input Normalization layer's 7 statistics
  // (mean 3, variance 3, count 1), which cvr does in the data stage instead.
  ['efficientnetb0', 224, 5_330_571 - 7],
];

describe('parameter counts at width 1', () => {
  it.each(KERAS_REFERENCE)('%s at %i px with 1000 classes equals Keras', (name, size, params) => {
    expect(count(name, { size })).toBe(params);
  });

  it('CVR-Net at 224 × 224 × 3 with 2 classes has 48,602,610 parameters (the authors\' summary)', () => {
    expect(count('cvrnet', { classes: 2 })).toBe(48_602_610);
  });

  it('CVR-Net = ResNet-50 and Xception without tops + five heads', () => {
    // Keras include_top=False: ResNet50 23,587,712; Xception 20,861,480.
    const head = (inputs: number): number => inputs * 512 + 512 + 512 * 128 + 128 + 128 * 64 + 64 + 64 * 2 + 2;
    const heads = head(512) + head(1024) + head(2048 + 2048) + head(1024) + head(728);
    expect(23_587_712 + 20_861_480 + heads).toBe(48_602_610);
  });

  it('shrinks with the width multiplier and depends on channels and classes', () => {
    const full = count('resnet50', { classes: 2 });
    const small = count('resnet50', { classes: 2, width: 0.125, size: 32 });
    expect(small).toBeLessThan(full / 50);
    expect(count('resnet50', { classes: 2, channels: 1 })).toBe(full - 7 * 7 * 2 * 64);
    expect(count('resnet50', { classes: 3 })).toBe(full + 2048 + 1);
  });
});

describe('model options', () => {
  const base: ModelOptions = { size: 32, channels: 3, classes: 2, width: 0.125, seed: 1, nodeKey: 'k' };
  it.each([
    ['unknown name', 'alexnet', base, 'CVR703'],
    ['too small for Inception-v3', 'inceptionv3', base, 'CVR704'],
    ['width 0', 'resnet50', { ...base, width: 0 }, 'CVR705'],
    ['one class', 'vgg19', { ...base, classes: 1 }, 'CVR705'],
    ['4 channels', 'xception', { ...base, channels: 4 }, 'CVR705'],
  ] as const)('%s is a diagnostic', (_what, name, options, code) => {
    expect(checkModelOptions(name, options).map((d) => d.code)).toEqual([code]);
    expect(buildModel(name, options).ok).toBe(false);
  });

  it('accepts the smallest sizes the registry states', () => {
    expect(checkModelOptions('inceptionv3', { ...base, size: 75 })).toEqual([]);
    const r = buildModel('inceptionv3', { ...base, size: 75 });
    expect(r.ok && r.model.outputs[0]?.shape).toEqual([null, 2]);
  });
});
