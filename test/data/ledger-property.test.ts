/**
 * The ledger adds up, and each row lands on the line its content dictates: over random
 * manifests (filter column, labels, repeated and missing files, volumes; with the diagnostic
 * each missing-file case calls for) and random folder trees
 * (images, hidden files, non-image files, volumes), the expected line of every row or file is
 * computed here from the generated content, independently of cvr.
 */
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scanSources } from '../../src/data/scan.ts';
import { mapLabels } from '../../src/data/labels.ts';
import { COVID_CLASSES, folderSource, pipelineFixture } from './pipeline-fixture.ts';
import { tempDir } from './files.ts';
import type { ResolvedSource } from '../../src/dsl/resolved.ts';

let root: string;
beforeAll(async () => {
  root = await tempDir('cvr-ledger-');
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

const split = { form: 'holdout', testFraction: 0.2, stratified: false, validation: { fraction: 0, stratified: false, fromTest: false }, groupByPatient: false } as never;

const row = fc.record({
  file: fc.integer({ min: 0, max: 12 }),
  ext: fc.constantFrom('.png', '.png', '.png', '.nii.gz'),
  modality: fc.constantFrom('X-ray', 'CT'),
  label: fc.constantFrom('covid', 'normal', 'lateral', '', 'x|covid', 'covid|normal', 'normal|lateral'),
  exists: fc.boolean(),
});

let n = 0;

describe('ledger property', () => {
  it('manifests: lines sum to read, and each row lands on its line', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(row, { maxLength: 30 }), fc.boolean(), async (rows, split_) => {
        const dir = join(root, `m${n++}`);
        await mkdir(join(dir, 'images'), { recursive: true });
        const nameOf = (r: (typeof rows)[number]): string => `f${r.file}${r.ext}`;
        const lines = ['file,modality,label', ...rows.map((r) => `${nameOf(r)},${r.modality},${r.label}`)];
        await writeFile(join(dir, 'm.csv'), `${lines.join('\n')}\n`);
        // A file exists when any row naming it says so.
        const exists = new Set(rows.filter((r) => r.exists).map(nameOf));
        for (const f of exists) await writeFile(join(dir, 'images', f), '');
        const source: ResolvedSource = {
          name: 's',
          locations: [{ kind: 'manifest', file: join(dir, 'm.csv'), root: join(dir, 'images'), columns: { image: 'file', label: 'label', where: { op: '==', column: 'modality', value: 'X-ray' }, ...(split_ ? { labelSplit: '|' } : {}) } }],
          map: { normal: 'NOR', '': null },
          patterns: [{ pattern: '^cov', flags: '', target: 'CVP' }],
          other: null,
          coarse: 'error',
        };
        const pipeline = pipelineFixture({ sources: [source], task: ['NOR', 'CVP'], split });
        const scan = await scanSources({ ...pipeline, classes: COVID_CLASSES }, { metadataOnly: false });
        mapLabels({ ...pipeline, classes: COVID_CLASSES }, scan.images, scan.ledger);
        const ledger = scan.ledger.toJSON();
        // Independent: the line of each row.
        const expected: Record<string, number> = {};
        const seen = new Set<string>();
        let resolving = 0;
        const classOf = (v: string): string | null => (v === 'normal' ? 'NOR' : /^cov/.test(v) ? 'CVP' : null);
        for (const r of rows) {
          let line: string;
          if (r.modality !== 'X-ray') line = 'filtered';
          else if (seen.has(nameOf(r))) line = 'duplicate row';
          else {
            seen.add(nameOf(r));
            // A volume is `not an image` by its name; every other row's file is looked for.
            if (r.ext !== '.nii.gz') resolving++;
            if (r.ext === '.nii.gz') line = 'not an image';
            else if (!exists.has(nameOf(r))) line = 'missing file';
            else {
              const values = split_ ? r.label.split('|').map((v) => v.trim()).filter((v) => v !== '') : [r.label];
              const classes = [...new Set(values.map(classOf).filter((c): c is string => c !== null))];
              line = classes.length === 0 ? 'dropped' : classes.length === 1 ? 'used' : 'conflicting';
            }
          }
          expected[line] = (expected[line] ?? 0) + 1;
        }
        const s = ledger[0]!;
        expect(s.read).toBe(rows.length);
        expect(s.lines.reduce((a, l) => a + l.count, 0)).toBe(s.read);
        expect(Object.fromEntries(s.lines.map((l) => [l.line, l.count]))).toEqual(expected);
        // Missing files warn (CVR529) with the rows; when no row's file exists, it is an error (CVR504).
        const missing = expected['missing file'] ?? 0;
        const codes = scan.diagnostics.map((d) => d.code);
        expect(codes.includes('CVR504')).toBe(missing > 0 && missing === resolving);
        expect(codes.includes('CVR529')).toBe(missing > 0 && missing < resolving);
        expect(codes.includes('CVR526')).toBe((expected['not an image'] ?? 0) > 0);
      }),
      { numRuns: 40, seed: 13 },
    );
  });

  it('folders: images, hidden files, non-image files and volumes each land on their line', async () => {
    const entry = fc.record({ label: fc.constantFrom('A', 'B', '.h'), name: fc.integer({ min: 0, max: 20 }), kind: fc.constantFrom('.png', '.jpg', '.txt', '.nii.gz', '.dcm', '.weird', 'hidden') });
    await fc.assert(
      fc.asyncProperty(fc.array(entry, { maxLength: 25 }), async (entries) => {
        const dir = join(root, `f${n++}`);
        const files = new Map<string, string>();
        for (const e of entries) files.set(`${e.label}/${e.kind === 'hidden' ? `.x${e.name}` : `n${e.name}${e.kind}`}`, e.kind);
        for (const path of files.keys()) {
          await mkdir(join(dir, path.split('/')[0]!), { recursive: true });
          await writeFile(join(dir, path), '');
        }
        await mkdir(dir, { recursive: true });
        const pipeline = pipelineFixture({ sources: [folderSource('s', dir, { A: 'NOR', B: 'CVP' })], task: ['NOR', 'CVP'], split });
        const scan = await scanSources({ ...pipeline, classes: COVID_CLASSES }, { metadataOnly: true });
        mapLabels({ ...pipeline, classes: COVID_CLASSES }, scan.images, scan.ledger);
        const expected: Record<string, number> = {};
        const hiddenDirs = new Set([...files.keys()].filter((p) => p.startsWith('.h/')).map(() => '.h'));
        let read = hiddenDirs.size; // a hidden folder is one entry, not walked
        for (const [path, kind] of files) {
          if (path.startsWith('.h/')) continue;
          read++;
          const line = kind === '.png' || kind === '.jpg' || kind === '.dcm' ? 'used' : 'not an image';
          expected[line] = (expected[line] ?? 0) + 1;
        }
        if (hiddenDirs.size > 0) expected['not an image'] = (expected['not an image'] ?? 0) + 1;
        const s = scan.ledger.toJSON()[0]!;
        expect(s.read).toBe(read);
        expect(s.lines.reduce((a, l) => a + l.count, 0)).toBe(s.read);
        expect(Object.fromEntries(s.lines.map((l) => [l.line, l.count]))).toEqual(expected);
      }),
      { numRuns: 40, seed: 14 },
    );
  });
});
