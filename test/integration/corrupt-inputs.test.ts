// `cvr synth --corrupt` plants bad inputs; the loaders (scanning, preprocessing) must report each
// one as a diagnostic naming its file, never crash.
import { copyFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { synthesize } from '../../src/data/synth/index.ts';
import { prepareImages, scanSources } from '../../src/data/index.ts';
import { loadPipelines } from '../../src/dsl/index.ts';
import { tempDir } from '../data/synth/helpers.ts';

describe('loaders on the inputs that synth --corrupt plants', () => {
  it('report every planted file by name and reason', async () => {
    const dir = await tempDir('corrupt-loaders');
    const result = await synthesize({ preset: 'tiny', out: join(dir, 'data/tiny'), seed: 3, corrupt: 4 });
    if (!result.ok) throw new Error(result.message);
    const planted = result.summary.corrupt;
    expect(planted.map((p) => p.kind).sort()).toEqual(['empty', 'missing-file', 'not-an-image', 'truncated']);

    await copyFile(new URL('../../examples/tiny.cvr', import.meta.url), join(dir, 'tiny.cvr'));
    const loaded = await loadPipelines([join(dir, 'tiny.cvr')]);
    expect(loaded.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    const pipeline = loaded.pipelines[0];
    if (pipeline === undefined) throw new Error('no pipeline');

    const scan = await scanSources(pipeline, { metadataOnly: false });
    const missing = planted.find((p) => p.kind === 'missing-file');
    // One file missing among many: a warning listing the row, and the ledger line `missing file`.
    const missingReport = scan.diagnostics.find((d) => d.code === 'CVR529');
    expect(missingReport?.severity).toBe('warning');
    expect(scan.ledger.toJSON().reduce((n, s) => n + (s.lines.find((l) => l.line === 'missing file')?.count ?? 0), 0)).toBe(1);
    expect(JSON.stringify(missingReport)).toContain(missing?.file.split('/').pop());

    const prep = await prepareImages(
      scan.images.map((image) => ({ id: `${image.source}/${image.id}`, path: image.absPath })),
      pipeline.image,
      { cacheDir: join(dir, 'cache') },
    );
    expect(prep.ok).toBe(false);
    if (prep.ok) return;
    for (const bad of planted.filter((p) => p.kind !== 'missing-file')) {
      const report = prep.diagnostics.find((d) => d.file === join(dir, 'data/tiny', bad.file));
      expect(report, `no diagnostic for ${bad.kind} ${bad.file}`).toBeDefined();
      expect(report?.severity).toBe('error');
      expect(report?.message.length).toBeGreaterThan(10);
    }
    // Nothing else is blamed: every diagnostic names one of the planted files.
    const plantedPaths = new Set(planted.map((p) => join(dir, 'data/tiny', p.file)));
    for (const d of prep.diagnostics) expect(plantedPaths.has(d.file ?? '')).toBe(true);
  });
});
