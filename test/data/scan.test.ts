import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rm, symlink } from 'node:fs/promises';
import { join } from 'node:path';
import { scanSources } from '../../src/data/index.ts';
import type { ResolvedSource } from '../../src/dsl/resolved.ts';
import { folderSource, NO_VALIDATION, pipelineFixture } from './pipeline-fixture.ts';
import { tempDir, writeTree } from './files.ts';

let root: string;
beforeAll(async () => {
  root = await tempDir();
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

const holdout = { form: 'given', groupByPatient: false, validation: NO_VALIDATION } as const;

function pipelineOf(...sources: ResolvedSource[]) {
  return pipelineFixture({ sources, task: ['NCV', 'CVP'], split: holdout });
}

describe('folder sources', () => {
  it('takes the label from the first path segment; non-images and dot files are ledger lines with a warning', async () => {
    const dir = join(root, 'folder1');
    await writeTree(dir, { 'NORMAL/a.png': 'a', 'NORMAL/sub/b.jpeg': 'b', 'COVID/c.PNG': 'c', 'COVID/notes.txt': 'x', '.hidden/d.png': 'd' });
    const result = await scanSources(pipelineOf(folderSource('s', dir, {})), { metadataOnly: true });
    expect(result.diagnostics.map((d) => [d.code, d.severity]).sort()).toEqual([['CVR522', 'warning'], ['CVR525', 'warning']]);
    expect(result.ledger.toJSON()).toEqual([
      {
        source: 's',
        read: 5,
        lines: [
          { line: 'used', count: 3, examples: [] },
          { line: 'not an image', count: 2, examples: ['.hidden/ (hidden file)', 'COVID/notes.txt (not an image file)'] },
        ],
      },
    ]);
    expect(result.images.map((i) => [i.id, i.nativeLabel])).toEqual([
      ['COVID/c.PNG', 'COVID'],
      ['NORMAL/a.png', 'NORMAL'],
      ['NORMAL/sub/b.jpeg', 'NORMAL'],
    ]);
  });

  it('takes labels and patients from path regexes, and reports paths the label regex misses', async () => {
    const dir = join(root, 'kermany');
    await writeTree(dir, {
      'NORMAL/IM-0001.png': '1',
      'PNEUMONIA/person12_bacteria_48.png': '2',
      'PNEUMONIA/person12_virus_3.png': '3',
      'PNEUMONIA/odd.png': '4',
    });
    const source = folderSource('cxri', dir, {}, { labelsFromPath: '(NORMAL|bacteria|virus)', patientsFromPath: '(person\\d+)' });
    const result = await scanSources(pipelineOf(source), { metadataOnly: true });
    expect(result.images.map((i) => [i.nativeLabel, i.patient ?? null])).toEqual([
      ['NORMAL', null],
      ['bacteria', 'person12'],
      ['virus', 'person12'],
    ]);
    const codes = result.diagnostics.map((d) => [d.code, d.severity]);
    expect(codes).toContainEqual(['CVR508', 'error']);
    expect(result.diagnostics.find((d) => d.severity === 'error')?.data).toMatchObject({ count: 1 });
  });

  it('refuses a link that leads out of the root, and follows one that stays inside', async () => {
    const dir = join(root, 'links');
    const outside = join(root, 'outside');
    await writeTree(outside, { 'secret.png': 's' });
    await writeTree(dir, { 'A/real.png': 'r' });
    await symlink(join(outside, 'secret.png'), join(dir, 'A', 'escape.png'));
    await symlink(join(dir, 'A', 'real.png'), join(dir, 'A', 'alias.png'));
    const result = await scanSources(pipelineOf(folderSource('s', dir, {})), { metadataOnly: true });
    expect(result.images.map((i) => i.id).sort()).toEqual(['A/alias.png', 'A/real.png']);
    const escape = result.diagnostics.find((d) => d.code === 'CVR503');
    expect(escape?.data).toMatchObject({ count: 1, first: ['A/escape.png'] });
  });

  it('reports a missing folder as CVR501', async () => {
    const result = await scanSources(pipelineOf(folderSource('s', join(root, 'nope'), {})), { metadataOnly: true });
    expect(result.diagnostics.map((d) => d.code)).toEqual(['CVR501']);
  });
});

function manifestSource(name: string, file: string, columns: Record<string, unknown>, extra: Record<string, unknown> = {}): ResolvedSource {
  return {
    name,
    locations: [{ kind: 'manifest', file, columns: columns as never, root: join(file, '..'), ...extra } as never],
    map: {},
    coarse: 'error',
  };
}

describe('manifest sources', () => {
  it('reads CSV with a header, quoted fields and a BOM', async () => {
    const dir = join(root, 'csv');
    await writeTree(dir, { 'labels.csv': '\ufeffImageID,PatientID,label\n"a,1.png",p1,"COVID 19"\nb.png,p2,COVID 19\n' });
    const source = manifestSource('padchest', join(dir, 'labels.csv'), { image: 'ImageID', label: 'label', patient: 'PatientID' });
    const result = await scanSources(pipelineOf(source), { metadataOnly: true });
    expect(result.diagnostics).toEqual([]);
    expect(result.images.map((i) => [i.id, i.nativeLabel, i.patient])).toEqual([
      ['a,1.png', 'COVID 19', 'p1'],
      ['b.png', 'COVID 19', 'p2'],
    ]);
  });

  it('reads TSV with a header', async () => {
    const dir = join(root, 'tsv');
    await writeTree(dir, { 'list.tsv': 'image\tfinding\nx.png\tCOVID\ny.png\tnormal\n' });
    const source = manifestSource('t', join(dir, 'list.tsv'), { image: 'image', label: 'finding' });
    const result = await scanSources(pipelineOf(source), { metadataOnly: true });
    expect(result.images.map((i) => [i.id, i.nativeLabel])).toEqual([
      ['x.png', 'COVID'],
      ['y.png', 'normal'],
    ]);
  });

  it('reads whitespace-separated headerless lists, one manifest holding several sources', async () => {
    const dir = join(root, 'covidx');
    await writeTree(dir, {
      'train.txt': 'p1 a.png positive cohen\np2 b.png negative rsna\np3  c.png   positive ricord extra\n',
      'test.txt': 'p9 t1.png positive ricord\np8 t2.png negative rsna\n',
    });
    const columns = { image: 'image', label: 'label', patient: 'patient', source: 'source', positional: ['patient', 'image', 'label', 'source'] };
    const location = (list: string, partition: 'train' | 'test', value: string) => ({
      kind: 'manifest' as const,
      file: join(dir, list),
      columns,
      root: join(dir, partition),
      sourceColumn: 'source',
      sourceValue: value,
      partition,
    });
    const rsna: ResolvedSource = { name: 'rsna', locations: [location('train.txt', 'train', 'rsna'), location('test.txt', 'test', 'rsna')], map: {}, coarse: 'error' };
    const ricord: ResolvedSource = { name: 'ricord', locations: [location('train.txt', 'train', 'ricord'), location('test.txt', 'test', 'ricord')], map: {}, coarse: 'error' };
    const result = await scanSources(pipelineOf(rsna, ricord), { metadataOnly: true });
    expect(result.diagnostics).toEqual([]);
    expect(result.images.map((i) => [i.source, i.id, i.nativeLabel, i.patient, i.partition])).toEqual([
      ['rsna', 'train/b.png', 'negative', 'p2', 'train'],
      ['rsna', 'test/t2.png', 'negative', 'p8', 'test'],
      ['ricord', 'train/c.png', 'positive', 'p3', 'train'],
      ['ricord', 'test/t1.png', 'positive', 'p9', 'test'],
    ]);
  });

  it('takes partitions from a partition column', async () => {
    const dir = join(root, 'partcol');
    await writeTree(dir, { 'm.csv': 'img,lab,split\na.png,x,train\nb.png,x,TEST\nc.png,x,holdout\n' });
    const source = manifestSource('s', join(dir, 'm.csv'), { image: 'img', label: 'lab', partition: 'split' });
    const result = await scanSources(pipelineOf(source), { metadataOnly: true });
    expect(result.images.map((i) => i.partition)).toEqual(['train', 'test', undefined]);
    expect(result.diagnostics.map((d) => d.code)).toEqual(['CVR512']);
  });

  it('names a missing column and lists the columns there are', async () => {
    const dir = join(root, 'badcol');
    await writeTree(dir, { 'm.csv': 'filename,finding\na.png,x\n' });
    const source = manifestSource('s', join(dir, 'm.csv'), { image: 'ImageID', label: 'finding' });
    const result = await scanSources(pipelineOf(source), { metadataOnly: true });
    expect(result.diagnostics.map((d) => d.code)).toEqual(['CVR502']);
    expect(result.diagnostics[0]!.message).toContain('"filename"');
  });

  it('refuses image paths with "..", absolute paths and links out of the root', async () => {
    const dir = join(root, 'escape');
    await writeTree(dir, { 'images/ok.png': 'o', 'outside.png': 'x', 'm.csv': 'img,lab\nok.png,a\n../outside.png,a\n/etc/passwd,a\nimages/../../x.png,a\nlink.png,a\n' });
    await symlink(join(dir, 'outside.png'), join(dir, 'images', 'link.png'));
    const source = manifestSource('s', join(dir, 'm.csv'), { image: 'img', label: 'lab' }, { root: join(dir, 'images') });
    const lexical = await scanSources(pipelineOf(source), { metadataOnly: true });
    expect(lexical.diagnostics.map((d) => d.code)).toEqual(['CVR503']);
    expect(lexical.diagnostics[0]!.data).toMatchObject({ count: 3 });
    const full = await scanSources(pipelineOf(source), { metadataOnly: false });
    expect(full.diagnostics.filter((d) => d.code === 'CVR503').map((d) => d.data?.['count'])).toEqual([3, 1]);
    expect(full.images.map((i) => i.id)).toEqual(['ok.png']);
  });

  it('missing images are a warning listing the rows and a ledger line, unless metadata-only', async () => {
    const dir = join(root, 'missing');
    const rows = Array.from({ length: 9 }, (_, i) => `m${i}.png,a`).join('\n');
    await writeTree(dir, { 'here.png': 'h', 'm.csv': `img,lab\nhere.png,a\n${rows}\n` });
    const source = manifestSource('s', join(dir, 'm.csv'), { image: 'img', label: 'lab' });
    const full = await scanSources(pipelineOf(source), { metadataOnly: false });
    expect(full.diagnostics.map((d) => [d.code, d.severity])).toEqual([['CVR529', 'warning']]);
    // Header on line 1, here.png on line 2, m0.png on line 3.
    expect(full.diagnostics[0]!.data).toMatchObject({ count: 9, listed: 10, first: ['row 3: m0.png', 'row 4: m1.png', 'row 5: m2.png', 'row 6: m3.png', 'row 7: m4.png'] });
    expect(full.diagnostics[0]!.message).toContain('and 4 more');
    expect(full.images.map((i) => i.id)).toEqual(['here.png']);
    expect(full.ledger.toJSON()[0]).toMatchObject({ read: 10, lines: [{ line: 'used', count: 1 }, { line: 'missing file', count: 9 }] });
    const metadata = await scanSources(pipelineOf(source), { metadataOnly: true });
    expect(metadata.diagnostics).toEqual([]);
    expect(metadata.images).toHaveLength(10);
  });

  it('an error when not one row names an existing file: the folder is wrong', async () => {
    const dir = join(root, 'all-missing');
    await writeTree(dir, { 'm.csv': 'img,lab\nx.png,a\ny.png,a\n' });
    const full = await scanSources(pipelineOf(manifestSource('s', join(dir, 'm.csv'), { image: 'img', label: 'lab' })), { metadataOnly: false });
    expect(full.diagnostics.map((d) => [d.code, d.severity])).toEqual([['CVR504', 'error']]);
    expect(full.diagnostics[0]!.data).toMatchObject({ count: 2, listed: 2, first: ['row 2: x.png', 'row 3: y.png'] });
    expect(full.diagnostics[0]!.hint).toContain('folder is probably wrong');
    expect(full.ledger.toJSON()[0]).toMatchObject({ read: 2, lines: [{ line: 'missing file', count: 2 }] });
  });

  it('warns about an image listed twice and keeps the first', async () => {
    const dir = join(root, 'dups');
    await writeTree(dir, { 'm.csv': 'img,lab\na.png,x\n./a.png,y\n' });
    const source = manifestSource('s', join(dir, 'm.csv'), { image: 'img', label: 'lab' });
    const result = await scanSources(pipelineOf(source), { metadataOnly: true });
    expect(result.images.map((i) => i.nativeLabel)).toEqual(['x']);
    expect(result.diagnostics.map((d) => d.code)).toEqual(['CVR513']);
  });
});
