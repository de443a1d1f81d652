/**
 * End to end through `auditPipeline` (what `cvr audit` runs): an independent test source that
 * holds re-encoded, resized and cropped copies of training images is flagged (CVR672, an error;
 * independent false; the examples name the copies). Which images are copies is known from how
 * the data was written, not from cvr.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadPipelines } from '../../src/dsl/index.ts';
import { auditPipeline } from '../../src/plan/index.ts';
import { NO_ARTIFACTS, renderImage, encodePng, editedCopy } from '../../src/data/synth/index.ts';
import { deriveRng } from '../../src/data/synth/random.ts';

const dir = mkdtempSync(join(tmpdir(), 'cvr-near-audit-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function phantom(patient: number): Promise<Buffer> {
  return encodePng(renderImage({ seed: 9, source: 'near', patient: String(patient), index: patient, modality: 'cxr', finding: 'NOR', severity: 0, profile: NO_ARTIFACTS, baseSize: 96 }));
}

async function writeData(): Promise<Set<string>> {
  const copies = new Set<string>();
  let patient = 0;
  for (const [source, label] of [['a', 'normal'], ['b', 'covid'], ['c', 'normal'], ['c', 'covid']] as const) {
    mkdirSync(join(dir, 'data', source, label), { recursive: true });
    for (let i = 0; i < 6; i++) writeFileSync(join(dir, 'data', source, label, `img${i}.png`), await phantom(++patient));
  }
  // three copies of a's images and two of b's, edited, in the independent test source c
  for (const [from, label, i] of [['a', 'normal', 0], ['a', 'normal', 2], ['a', 'normal', 4], ['b', 'covid', 1], ['b', 'covid', 3]] as const) {
    const original = await phantom(from === 'a' ? i + 1 : 7 + i);
    const { png } = await editedCopy(original, deriveRng(3, from, i, 'edits'));
    const name = `copy-of-${from}${i}.png`;
    writeFileSync(join(dir, 'data', 'c', label, name), png);
    copies.add(`c/${label}/${name}`);
  }
  return copies;
}

describe('cvr audit and near-duplicates', () => {
  it('flags an independent test source that holds edited copies of training images', { timeout: 240_000 }, async () => {
    const copies = await writeData();
    const file = join(dir, 'near.cvr');
    writeFileSync(
      file,
      `pipeline near {
  seed 3
  classes covid
  source a { folder "data/a" map { "normal" -> NCV } }
  source b { folder "data/b" map { "covid" -> CVP } }
  source c { folder "data/c" map { "normal" -> NCV  "covid" -> CVP } }
  task NCV vs CVP
  split holdout { test sources c }
  image { size 64 x 64 channels 1 }
  model resnet50 { width 0.0625 }
  train { batch 8 epochs 1 optimizer adam lr 1e-3 }
  evaluate { metrics accuracy }
}

pipeline near_deduped extends near {
  dedupe near { threshold 0.95  keep first }
}
`,
    );
    const loaded = await loadPipelines([file], { cwd: dir });
    const result = await auditPipeline(loaded.pipelines[0]!, { metadataOnly: false, cacheDir: join(dir, 'cache') });
    const leak = result.diagnostics.find((d) => d.code === 'CVR672');
    expect(leak?.severity).toBe('error');
    expect(result.report?.independent).toBe(false);
    // Every planted copy is flagged, and every flagged test image is a planted copy.
    const flagged = result.report?.independence.nearDuplicates ?? 0;
    expect(flagged).toBe(copies.size);
    const examples = (leak?.data as { examples: { a: string; b: string }[] }).examples;
    for (const e of examples) expect(copies.has(e.a)).toBe(true);
    const shared = result.diagnostics.filter((d) => d.code === 'CVR671').map((d) => (d.data as { count: number }).count);
    expect(shared.reduce((s, n) => s + n, 0)).toBeLessThanOrEqual(copies.size);
    // the same audit without the cache (metadata-only) cannot know
    const meta = await auditPipeline(loaded.pipelines[0]!, { metadataOnly: true });
    expect(meta.diagnostics.some((d) => d.code === 'CVR672')).toBe(false);

    // With `dedupe near { keep first }` the copies (in c, the last source) are removed before
    // the split: the audit is clean and the ledger books every removed image.
    const deduped = await auditPipeline(loaded.pipelines[1]!, { metadataOnly: false, cacheDir: join(dir, 'cache') });
    expect(deduped.diagnostics.filter((d) => ['CVR670', 'CVR671', 'CVR672'].includes(d.code))).toEqual([]);
    expect(deduped.report?.independent).toBe(true);
    const removedLines = (deduped.ledger ?? []).flatMap((s) => s.lines.filter((l) => l.line === 'near-duplicate removed').map((l) => ({ source: s.source, ...l })));
    const removedCount = removedLines.reduce((n, l) => n + l.count, 0);
    expect(removedCount).toBe((result.split?.images.length ?? 0) - (deduped.split?.images.length ?? 0));
    expect(removedCount).toBeGreaterThanOrEqual(flagged);
    expect(removedLines.every((l) => l.source === 'c')).toBe(true);
    const kept = new Set(deduped.split?.images.map((i) => `${i.source}/${i.id}`));
    for (const e of examples) expect(kept.has(e.a)).toBe(false);
    for (const e of examples) expect(kept.has(e.b)).toBe(true);
    // every source's ledger still adds up to what it read
    for (const s of deduped.ledger ?? []) expect(s.lines.reduce((n, l) => n + l.count, 0)).toBe(s.read);
    // a metadata-only audit says that it cannot apply the dedupe
    const metaDeduped = await auditPipeline(loaded.pipelines[1]!, { metadataOnly: true });
    expect(metaDeduped.diagnostics.find((d) => d.code === 'CVR674')?.severity).toBe('info');
  });
});
