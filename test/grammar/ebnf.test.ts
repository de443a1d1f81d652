import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { tokenLabel } from 'chevrotain';
import { describe, expect, it } from 'vitest';
import { KEYWORDS } from '../../src/dsl/lexer.ts';
import { CvrParser } from '../../src/dsl/parser.ts';

const ebnf = readFileSync(join(import.meta.dirname, '..', '..', 'grammar', 'cvr.ebnf'), 'utf8');
const defined = new Set([...ebnf.matchAll(/^([a-zA-Z_]+)\s*=/gm)].map((m) => m[1]));

describe('grammar/cvr.ebnf and the parser', () => {
  it('defines every parser rule', () => {
    const rules = Object.keys(new CvrParser().getGAstProductions());
    expect(rules.filter((r) => !defined.has(r))).toEqual([]);
  });

  it('uses every keyword as a terminal', () => {
    const words = KEYWORDS.map((k) => tokenLabel(k).replace(/`/g, ''));
    expect(words.filter((w) => !ebnf.includes(`"${w}"`))).toEqual([]);
  });
});
