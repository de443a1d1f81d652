import { describe, expect, it } from 'vitest';
import { augmentImage, warpAffine } from '../../src/data/augment.ts';
import { normalizeImage } from '../../src/data/normalize.ts';
import { randomStream } from '../../src/engine/index.ts';
import type { ResolvedAugmentOp } from '../../src/dsl/resolved.ts';

const shape = { width: 4, height: 3, channels: 1 };
const ramp = () => Float32Array.from({ length: 12 }, (_, i) => i * 10);
const stream = (s = 1) => randomStream(s, 'aug', 'augment');

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

describe('warpAffine (the geometric core)', () => {
  const sq = { width: 3, height: 3, channels: 1 };
  const img = Float32Array.from({ length: 9 }, (_, i) => i); // rows 0 1 2 / 3 4 5 / 6 7 8

  it('rotates by 90° about the centre', () => {
    const out = warpAffine(img, sq, { angle: Math.PI / 2, tx: 0, ty: 0, zoom: 1 });
    // out(x, y) = in(cos·dx + sin·dy + c, −sin·dx + cos·dy + c) = in(x' = y, y' = 2 − x).
    expect(Array.from(out, (v) => Math.round(v * 1e6) / 1e6)).toEqual([6, 3, 0, 7, 4, 1, 8, 5, 2]);
  });

  it('shifts by whole pixels, repeating the edge', () => {
    const out = warpAffine(img, sq, { angle: 0, tx: 1, ty: 0, zoom: 1 });
    expect(Array.from(out)).toEqual([0, 0, 1, 3, 3, 4, 6, 6, 7]);
  });

  it('zooms about the centre with bilinear interpolation', () => {
    const out = warpAffine(img, sq, { angle: 0, tx: 0, ty: 0, zoom: 2 });
    // Source position of output x: 1 + (x − 1)/2 → 0.5, 1, 1.5 (same in y).
    expect(Array.from(out)).toEqual([2, 2.5, 3, 3.5, 4, 4.5, 5, 5.5, 6]);
  });
});
