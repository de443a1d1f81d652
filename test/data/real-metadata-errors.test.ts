/** Bad input of the real-metadata forms: located, coded diagnostics, and nothing lost from the ledger. */
import { mkdir, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadPipelines } from '../../src/dsl/index.ts';
import { auditPipeline } from '../../src/plan/audit-pipeline.ts';
import { scanSources } from '../../src/data/scan.ts';
import { COVID_CLASSES, folderSource, pipelineFixture } from './pipeline-fixture.ts';
import { tempDir } from './files.ts';

let root: string;
beforeAll(async () => {
  root = await tempDir('cvr-real-bad-');
});

async function load(name: string, body: string, task = 'NCV vs CVP') {
  const dir = join(root, name);
  await mkdir(dir, { recursive: true });
  const file = join(dir, 'p.cvr');
  const text = `pipeline p {\n  seed 1\n  task ${task}\n  split holdout { test 20% }\n  model cvrnet\n${body}}\n`;
  await writeFile(file, text);
  return { dir, text, loaded: await loadPipelines([file]) };
}

describe('cvr check', () => {
  it('refuses a regex that needs backtracking, at the pattern, with the reason (CVR112)', async () => {
    const { text, loaded } = await load('re', '  source s { folder "d" labels from path /(a)\\1/ map { /(?=x)/ -> CVP } }\n');
    const codes = loaded.diagnostics.filter((d) => d.code === 'CVR112');
    expect(codes).toHaveLength(2);
    expect(text.slice(codes[0]!.span!.start, codes[0]!.span!.end)).toBe('/(a)\\1/');
    expect(codes[0]!.message).toMatch(/invalid escape|backreference|\\1/);
    expect(text.slice(codes[1]!.span!.start, codes[1]!.span!.end)).toBe('/(?=x)/');
  });

  it('a malformed template (CVR114) and, headerless, a where column not among `columns` (CVR420)', async () => {
    const { text, loaded } = await load(
      'tpl',
      '  source s { manifest "m.txt" { columns a b c  image "{a"  label "b"  where zz == "1" } map { other -> CVP } }\n',
    );
    const tpl = loaded.diagnostics.find((d) => d.code === 'CVR114');
    expect(text.slice(tpl!.span!.start, tpl!.span!.end)).toBe('"{a"');
    const where = loaded.diagnostics.find((d) => d.code === 'CVR420');
    expect(text.slice(where!.span!.start, where!.span!.end)).toBe('zz');
    expect(where!.message).toContain('a, b, c');
  });
});

describe('cvr audit on bad manifests', () => {
  it('an unknown where column lists the real columns (CVR516); duplicate header names are an error (CVR520)', async () => {
    const a = await load('where', '  source s { manifest "m.csv" { image "f" label "l" where "View" == "PA" } map { other -> CVP } }\n');
    await writeFile(join(a.dir, 'm.csv'), 'f,l,view\nx.png,a,PA\n');
    const ra = await auditPipeline(a.loaded.pipelines[0]!, { metadataOnly: true });
    const d = ra.diagnostics.find((x) => x.code === 'CVR516');
    expect(d?.message).toContain('"f", "l", "view"');
    const b = await load('dup', '  source s { manifest "m.csv" { image "f" label "l" } map { other -> CVP } }\n');
    await writeFile(join(b.dir, 'm.csv'), 'f,l,l,\nx.png,a,b,\n');
    const rb = await auditPipeline(b.loaded.pipelines[0]!, { metadataOnly: true });
    expect(rb.diagnostics.map((x) => x.code)).toContain('CVR520');
  });

  it('a semicolon file read as commas: the hint names `delimiter semicolon`; with it, the file reads', async () => {
    const a = await load('semi', '  source s { manifest "m.csv" { image "f" label "l" } map { other -> CVP } }\n');
    await writeFile(join(a.dir, 'm.csv'), 'f;l\nx.png;a\n');
    const ra = await auditPipeline(a.loaded.pipelines[0]!, { metadataOnly: true });
    expect(ra.diagnostics.find((x) => x.code === 'CVR502')?.hint).toContain('delimiter semicolon');
    const b = await load('semi2', '  source s { manifest "m.csv" { image "f" label "l" delimiter semicolon } map { other -> CVP } }\n');
    await writeFile(join(b.dir, 'm.csv'), 'f;l\nx.png;a\ny.png;b\n');
    const rb = await auditPipeline(b.loaded.pipelines[0]!, { metadataOnly: true });
    expect(rb.ledger?.[0]).toMatchObject({ source: 's', read: 2 });
  });

  it('empty source values need an alias (CVR519, rows listed); with `alias { "" -> x }` they are a source', async () => {
    const body = (alias: string) => `  sources from manifest "m.txt" {\n    columns image label source\n    delimiter comma\n${alias}    map { other -> CVP }\n  }\n`;
    const a = await load('empty', body(''));
    await writeFile(join(a.dir, 'm.txt'), 'a.png,x,s1\nb.png,x,\nc.png,x,\n');
    const ra = await auditPipeline(a.loaded.pipelines[0]!, { metadataOnly: true });
    const d = ra.diagnostics.find((x) => x.code === 'CVR519');
    expect(d?.data).toMatchObject({ count: 2, rows: [2, 3] });
    const b = await load('empty2', body('    alias { "" -> unnamed }\n'));
    await writeFile(join(b.dir, 'm.txt'), 'a.png,x,s1\nb.png,x,\nc.png,x,\n');
    const rb = await auditPipeline(b.loaded.pipelines[0]!, { metadataOnly: true });
    expect(rb.diagnostics.map((x) => x.code)).not.toContain('CVR519');
    expect(rb.ledger?.find((s) => s.source === 'unnamed')?.read).toBe(2);
  });

  it('rows of a multi-source manifest that belong to no source are on a ledger entry of their own', async () => {
    const body = `  sources from manifest "m.txt" {\n    columns image label source\n    delimiter comma\n    map { other -> CVP }\n  }\n`;
    const a = await load('nosource', body);
    const csv = 'a.png,x,s1\nb.png,x,\nc.png,x,s2\nd.png\ne.png,x, \n';
    await writeFile(join(a.dir, 'm.txt'), csv);
    const r = await auditPipeline(a.loaded.pipelines[0]!, { metadataOnly: true });
    const rows = csv.trim().split('\n').map((l) => l.split(','));
    const empty = rows.filter((f) => f.length === 3 && f[2]!.trim() === '').length;
    const short = rows.filter((f) => f.length < 3).length;
    const entry = r.ledger?.find((s) => s.source === '(no source) m.txt');
    expect(entry?.read).toBe(empty + short);
    expect(entry?.lines).toEqual([
      { line: 'not an image', count: short, examples: ['row 4 (too few fields)'] },
      { line: 'no source', count: empty, examples: ['row 2 (empty source value)', 'row 5 (empty source value)'] },
    ]);
    expect(r.ledger?.reduce((n, s) => n + s.read, 0)).toBe(rows.length);
    for (const s of r.ledger ?? []) expect(s.lines.reduce((n, l) => n + l.count, 0)).toBe(s.read);
  });

  it('the same patient id in two sources is a finding (CVR660), not with `patients shared across sources`', async () => {
    const body = '  source a { manifest "a.csv" { image "f" label "l" patient "p" } map { other -> CVP } }\n  source b { manifest "b.csv" { image "f" label "l" patient "p" } map { other -> NCV } }\n';
    const a = await load('pat', body);
    await writeFile(join(a.dir, 'a.csv'), 'f,l,p\n1.png,x,P7\n2.png,x,P8\n');
    await writeFile(join(a.dir, 'b.csv'), 'f,l,p\n1.png,x,P7\n');
    const ra = await auditPipeline(a.loaded.pipelines[0]!, { metadataOnly: true });
    expect(ra.diagnostics.find((x) => x.code === 'CVR660')?.data).toMatchObject({ count: 1, examples: [{ patient: 'P7', sources: ['a', 'b'] }] });
    const b = await load('pat2', `  patients shared across sources\n${body}`);
    await writeFile(join(b.dir, 'a.csv'), 'f,l,p\n1.png,x,P7\n2.png,x,P8\n');
    await writeFile(join(b.dir, 'b.csv'), 'f,l,p\n1.png,x,P7\n');
    const rb = await auditPipeline(b.loaded.pipelines[0]!, { metadataOnly: true });
    expect(rb.pipeline.patientsShared).toBe(true);
    expect(rb.diagnostics.map((x) => x.code)).not.toContain('CVR660');
  });
});

describe('folder links', () => {
  it('dangling links and loops are ledger lines with a warning; a link back into the tree counts no image twice', async () => {
    const dir = join(root, 'links');
    await mkdir(join(dir, 'A', 'sub'), { recursive: true });
    await writeFile(join(dir, 'A', 'sub', 'x.png'), '');
    await symlink(join(dir, 'A'), join(dir, 'A', 'sub', 'back'));
    await symlink(join(dir, 'nowhere.png'), join(dir, 'A', 'dangling.png'));
    await symlink(join(dir, 'A', 'loop2.png'), join(dir, 'A', 'loop1.png'));
    await symlink(join(dir, 'A', 'loop1.png'), join(dir, 'A', 'loop2.png'));
    const pipeline = { ...pipelineFixture({ sources: [folderSource('s', dir, { A: 'NOR' })], task: ['NOR', 'CVP'], split: { form: 'holdout', testFraction: 0.2 } as never }), classes: COVID_CLASSES };
    const scan = await scanSources(pipeline, { metadataOnly: true });
    expect(scan.images.map((i) => i.id)).toEqual(['A/sub/x.png']);
    expect(scan.diagnostics.map((d) => d.code).sort()).toEqual(['CVR523', 'CVR524']);
    const s = scan.ledger.toJSON()[0]!;
    expect(s.read).toBe(4);
    expect(s.lines.find((l) => l.line === 'not an image')?.count).toBe(3);
  });
});
