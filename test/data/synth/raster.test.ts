import { describe, expect, it } from 'vitest';
import { fillGaussianNoise, quantiseWithNoise } from '../../../src/data/synth/random.ts';
import type { Raster } from '../../../src/data/synth/raster.ts';
import { gaussianBlur, makeRaster, toUint8 } from '../../../src/data/synth/raster.ts';

/** The definition the fast blur paths must keep: three box passes per direction, edges repeated at every pass. */
function referenceBlur(img: Raster, r: number): Float64Array {
  const { width: w, height: h } = img;
  let cur = Float64Array.from(img.data);
  const clamp = (v: number, hi: number): number => Math.min(hi, Math.max(0, v));
  for (let pass = 0; pass < 3; pass++) {
    const next = new Float64Array(cur.length);
    for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) {
      let s = 0;
      for (let k = -r; k <= r; k++) s += cur[y * w + clamp(x + k, w - 1)]!;
      next[y * w + x] = s / (2 * r + 1);
    }
    cur = next;
  }
  for (let pass = 0; pass < 3; pass++) {
    const next = new Float64Array(cur.length);
    for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) {
      let s = 0;
      for (let k = -r; k <= r; k++) s += cur[clamp(y + k, h - 1) * w + x]!;
      next[y * w + x] = s / (2 * r + 1);
    }
    cur = next;
  }
  return cur;
}

function maxDiff(a: Float32Array, b: Float64Array): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}

/** Deterministic pseudo-random values in [0,1). */
function noisy(w: number, h: number, seed: number): Raster {
  const img = makeRaster(w, h);
  let s = seed;
  for (let i = 0; i < img.data.length; i++) {
    s = (s * 1103515245 + 12345) >>> 0;
    img.data[i] = (s >>> 8) / 2 ** 24;
  }
  return img;
}

describe('gaussianBlur fast paths', () => {
  // sigma 1.2 → radius 1 (the 7-tap kernel), sigma 2.8 → radius 2 (running sums)
  for (const [sigma, r] of [[1.2, 1], [2.8, 2]] as const) {
    it(`matches three box passes per direction on a dense image (radius ${r})`, () => {
      for (const [w, h] of [[64, 48], [17, 40], [5, 9]] as const) {
        const img = noisy(w, h, w * 31 + h);
        const expected = referenceBlur(img, r);
        gaussianBlur(img, sigma);
        expect(maxDiff(img.data, expected)).toBeLessThan(1e-5);
      }
    });

    it(`blurs a sparse picture only where it reaches, with the same result (radius ${r})`, () => {
      // splats inside, and splats at an edge and a corner, where the edge clamping matters
      for (const points of [[[30, 20], [34, 26]], [[0, 10], [63, 47], [40, 0]]] as const) {
        const img = makeRaster(64, 48);
        for (const [x, y] of points) img.data[y * 64 + x] = 1;
        const expected = referenceBlur(img, r);
        gaussianBlur(img, sigma);
        expect(maxDiff(img.data, expected)).toBeLessThan(1e-6);
        expect(img.data.some((v) => v > 0.01)).toBe(true);
      }
    });
  }

  it('leaves an all-zero picture zero', () => {
    const img = makeRaster(32, 32);
    gaussianBlur(img, 1.5);
    expect(img.data.every((v) => v === 0)).toBe(true);
  });
});

describe('quantiseWithNoise', () => {
  it('gives the bytes of adding fillGaussianNoise to the floats and then quantising', () => {
    const img = noisy(40, 30, 7);
    for (const [state, scale] of [[12345, 0.03], [0, 0.5]] as const) {
      const noise = new Float32Array(img.data.length);
      fillGaussianNoise(noise, state);
      const noisyImg = makeRaster(40, 30);
      for (let i = 0; i < noise.length; i++) noisyImg.data[i] = img.data[i]! + scale * noise[i]!;
      expect(Buffer.from(quantiseWithNoise(img.data, state, scale)).equals(Buffer.from(toUint8(noisyImg)))).toBe(true);
    }
  });
});
