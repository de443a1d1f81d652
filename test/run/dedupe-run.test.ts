/**
 * `dedupe near` in a run: the split node reads the prep nodes' signatures and removes the later
 * copies (source order) before splitting; the audit node then finds no test image copying a
 * training image, and the ledger it writes books every removed image. Runs the data stages of
 * `cvr run`'s wiring (training left out). Which files are copies is known from how they were
 * written.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { NO_ARTIFACTS, renderImage, encodePng, editedCopy } from '../../src/data/synth/index.ts';
import { deriveRng } from '../../src/data/synth/random.ts';
import type { SourceLedger } from '../../src/data/index.ts';
import { runDataStages } from './helpers.ts';

const dir = mkdtempSync(join(tmpdir(), 'cvr-dedupe-run-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const phantom = (patient: number): Promise<Buffer> =>
  encodePng(renderImage({ seed: 4, source: 'run', patient: String(patient), index: patient, modality: 'cxr', finding: 'NOR', severity: 0, profile: NO_ARTIFACTS, baseSize: 96 }));

describe('dedupe near in a run', () => {
  it('removes the test source\'s copies before the split; the audit is clean and the ledger books them', { timeout: 240_000 }, async () => {
    let patient = 0;
    for (const [source, label] of [['a', 'normal'], ['b', 'covid'], ['t', 'normal'], ['t', 'covid']] as const) {
      mkdirSync(join(dir, 'data', source, label), { recursive: true });
      for (let i = 0; i < 5; i++) writeFileSync(join(dir, 'data', source, label, `img${i}.png`), await phantom(++patient));
    }
    const copies = new Set<string>();
    for (const [from, label, p] of [['a', 'normal', 2], ['b', 'covid', 7], ['b', 'covid', 9]] as const) {
      const { png } = await editedCopy(await phantom(p), deriveRng(8, from, p, 'edits'));
      writeFileSync(join(dir, 'data', 't', label, `copy${p}.png`), png);
      copies.add(`${label}/copy${p}.png`);
    }
    const file = join(dir, 'run.cvr');
    writeFileSync(
      file,
      `pipeline deduped {
  seed 2
  classes covid
  source a { folder "data/a" map { "normal" -> NCV } }
  source b { folder "data/b" map { "covid" -> CVP } }
  source t { folder "data/t" map { "normal" -> NCV  "covid" -> CVP } }
  task NCV vs CVP
  split holdout { test sources t }
  dedupe near { threshold 0.95  keep first }
  image { size 64 x 64 channels 1 }
  model resnet50 { width 0.0625 }
  train { batch 8 epochs 1 optimizer adam lr 1e-3 }
  evaluate { metrics accuracy }
}
`,
    );
    const { result } = await runDataStages(file, dir);
    const split = (await result.output('split')) as { images: { source: string; id: string }[] };
    const kept = new Set(split.images.map((i) => `${i.source}/${i.id}`));
    for (const c of copies) expect(kept.has(`t/${c}`)).toBe(false);
    expect(split.images).toHaveLength(20);
    const audit = (await result.output('audit')) as { independent: boolean; findings: { code: string }[]; ledger: SourceLedger[]; nearDuplicates?: unknown[] };
    expect(audit.independent).toBe(true);
    expect(audit.findings.map((f) => f.code)).not.toContain('CVR672');
    const removed = audit.ledger.find((s) => s.source === 't')?.lines.find((l) => l.line === 'near-duplicate removed');
    expect(removed?.count).toBe(copies.size);
    for (const s of audit.ledger) expect(s.lines.reduce((n, l) => n + l.count, 0)).toBe(s.read);
  });
});
