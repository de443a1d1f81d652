import { describe, expect, it } from 'vitest';
import type { FindingClass, ImageRecipe, Modality } from '../../../src/data/synth/index.ts';
import { NO_ARTIFACTS, renderImage } from '../../../src/data/synth/index.ts';

const SIZE = 96;

/** The finding alone: the image of a class minus the same patient's image without findings. */
function findingOnly(modality: Modality, finding: FindingClass, patient: number, severity: number): Float64Array {
  const recipe: ImageRecipe = { seed: 2, source: 'test', patient: String(patient), index: patient, modality, finding: 'NOR', severity: 0, profile: { ...NO_ARTIFACTS, noise: 0 }, baseSize: SIZE };
  const normal = renderImage(recipe).pixels;
  const sick = renderImage({ ...recipe, finding, severity }).pixels;
  return Float64Array.from(sick, (v, i) => v - normal[i]!);
}

/** Mean of `d` over the region x in [x0,x1), y in [y0,y1) (fractions of the size). */
function mean(d: Float64Array, x0: number, x1: number, y0: number, y1: number): number {
  let s = 0;
  let n = 0;
  for (let y = Math.floor(y0 * SIZE); y < y1 * SIZE; y++) {
    for (let x = Math.floor(x0 * SIZE); x < x1 * SIZE; x++) {
      s += d[y * SIZE + x]!;
      n++;
    }
  }
  return s / n;
}

const PATIENTS = [1, 2, 3, 4, 5, 6, 7, 8];

describe('phantom findings (radiographs)', () => {
  it('CVP: bilateral ground glass, brighter in the lower lateral zones than in the upper medial ones', () => {
    for (const p of PATIENTS) {
      const d = findingOnly('cxr', 'CVP', p, 0.9);
      const lowerLateral = (mean(d, 0.15, 0.3, 0.5, 0.7) + mean(d, 0.7, 0.85, 0.5, 0.7)) / 2;
      const upperMedial = (mean(d, 0.38, 0.45, 0.15, 0.3) + mean(d, 0.55, 0.62, 0.15, 0.3)) / 2;
      expect(lowerLateral).toBeGreaterThan(2 * Math.max(upperMedial, 1));
      expect(mean(d, 0.1, 0.5, 0.4, 0.75)).toBeGreaterThan(2);
      expect(mean(d, 0.5, 0.9, 0.4, 0.75)).toBeGreaterThan(2);
    }
  });

  it('OBP: consolidation, mostly on one side; OVP: diffuse and bilateral', () => {
    const asymmetry = (d: Float64Array): number => {
      const left = mean(d, 0.1, 0.5, 0.1, 0.8);
      const right = mean(d, 0.5, 0.9, 0.1, 0.8);
      return Math.max(left, right) / Math.max(0.5, Math.min(left, right));
    };
    const obp = PATIENTS.map((p) => asymmetry(findingOnly('cxr', 'OBP', p, 0.9)));
    const ovp = PATIENTS.map((p) => asymmetry(findingOnly('cxr', 'OVP', p, 0.9)));
    expect(obp.filter((a) => a > 2.5).length).toBeGreaterThanOrEqual(6);
    expect(ovp.every((a) => a < 2)).toBe(true);
  });

  it('severity scales the finding: subtle cases change the image much less', () => {
    for (const finding of ['OBP', 'OVP', 'CVP'] as const) {
      const total = (s: number): number => findingOnly('cxr', finding, 3, s).reduce((a, v) => a + Math.abs(v), 0);
      expect(total(0.1), finding).toBeLessThan(0.6 * total(1));
      expect(total(0.1), finding).toBeGreaterThan(0);
    }
  });
});

describe('phantom findings (CT slices)', () => {
  it('every class but NOR changes the lungs only, never the air outside the body', () => {
    for (const finding of ['OBP', 'OVP', 'CVP'] as const) {
      const d = findingOnly('ct', finding, 4, 0.9);
      expect(mean(d, 0.2, 0.8, 0.3, 0.7), finding).toBeGreaterThan(1);
      expect(mean(d, 0, 0.05, 0, 0.05), finding).toBe(0);
      expect(mean(d, 0, 1, 0.9, 1), finding).toBe(0);
    }
  });
});

describe('phantom anatomy', () => {
  it('varies between patients more than between two images of one patient', () => {
    const image = (patient: string, index: number): Uint8Array =>
      renderImage({ seed: 2, source: 'anatomy', patient, index, modality: 'cxr', finding: 'NOR', severity: 0, profile: { ...NO_ARTIFACTS, noise: 0 }, baseSize: SIZE }).pixels;
    const distance = (a: Uint8Array, b: Uint8Array): number => a.reduce((s, v, i) => s + Math.abs(v - b[i]!), 0) / a.length;
    let closer = 0;
    for (let p = 0; p < 6; p++) {
      const same = distance(image(`p${p}`, 2 * p), image(`p${p}`, 2 * p + 1));
      const other = distance(image(`p${p}`, 2 * p), image(`q${p}`, 2 * p + 1));
      if (same < other) closer++;
    }
    expect(closer).toBeGreaterThanOrEqual(5);
  });
});
