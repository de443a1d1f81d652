/**
 * language.md "Real metadata": the section's code block, as written, parses and checks clean,
 * resolves to what it says, and `cvr fmt` keeps it canonical (formatting it twice is stable and
 * parses back to the same tree).
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { formatCvr, loadPipelines, parseCvr } from '../../src/dsl/index.ts';
import { astText } from './ast-text.ts';

const fixtures = fileURLToPath(new URL('./fixtures/', import.meta.url));
const example = path.join(fixtures, 'real-metadata-example.cvr');
const DESIGN = '/work/shared/design/language.md';

function blockOfFixture(): string {
  const text = readFileSync(example, 'utf8');
  return text.slice(text.indexOf('# BEGIN language.md\n') + '# BEGIN language.md\n'.length, text.indexOf('# END language.md'));
}

describe('language.md real-metadata forms (conformance)', () => {
  it.skipIf(!existsSync(DESIGN))('the fixture holds the design section\'s code block verbatim', () => {
    const design = readFileSync(DESIGN, 'utf8');
    const section = design.slice(design.indexOf('## Real metadata'));
    const open = section.indexOf('```\n') + 4;
    expect(blockOfFixture()).toBe(section.slice(open, section.indexOf('```', open)));
  });

  it('checks clean', async () => {
    const result = await loadPipelines([example]);
    expect(result.diagnostics).toEqual([]);
  });

  it('resolves to what the block says', async () => {
    const [p] = (await loadPipelines([example])).pipelines;
    const cidc = p?.sources.find((s) => s.name === 'cidc');
    const loc = cidc?.locations[0];
    expect(loc?.kind === 'manifest' && loc.columns.where).toEqual({
      op: 'and',
      terms: [
        { op: '==', column: 'modality', value: 'X-ray' },
        { op: 'in', column: 'view', values: ['PA', 'AP', 'AP Supine'] },
      ],
    });
    expect(cidc?.map).toEqual({ 'No Finding': 'NOR', '': null });
    expect(cidc?.patterns).toEqual([
      { pattern: 'COVID-19', flags: '', target: 'CVP' },
      { pattern: '^Pneumonia/Bacterial', flags: '', target: 'OBP' },
      { pattern: '^Pneumonia/Viral', flags: '', target: 'OVP' },
    ]);
    expect(cidc?.other).toBeNull();
    const nih = p?.sources.find((s) => s.name === 'nih')?.locations[0];
    expect(nih?.kind === 'manifest' && nih.columns).toMatchObject({ label: 'Finding Labels', labelSplit: '|', where: { op: '!=', column: 'View Position', value: 'LL' } });
    const figure1 = p?.sources.find((s) => s.name === 'figure1')?.locations[0];
    expect(figure1?.kind === 'manifest' && figure1.columns.image).toBe('{patientid}.*');
    expect(p?.sourceManifests?.[0]).toMatchObject({ alias: { rnsa: 'rsna' }, partition: 'train', columns: { delimiter: 'whitespace', positional: ['patient', 'image', 'label', 'source'] } });
  });

  it('cvr fmt keeps it canonical: stable, same tree, map entries in written order', () => {
    const text = readFileSync(example, 'utf8');
    const parsed = parseCvr(example, text);
    expect(parsed.diagnostics).toEqual([]);
    const once = formatCvr(parsed.file!);
    const again = parseCvr(example, once);
    expect(again.diagnostics).toEqual([]);
    expect(formatCvr(again.file!)).toBe(once);
    expect(astText(again.file!, false)).toBe(astText(parsed.file!, false));
    const cidcText = once.slice(once.indexOf("source cidc"), once.indexOf("source nih"));
    const order = [...cidcText.matchAll(/^\s+(\/COVID-19\/|\/\^Pneumonia\\\/Bacterial\/|\/\^Pneumonia\\\/Viral\/|"No Finding"|""|other) -> /gm)].map((m) => m[1]);
    expect(order).toEqual(['/COVID-19/', '/^Pneumonia\\/Bacterial/', '/^Pneumonia\\/Viral/', '"No Finding"', '""', 'other']);
    for (const line of ['where modality == "X-ray" and view in ("PA", "AP", "AP Supine")', 'label "Finding Labels" split "|"', 'where "View Position" != "LL"', 'image "{patientid}.*"', 'delimiter whitespace', '"rnsa" -> rsna']) {
      expect(once).toContain(line);
    }
  });
});
