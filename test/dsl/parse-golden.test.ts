import { readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatCvr } from '../../src/dsl/format.ts';
import { parseCvr } from '../../src/dsl/parse.ts';
import { astText } from './ast-text.ts';
import { withoutSpans } from './arbitrary.ts';
import { expectGolden } from '../golden.ts';

const goldenDir = join(import.meta.dirname, 'golden');
const ownDir = join(import.meta.dirname, 'parse-fixtures');
/** Every parser fixture, and the language.md example with the file it imports (shared with the checker's tests). */
const fixtures = [
  ...readdirSync(ownDir).filter((f) => f.endsWith('.cvr')).sort().map((f) => join(ownDir, f)),
  join(import.meta.dirname, 'fixtures', 'language-example.cvr'),
  join(import.meta.dirname, 'fixtures', 'common.cvr'),
];

describe.each(fixtures.map((path) => [basename(path), path]))('%s', (name, path) => {
  const text = readFileSync(path, 'utf8');
  const parsed = parseCvr(name, text);
  const base = name.replace(/\.cvr$/, '');

  it('parses with no diagnostics', () => {
    expect(parsed.diagnostics).toEqual([]);
  });

  it('gives the golden AST', () => {
    expectGolden(join(goldenDir, `${base}.ast.txt`), astText(parsed.file));
  });

  it('formats to the golden canonical text, which is a fixed point', () => {
    const formatted = formatCvr(parsed.file);
    expectGolden(join(goldenDir, `${base}.fmt.cvr`), formatted);
    const reparsed = parseCvr(name, formatted);
    expect(reparsed.diagnostics).toEqual([]);
    expect(withoutSpans(reparsed.file)).toEqual(withoutSpans(parsed.file));
    expect(formatCvr(reparsed.file)).toBe(formatted);
  });
});
