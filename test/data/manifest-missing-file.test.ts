/**
 * A manifest row whose image file does not exist (language.md "Precise rules": path resolved, no
 * file → `missing file`, a warning listing the rows); an error only when no row of the location
 * names an existing file. Codes, severities and the span of the source in the .cvr file.
 */
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadPipelines } from '../../src/dsl/index.ts';
import { auditPipeline } from '../../src/plan/audit-pipeline.ts';
import { tempDir } from './files.ts';

let root: string;
beforeAll(async () => {
  root = await tempDir('cvr-missing-');
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

const PIPELINE = (image: string) => `pipeline p {
  seed 7
  task NCV vs CVP
  split holdout { test 50% }
  model cvrnet
  source s {
    manifest "m.csv" { image "${image}" label "label" root "images" }
    map { "n" -> NCV, "c" -> CVP }
  }
}
`;

async function auditOf(dir: string, text: string, files: readonly string[], csv: string) {
  await mkdir(join(dir, 'images'), { recursive: true });
  for (const f of files) await writeFile(join(dir, 'images', f), 'x');
  await writeFile(join(dir, 'm.csv'), csv);
  await writeFile(join(dir, 'p.cvr'), text);
  const loaded = await loadPipelines([join(dir, 'p.cvr')]);
  expect(loaded.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  return auditPipeline(loaded.pipelines[0]!, { metadataOnly: false, concurrency: 2 });
}

/** Where `source s {` stands in the text: line and column, 1-based. */
function sourceAt(text: string): { line: number; column: number } {
  const lines = text.split('\n');
  const line = lines.findIndex((l) => l.includes('source s {'));
  return { line: line + 1, column: lines[line]!.indexOf('source s') + 1 };
}

const CSV = ['image,label', ...Array.from({ length: 10 }, (_, i) => `${i}.png,${i % 2 === 0 ? 'n' : 'c'}`)].join('\n');

describe('manifest rows naming no existing file', () => {
  it('some rows: warning CVR529 at the source, listing the rows; the ledger line `missing file`; the rest used', async () => {
    const dir = join(root, 'some');
    const text = PIPELINE('image');
    const present = ['0.png', '1.png', '2.png', '3.png', '5.png', '7.png', '9.png'];
    const result = await auditOf(dir, text, present, CSV);
    const missing = result.diagnostics.filter((d) => d.code === 'CVR529');
    expect(missing.map((d) => d.severity)).toEqual(['warning']);
    expect(result.diagnostics.filter((d) => d.code === 'CVR504')).toEqual([]);
    expect(missing[0]!.span).toMatchObject(sourceAt(text));
    // Rows 4, 6 and 8 of the CSV (lines 6, 8, 10: the header is line 1) have no file.
    expect(missing[0]!.data).toMatchObject({ count: 3, listed: 10, first: ['row 6: 4.png', 'row 8: 6.png', 'row 10: 8.png'] });
    const ledger = result.ledger?.[0];
    expect(ledger?.read).toBe(10);
    expect(ledger?.lines.find((l) => l.line === 'missing file')).toEqual({ line: 'missing file', count: 3, examples: ['row 6: 4.png', 'row 8: 6.png', 'row 10: 8.png'] });
    expect(ledger?.lines.find((l) => l.line === 'used')?.count).toBe(present.length);
    expect(result.split?.images.map((i) => i.id).sort()).toEqual(present);
  });

  it('every row: error CVR504 at the source, the hint says the folder is probably wrong', async () => {
    const dir = join(root, 'all');
    const text = PIPELINE('image');
    const result = await auditOf(dir, text, [], CSV);
    const errors = result.diagnostics.filter((d) => d.severity === 'error');
    expect(errors.map((d) => d.code)).toEqual(['CVR504']);
    expect(errors[0]!.span).toMatchObject(sourceAt(text));
    expect(errors[0]!.data).toMatchObject({ count: 10, listed: 10 });
    expect(errors[0]!.hint).toContain('folder is probably wrong');
    expect(result.ledger?.[0]).toMatchObject({ read: 10, lines: [{ line: 'missing file', count: 10 }] });
  });

  it('a `.*` template follows the same rule: some stems without a file warn, none found is an error', async () => {
    const some = await auditOf(join(root, 'tpl-some'), PIPELINE('{stem}.*'), ['a.png', 'b.jpg'], 'stem,label\na,n\nb,c\nc,n\n');
    expect(some.diagnostics.filter((d) => d.code === 'CVR529' || d.code === 'CVR504').map((d) => [d.code, d.severity])).toEqual([['CVR529', 'warning']]);
    expect(some.ledger?.[0]?.lines.find((l) => l.line === 'missing file')).toEqual({ line: 'missing file', count: 1, examples: ['row 4: c.*'] });
    const none = await auditOf(join(root, 'tpl-none'), PIPELINE('{stem}.*'), [], 'stem,label\na,n\nb,c\n');
    expect(none.diagnostics.filter((d) => d.severity === 'error').map((d) => d.code)).toEqual(['CVR504']);
  });
});
