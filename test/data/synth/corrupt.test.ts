import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { NOT_AN_IMAGE, synthesize } from '../../../src/data/synth/index.ts';
import { parseCsv, tempDir } from './helpers.ts';

async function decodes(path: string): Promise<boolean> {
  try {
    await sharp(path).raw().toBuffer();
    return true;
  } catch {
    return false;
  }
}

describe('cvr synth --corrupt', () => {
  it('plants files that do not decode and a manifest row naming a missing file', async () => {
    const out = await tempDir('corrupt');
    const result = await synthesize({ preset: 'tiny', out, seed: 9, corrupt: 6 });
    if (!result.ok) throw new Error(result.message);
    const planted = result.summary.corrupt;
    expect(planted.map((p) => p.kind)).toEqual(['truncated', 'not-an-image', 'missing-file', 'empty', 'truncated', 'not-an-image']);
    expect(new Set(planted.map((p) => p.file)).size).toBe(planted.length);
    for (const p of planted) {
      const path = join(out, p.file);
      switch (p.kind) {
        case 'missing-file':
          await expect(stat(path)).rejects.toThrow();
          break;
        case 'truncated': {
          const bytes = await readFile(path);
          expect(bytes.subarray(1, 4).toString('latin1')).toBe('PNG');
          expect(await decodes(path)).toBe(false);
          break;
        }
        case 'not-an-image':
          expect(await readFile(path, 'utf8')).toBe(NOT_AN_IMAGE);
          expect(await decodes(path)).toBe(false);
          break;
        case 'empty':
          expect((await stat(path)).size).toBe(0);
          expect(await decodes(path)).toBe(false);
          break;
        default:
          throw new Error(`unexpected kind ${p.kind}`);
      }
      // a planted file of a manifest source is listed there, so a loader reading the manifest meets it
      if (p.manifest !== null) {
        const rows = parseCsv(await readFile(join(out, p.manifest), 'utf8'));
        expect(rows.some((r) => p.file.endsWith(`/${r[0]}`))).toBe(true);
      }
    }
    // the real images still decode
    expect(await decodes(join(out, 'gamma/images/g001.png'))).toBe(true);
  });

  it('plants no missing-file row in a preset without manifests', async () => {
    const out = await tempDir('corrupt-shortcut');
    const result = await synthesize({ preset: 'shortcut', out, seed: 1, scale: 0.05, size: 32, corrupt: 3 });
    if (!result.ok) throw new Error(result.message);
    expect(result.summary.corrupt.map((p) => p.kind)).toEqual(['truncated', 'not-an-image', 'empty']);
    for (const p of result.summary.corrupt) expect(await decodes(join(out, p.file))).toBe(false);
  });
});
