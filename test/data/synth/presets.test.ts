import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { synthesize } from '../../../src/data/synth/index.ts';
import { listFiles, parseCsv, tempDir } from './helpers.ts';

/** Files per "<source>/<LABEL>" folder, and the names in it. */
function tallyFolders(files: readonly string[]): Record<string, number> {
  const t: Record<string, number> = {};
  for (const f of files.filter((x) => x.endsWith('.png'))) {
    const parts = f.split('/');
    if (parts.length === 3 && parts[1] !== 'images') t[`${parts[0]}/${parts[1]}`] = (t[`${parts[0]}/${parts[1]}`] ?? 0) + 1;
  }
  return t;
}

describe('cvr synth --preset tiny', () => {
  it('writes 48 images of 64×64 over two folder sources and one manifest source', async () => {
    const out = await tempDir('tiny');
    const result = await synthesize({ preset: 'tiny', out, seed: 1 });
    if (!result.ok) throw new Error(result.message);
    const files = await listFiles(out);
    const classes = ['NOR', 'OBP', 'OVP', 'CVP'];
    expect(tallyFolders(files)).toEqual(Object.fromEntries(['alpha', 'beta'].flatMap((s) => classes.map((c) => [`${s}/${c}`, 4]))));
    const rows = parseCsv(await readFile(join(out, 'gamma/labels.csv'), 'utf8'));
    expect(rows[0]).toEqual(['image', 'label', 'patient']);
    expect(rows.slice(1).map((r) => r[1]).sort()).toEqual(classes.flatMap((c) => [c, c, c, c]).sort());
    for (const r of rows.slice(1)) expect(files).toContain(`gamma/images/${r[0]}`);
    expect(files.filter((f) => f.endsWith('.png'))).toHaveLength(48);
    expect(result.summary.counts.every((c) => c.sizePx === 64)).toBe(true);
  });
});

describe('cvr synth --preset shortcut', () => {
  it('draws CVP mostly from the marked source and gives the external sources both classes', async () => {
    const out = await tempDir('shortcut');
    const result = await synthesize({ preset: 'shortcut', out, seed: 1, scale: 0.1, size: 32 });
    if (!result.ok) throw new Error(result.message);
    const files = await listFiles(out);
    expect(tallyFolders(files)).toEqual({
      'marked/CVP': 18,
      'marked/NOR': 4,
      'clean/NOR': 20,
      'mixed/NOR': 10,
      'mixed/CVP': 10,
      'external-a/NOR': 6,
      'external-a/CVP': 6,
      'external-b/NOR': 6,
      'external-b/CVP': 6,
    });
    for (const f of files.filter((x) => x.endsWith('.png'))) expect(f).toMatch(/^([a-z-]+)\/(NOR|CVP)\/\1-p\d{4}-\d+\.png$/);
  });

  it('scales counts with --scale at the documented default of 1', async () => {
    const out = await tempDir('shortcut-count');
    const result = await synthesize({ preset: 'shortcut', out, seed: 1, scale: 0.02, size: 16 });
    if (!result.ok) throw new Error(result.message);
    // max(4, round(count × 0.02)) for each of the nine (source, label) pairs
    expect(result.summary.images).toBe(4 + 4 + 4 + 4 + 4 + 4 + 4 + 4 + 4);
  });
});
