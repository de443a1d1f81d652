import { join } from 'node:path';
import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import type { SynthSummary } from '../../../src/data/synth/index.ts';
import { synthesize } from '../../../src/data/synth/index.ts';
import { listFiles, tempDir } from './helpers.ts';

let out = '';
let summary: SynthSummary;
beforeAll(async () => {
  out = await tempDir('images');
  const result = await synthesize({ preset: 'paper', out, seed: 11, scale: 0.001, size: 48 });
  if (!result.ok) throw new Error(result.message);
  summary = result.summary;
});

describe('cvr synth images', () => {
  it('are 8-bit single-channel PNGs of their source size, with real content', async () => {
    const files = (await listFiles(out)).filter((f) => f.endsWith('.png'));
    const sizeOf = new Map(summary.counts.map((c) => [c.key, c.sizePx]));
    // one image per folder is enough to check each source
    const byDir = new Map<string, string>();
    for (const f of files) if (!byDir.has(f.slice(0, f.lastIndexOf('/')))) byDir.set(f.slice(0, f.lastIndexOf('/')), f);
    expect(byDir.size).toBe(20); // the 19 folders of PNGs before, and figure1/images (rsna is DICOM, cidc/volumes NIfTI)
    for (const f of byDir.values()) {
      const meta = await sharp(join(out, f)).metadata();
      expect(meta.channels, f).toBe(1);
      expect(meta.depth, f).toBe('uchar');
      const { data, info } = await sharp(join(out, f)).extractChannel(0).raw().toBuffer({ resolveWithObject: true });
      expect(info.width, f).toBe(meta.width);
      expect(info.width, f).toBe(info.height);
      let sum = 0;
      let sum2 = 0;
      for (const v of data) {
        sum += v;
        sum2 += v * v;
      }
      const mean = sum / data.length;
      expect(Math.sqrt(sum2 / data.length - mean * mean), `${f} has contrast`).toBeGreaterThan(20);
    }
    // the sources differ in size (an artifact), as synth.json records
    expect(new Set(sizeOf.values()).size).toBeGreaterThan(2);
    const cxri = (await sharp(join(out, byDir.get('cxri/NORMAL')!)).metadata()).width;
    expect(cxri).toBe(sizeOf.get('cxri'));
    const padchest = (await sharp(join(out, byDir.get('padchest/images')!)).metadata()).width;
    expect(padchest).toBe(sizeOf.get('padchest'));
    expect(padchest).toBe(60); // 48 × 1.25
  });
});
