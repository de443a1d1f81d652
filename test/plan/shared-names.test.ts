/**
 * CVR673 (info, metadata only): file names that appear in two sources. The expected count is
 * the set intersection of the names written here.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadPipelines } from '../../src/dsl/index.ts';
import { auditPipeline } from '../../src/plan/index.ts';
import { NO_ARTIFACTS, renderImage, encodePng } from '../../src/data/synth/index.ts';

const dir = mkdtempSync(join(tmpdir(), 'cvr-shared-names-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('shared file names (CVR673)', () => {
  it('counts the file names of one source that appear in another, in a metadata-only audit', async () => {
    const png = await encodePng(renderImage({ seed: 1, source: 's', patient: '1', index: 1, modality: 'cxr', finding: 'NOR', severity: 0, profile: NO_ARTIFACTS, baseSize: 32 }));
    const names = { a: ['x1.png', 'x2.png', 'x3.png', 'only-a.png'], b: ['x2.png', 'x3.png', 'x1.png', 'only-b.png'], c: ['c1.png', 'c2.png'] };
    for (const [source, files] of Object.entries(names)) {
      const label = source === 'b' ? 'covid' : 'normal';
      mkdirSync(join(dir, 'data', source, label), { recursive: true });
      for (const f of files) writeFileSync(join(dir, 'data', source, label, f), png);
    }
    const file = join(dir, 'p.cvr');
    writeFileSync(
      file,
      `pipeline p {
  seed 1
  source a { folder "data/a" map { "normal" -> NCV } }
  source b { folder "data/b" map { "covid" -> CVP } }
  source c { folder "data/c" map { "normal" -> NCV } }
  task NCV vs CVP
  split holdout { test sources c }
  model resnet50 { width 0.0625 }
}
`,
    );
    const loaded = await loadPipelines([file], { cwd: dir });
    const result = await auditPipeline(loaded.pipelines[0]!, { metadataOnly: true });
    const found = result.diagnostics.filter((d) => d.code === 'CVR673');
    const expected = names.a.filter((n) => names.b.includes(n)).sort();
    expect(found).toHaveLength(1);
    expect(found[0]!.severity).toBe('info');
    expect(found[0]!.message).toContain(`${expected.length} file name(s) of source a also appear in source b`);
    expect(found[0]!.data).toMatchObject({ sources: ['a', 'b'], count: expected.length, examples: expected });
    expect(found[0]!.span?.line).toBe(4);
  });
});
