import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseCvr } from '../../src/dsl/parse.ts';

const fixtures = join(import.meta.dirname, 'fixtures');

describe('the language.md examples (conformance)', () => {
  it.each(['language-example.cvr', 'classes-block.cvr'])('%s parses with no diagnostics', (name) => {
    const { file, diagnostics } = parseCvr(name, readFileSync(join(fixtures, name), 'utf8'));
    expect(diagnostics).toEqual([]);
    expect(file.items.length).toBeGreaterThan(0);
  });
});
