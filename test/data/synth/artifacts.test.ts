import { describe, expect, it } from 'vitest';
import type { ArtifactProfile, ImageRecipe } from '../../../src/data/synth/index.ts';
import { NO_ARTIFACTS, renderImage } from '../../../src/data/synth/index.ts';

const BASE: ImageRecipe = { seed: 3, source: 'artifacts', patient: '1', index: 1, modality: 'cxr', finding: 'NOR', severity: 0, profile: { ...NO_ARTIFACTS, noise: 0 }, baseSize: 80 };

function render(profile: Partial<ArtifactProfile>, recipe: Partial<ImageRecipe> = {}): { w: number; px: Uint8Array } {
  const img = renderImage({ ...BASE, ...recipe, profile: { ...BASE.profile, ...profile } });
  return { w: img.width, px: img.pixels };
}

/** Pixels that differ between two same-size images, inside a box (fractions of the size). */
function changedIn(a: Uint8Array, b: Uint8Array, w: number, x0: number, x1: number, y0: number, y1: number): number {
  let n = 0;
  for (let y = Math.floor(y0 * w); y < y1 * w; y++) for (let x = Math.floor(x0 * w); x < x1 * w; x++) if (a[y * w + x] !== b[y * w + x]) n++;
  return n;
}

/** Mean absolute difference between horizontal neighbours: high-frequency content. */
function roughness(px: Uint8Array, w: number): number {
  let s = 0;
  for (let y = 0; y < w; y++) for (let x = 1; x < w; x++) s += Math.abs(px[y * w + x]! - px[y * w + x - 1]!);
  return s / (w * (w - 1));
}

describe('source artifacts', () => {
  const plain = render({});

  it('burns a marker into its corner and nowhere else', () => {
    const marker = { text: 'R', corner: 'top-right', height: 0.12, value: 1, opacity: 1, plate: true, probability: 1 } as const;
    const marked = render({ marker });
    expect(changedIn(plain.px, marked.px, plain.w, 0.6, 1, 0, 0.35)).toBeGreaterThan(20);
    expect(changedIn(plain.px, marked.px, plain.w, 0, 0.6, 0, 1)).toBe(0);
    expect(changedIn(plain.px, marked.px, plain.w, 0, 1, 0.35, 1)).toBe(0);
    // probability 0: never drawn
    expect(render({ marker: { ...marker, probability: 0 } }).px).toEqual(plain.px);
  });

  it('draws a hard border of the given grey, and the CT field-of-view circle', () => {
    const framed = render({ border: 0.05, borderValue: 1 });
    for (const i of [0, 3, plain.w - 1, plain.w * plain.w - 1]) expect(framed.px[i]).toBe(255);
    const ct = render({ fieldOfView: 0.45, borderValue: 0 }, { modality: 'ct' });
    expect(ct.px[0]).toBe(0);
    expect(ct.px[plain.w * 2 + 2]).toBe(0);
  });

  it('changes the intensity curve, noise and resolution in the expected direction', () => {
    const mean = (px: Uint8Array): number => px.reduce((a, v) => a + v, 0) / px.length;
    expect(mean(render({ gamma: 1.5 }).px)).toBeLessThan(mean(plain.px) - 5);
    expect(mean(render({ brightness: 0.1 }).px)).toBeGreaterThan(mean(plain.px) + 5);
    expect(roughness(render({ noise: 0.05 }).px, plain.w)).toBeGreaterThan(1.5 * roughness(plain.px, plain.w));
    expect(roughness(render({ resolution: 0.3 }).px, plain.w)).toBeLessThan(0.8 * roughness(plain.px, plain.w));
    expect(roughness(render({ blur: 0.02 }).px, plain.w)).toBeLessThan(0.8 * roughness(plain.px, plain.w));
  });

  it('scales the image size', () => {
    expect(render({ size: 1.25 }).w).toBe(100);
    expect(render({ size: 0.5 }).w).toBe(40);
  });
});
