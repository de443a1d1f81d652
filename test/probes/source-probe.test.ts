/**
 * The source probe on constructed pixels whose answer is known: within each class the sources
 * are told apart exactly when their pixels differ; the same seed gives the same numbers.
 */
import { describe, expect, it } from 'vitest';
import { farAboveChance, groupedFolds, imageFeatures, sourceProbe, SOURCE_PROBE_DEFAULTS, type ProbeImage } from '../../src/evaluate/index.ts';
import { randomStream } from '../../src/engine/index.ts';
import { lcg, pixelsOf, SIZE } from './fixtures.ts';

/** 60 images per class, alternating sources a and b, two images per patient; b brightened by `offset`. */
function constructed(offset: number): { images: ProbeImage[]; pixels: Uint8Array[] } {
  const next = lcg(3);
  const images: ProbeImage[] = [];
  const pixels: Uint8Array[] = [];
  for (const cls of ['NCV', 'CVP']) {
    for (let i = 0; i < 60; i++) {
      const source = i % 2 === 0 ? 'a' : 'b';
      images.push({ key: `${source}:${cls}${i}`, source, taskClass: cls, patient: `${cls}-${Math.floor(i / 4)}-${source}` });
      pixels.push(new Uint8Array(pixelsOf(cls === 'CVP' ? 'lungs' : 'none', true, next, source === 'b' ? offset : 0)));
    }
  }
  return { images, pixels };
}

function run(offset: number, seed = 1) {
  const { images, pixels } = constructed(offset);
  return sourceProbe(images, (i) => imageFeatures(pixels[i]!, SIZE, SIZE, 1, SOURCE_PROBE_DEFAULTS), SOURCE_PROBE_DEFAULTS, randomStream(seed, 'test', 'folds'));
}

describe('source_probe', () => {
  it('tells the sources apart inside each class when their pixels differ', () => {
    const r = run(12);
    for (const cls of ['NCV', 'CVP']) {
      const w = r.withinClass[cls]!;
      expect(w.majorityRate).toBe(0.5);
      expect(w.accuracy).toBeGreaterThanOrEqual(0.9);
      expect(farAboveChance(w)).toBe(true);
    }
    expect(r.accuracy).toBeGreaterThanOrEqual(0.9);
    expect(r.balancedAccuracy).toBeGreaterThanOrEqual(0.9);
  });

  it('stays near chance inside each class when the sources do not differ in pixels', () => {
    const r = run(0);
    for (const cls of ['NCV', 'CVP']) {
      const w = r.withinClass[cls]!;
      // 60 images, chance 50 %: two binomial standard deviations are about 13 points.
      expect(w.accuracy).toBeLessThan(0.7);
      expect(farAboveChance(w)).toBe(false);
    }
  });

  it('counts a dominant source as chance: balanced accuracy decides', () => {
    // 91 % of a class from one source, every image told apart: far above chance.
    expect(farAboveChance({ accuracy: 1, balancedAccuracy: 1, majorityRate: 0.91, sources: ['a', 'b'] })).toBe(true);
    // Always answering the dominant source: 91 % accurate, balanced 50 %.
    expect(farAboveChance({ accuracy: 0.91, balancedAccuracy: 0.5, majorityRate: 0.91, sources: ['a', 'b'] })).toBe(false);
  });

  it('gives the same numbers for the same seed', () => {
    expect(run(6, 4)).toEqual(run(6, 4));
  });

  it('keeps a patient in one fold', () => {
    const { images } = constructed(0);
    const folds = groupedFolds(images, 5, randomStream(1, 'k', 'folds'));
    const byPatient = new Map<string, Set<number>>();
    images.forEach((im, i) => byPatient.set(im.patient!, (byPatient.get(im.patient!) ?? new Set()).add(folds[i]!)));
    for (const set of byPatient.values()) expect(set.size).toBe(1);
    const sizes = [0, 1, 2, 3, 4].map((f) => folds.filter((x) => x === f).length);
    expect(Math.max(...sizes) - Math.min(...sizes)).toBeLessThanOrEqual(2);
  });

  it('computes the histogram and thumbnail from the pixels', () => {
    const px = new Uint8Array(SIZE * SIZE).fill(255);
    px.fill(0, 0, (SIZE * SIZE) / 2); // top half black
    const f = imageFeatures(px, SIZE, SIZE, 1, { thumbnail: 4, bins: 4 });
    expect(Array.from(f.slice(0, 16))).toEqual([0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1]);
    expect(Array.from(f.slice(16))).toEqual([0.5, 0, 0, 0.5]);
  });
});
