import { describe, expect, it } from 'vitest';
import { augmentImage } from '../../src/data/augment.ts';
import { normalizeImage } from '../../src/data/normalize.ts';
import { createStream } from '../../src/train/random.ts';
import type { ResolvedAugmentOp } from '../../src/dsl/resolved.ts';

const shape = { width: 4, height: 3, channels: 1 };
const ramp = () => Float32Array.from({ length: 12 }, (_, i) => i * 10);
const stream = (s = 1) => createStream(s, 'aug', 'augment');

describe('augmentImage', () => {
  it('flips exactly when p = 1 and never when p = 0', () => {
    const h = augmentImage(ramp(), shape, [{ op: 'flip', axis: 'horizontal', p: 1 }], stream());
    expect(Array.from(h.slice(0, 4))).toEqual([30, 20, 10, 0]);
    const v = augmentImage(ramp(), shape, [{ op: 'flip', axis: 'vertical', p: 1 }], stream());
    expect(Array.from(v.slice(0, 4))).toEqual([80, 90, 100, 110]);
    const none = augmentImage(ramp(), shape, [{ op: 'rotate', degrees: 90, p: 0 }, { op: 'flip', axis: 'vertical', p: 0 }], stream());
    expect(Array.from(none)).toEqual(Array.from(ramp()));
  });

  it('is a function of the stream: same seed same image, other seed other image', () => {
    const ops: ResolvedAugmentOp[] = [
      { op: 'rotate', degrees: 30, p: 1 },
      { op: 'shift', fraction: 0.2, p: 1 },
      { op: 'zoom', fraction: 0.2, p: 1 },
      { op: 'brightness', fraction: 0.3, p: 1 },
      { op: 'contrast', fraction: 0.3, p: 1 },
    ];
    const a = augmentImage(ramp(), shape, ops, stream(1));
    const b = augmentImage(ramp(), shape, ops, stream(1));
    const c = augmentImage(ramp(), shape, ops, stream(2));
    expect(Array.from(a)).toEqual(Array.from(b));
    expect(Array.from(a)).not.toEqual(Array.from(c));
    expect(a.every((v) => v >= 0 && v <= 255)).toBe(true);
  });

  it('applies an op with about its probability', () => {
    const random = stream(3);
    let flipped = 0;
    for (let i = 0; i < 2000; i++) {
      const out = augmentImage(ramp(), shape, [{ op: 'flip', axis: 'horizontal', p: 0.45 }], random);
      if (out[0] === 30) flipped++;
    }
    expect(flipped / 2000).toBeGreaterThan(0.41);
    expect(flipped / 2000).toBeLessThan(0.49);
  });

  it('a zero-range rotation resamples to the identity; two flips reverse a square image', () => {
    const sq = { width: 3, height: 3, channels: 1 };
    const img = Float32Array.from({ length: 9 }, (_, i) => i);
    const same = augmentImage(img, sq, [{ op: 'rotate', degrees: 0, p: 1 }], stream());
    expect(Array.from(same)).toEqual(Array.from(img));
    const both = augmentImage(img, sq, [{ op: 'flip', axis: 'horizontal', p: 1 }, { op: 'flip', axis: 'vertical', p: 1 }], stream());
    expect(Array.from(both)).toEqual([8, 7, 6, 5, 4, 3, 2, 1, 0]);
  });
});

describe('normalizeImage', () => {
  it.each([
    ['unit', [0, 255], [0, 1]],
    ['none', [0, 255], [0, 255]],
    ['standardize', [0, 255], [-1, 1]],
  ] as const)('%s', (mode, input, want) => {
    const img = Float32Array.from(input);
    normalizeImage(img, 1, mode);
    want.forEach((w, i) => expect(img[i]).toBeCloseTo(w, 6));
  });

  it('imagenet uses per-channel statistics', () => {
    const img = Float32Array.from([255, 255, 255]);
    normalizeImage(img, 3, 'imagenet');
    expect(img[0]).toBeCloseTo((1 - 0.485) / 0.229, 5);
    expect(img[2]).toBeCloseTo((1 - 0.406) / 0.225, 5);
  });
});
