import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatCvr } from '../../src/dsl/format.ts';
import { parseCvr } from '../../src/dsl/parse.ts';
import { astText } from './ast-text.ts';
import { withoutSpans } from './arbitrary.ts';
import { expectGolden } from './golden.ts';

const fixtureDir = join(import.meta.dirname, 'fixtures');
const goldenDir = join(import.meta.dirname, 'golden');
const fixtures = readdirSync(fixtureDir).filter((f) => f.endsWith('.cvr')).sort();

describe.each(fixtures)('%s', (name) => {
  const text = readFileSync(join(fixtureDir, name), 'utf8');
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
