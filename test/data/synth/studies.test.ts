/**
 * Hard negatives that look like real ones (docs/dedupe.md): the paper preset's radiographs are
 * separate studies and its CT slices lie at different chest levels; tiny and shortcut are drawn
 * as before (their recipes carry no `studies`, so the demo's images keep their bytes).
 */
import { describe, expect, it } from 'vitest';
import { getPreset, planPreset, renderImage, NO_ARTIFACTS } from '../../../src/data/synth/index.ts';
import type { ImageRecipe } from '../../../src/data/synth/index.ts';
import { sampleCtAnatomy, sliceLevel } from '../../../src/data/synth/anatomy/ct.ts';
import { deriveRng } from '../../../src/data/synth/random.ts';

const base: ImageRecipe = { seed: 4, source: 'studies', patient: '3', index: 7, modality: 'cxr', finding: 'NOR', severity: 0, profile: NO_ARTIFACTS, baseSize: 64 };

describe('repeat studies and slice levels', () => {
  it('marks the paper preset\'s images as separate studies, and no image of tiny or shortcut', () => {
    const plan = (name: 'tiny' | 'paper' | 'shortcut') => planPreset(getPreset(name), { seed: 1, scale: name === 'paper' ? 0.002 : 1, size: 32 });
    expect(plan('paper').every((i) => i.recipe.studies === true)).toBe(true);
    for (const name of ['tiny', 'shortcut'] as const) expect(plan(name).every((i) => !('studies' in i.recipe))).toBe(true);
  });

  it('draws a study deterministically, and differently from the image without studies', () => {
    const study = { ...base, studies: true };
    expect(renderImage(study).pixels).toEqual(renderImage(study).pixels);
    expect(renderImage(study).pixels).not.toEqual(renderImage(base).pixels);
  });

  it('puts a CT patient\'s successive slices at least 0.23 of the chest apart', () => {
    for (let p = 1; p <= 30; p++) {
      const a = sampleCtAnatomy(deriveRng(1, 'levels', `patient:${p}`, 'anatomy'));
      for (let i = 1; i <= 20; i++) {
        // up to three slices a patient (CT_SLICES): indices i, i+1, i+2
        const z = [i, i + 1, i + 2].map((k) => sliceLevel(a, k));
        for (const x of z) expect(x >= 0 && x < 1).toBe(true);
        for (let s = 0; s < 3; s++) for (let t = s + 1; t < 3; t++) expect(Math.abs(z[s]! - z[t]!)).toBeGreaterThan(0.23);
      }
    }
  });

  it('draws different anatomy at different slice levels of one CT patient', () => {
    const ct = { ...base, modality: 'ct' as const };
    const one = renderImage({ ...ct, index: 1 }).pixels;
    const two = renderImage({ ...ct, index: 2 }).pixels;
    let diff = 0;
    for (let i = 0; i < one.length; i++) diff += Math.abs(one[i]! - two[i]!);
    expect(diff / one.length).toBeGreaterThan(5);
  });
});
