import { describe, expect, it } from 'vitest';
import { containedRelativePath, parseManifest, sniffDelimiter } from '../../src/data/index.ts';

describe('sniffDelimiter', () => {
  it.each([
    ['a.csv', 'x\ty\n', 'comma'],
    ['a.tsv', 'x,y\n', 'tab'],
    ['a.txt', 'p1 a.png positive cohen\n', 'whitespace'],
    ['a.txt', 'image\tlabel\n', 'tab'],
    ['a.list', '\n\nimage,label\n', 'comma'],
  ])('%s %j → %s', (name, text, expected) => expect(sniffDelimiter(name, text)).toBe(expected));
});

describe('parseManifest', () => {
  it('CSV: quoted commas, doubled quotes, newlines inside quotes, CRLF, blank lines; rows keep their line numbers', () => {
    const text = 'image,label\r\n"a,b.png","say ""hi"""\r\n\r\n"multi\nline.png",x\r\nc.png,y\r\n';
    const table = parseManifest(text, { fileName: 'm.csv' });
    expect(table.columns).toEqual(['image', 'label']);
    expect(table.rows).toEqual([
      { line: 2, fields: ['a,b.png', 'say "hi"'] },
      { line: 4, fields: ['multi\nline.png', 'x'] },
      { line: 6, fields: ['c.png', 'y'] },
    ]);
  });

  it('headerless whitespace files take positional names', () => {
    const table = parseManifest('p1  a.png\tpositive   cohen\n', { fileName: 'train.txt', positional: ['patient', 'image', 'label', 'source'] });
    expect(table.columns).toEqual(['patient', 'image', 'label', 'source']);
    expect(table.rows[0]!.fields).toEqual(['p1', 'a.png', 'positive', 'cohen']);
  });
});

describe('containedRelativePath', () => {
  it.each([
    ['a/b.png', 'a/b.png'],
    ['./a//b.png', 'a/b.png'],
    ['a\\b.png', 'a/b.png'],
    ['a/../b.png', 'b.png'],
    ['../b.png', null],
    ['a/../../b.png', null],
    ['/etc/passwd', null],
    ['C:\\x.png', null],
    ['', null],
  ])('%j → %j', (written, expected) => expect(containedRelativePath(written)).toBe(expected));
});
