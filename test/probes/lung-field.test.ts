/**
 * The lung field: `cvr synth --lung-masks` writes its phantoms' true lung masks (masks/<image path>.png), and
 * the default geometric field (two ellipses) covers them; the masked image views blank exactly
 * the pixels they should.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { lungFieldMask, maskedImages, synthesize } from '../../src/data/index.ts';
import { tempDir } from '../run/helpers.ts';

const { dir, dispose } = tempDir('lung-field');
afterAll(() => dispose());

function files(root: string): string[] {
  return readdirSync(root, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? files(join(root, e.name)) : [join(root, e.name)]));
}

describe('the lung field', () => {
  it('cvr synth writes a true lung mask beside every phantom, and the default field covers it', async () => {
    const out = join(dir, 'synth');
    const r = await synthesize({ preset: 'shortcut', seed: 3, scale: 0.05, out, workers: 0, lungMasks: true });
    expect(r.ok).toBe(true);
    const masks = files(join(out, 'masks'));
    const images = files(out).filter((f) => !f.includes('/masks/') && f.endsWith('.png'));
    expect(masks.length).toBe(images.length);
    for (const image of images) expect(existsSync(join(out, 'masks', image.slice(out.length + 1)))).toBe(true);
    const ious: number[] = [];
    for (const file of masks) {
      const { data, info } = await sharp(file).raw().toBuffer({ resolveWithObject: true });
      const field = lungFieldMask(info.width, info.height);
      let lung = 0;
      let both = 0;
      let inField = 0;
      for (let i = 0; i < field.length; i++) {
        const inside = (data[i * info.channels] as number) > 127 ? 1 : 0;
        lung += inside;
        inField += field[i]!;
        both += inside & field[i]!;
      }
      // Two lungs: between a sixth and a half of a frontal radiograph.
      expect(lung / field.length).toBeGreaterThan(1 / 6);
      expect(lung / field.length).toBeLessThan(1 / 2);
      expect(both / lung).toBeGreaterThanOrEqual(0.7);
      ious.push(both / (lung + inField - both));
    }
    expect(ious.reduce((s, x) => s + x, 0) / ious.length).toBeGreaterThanOrEqual(0.65);
  }, 120_000);

  it('blanks the lung field, or everything but it', () => {
    const w = 20;
    const h = 10;
    const pixels = new Uint8Array(w * h * 3).fill(200);
    const source = { width: w, height: h, channels: 3 as const, has: (_id: string) => true, read: (_id: string) => pixels, close: () => undefined };
    const mask = lungFieldMask(w, h);
    const periphery = maskedImages(source, 'periphery').read('x');
    const lung = maskedImages(source, 'lung').read('x');
    for (let p = 0; p < w * h; p++) {
      for (let c = 0; c < 3; c++) {
        expect(periphery[p * 3 + c]).toBe(mask[p] === 1 ? 0 : 200);
        expect(lung[p * 3 + c]).toBe(mask[p] === 1 ? 200 : 0);
      }
    }
    expect(pixels.every((v) => v === 200)).toBe(true);
    // The centre of each ellipse is inside, the corners are not.
    expect(mask[Math.floor(0.44 * h) * w + Math.floor(0.3 * w)]).toBe(1);
    expect(mask[0]).toBe(0);
    expect(mask[w * h - 1]).toBe(0);
  });
});
