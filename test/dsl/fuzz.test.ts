import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CODES } from '../../src/diag/codes/index.ts';
import { formatCvr } from '../../src/dsl/format.ts';
import { parseCvr } from '../../src/dsl/parse.ts';
import { cvrFile } from './arbitrary.ts';

const numRuns = Number(process.env['CVR_FC_RUNS'] ?? 300);
const fixtures = ['fixtures', 'parse-fixtures'].flatMap((dir) => {
  const path = join(import.meta.dirname, dir);
  return readdirSync(path).filter((f) => f.endsWith('.cvr')).map((f) => readFileSync(join(path, f), 'utf8'));
});

/** Parsing must end in an AST and diagnostics, whatever the input: never a throw, every span inside the text. */
function expectWellBehaved(text: string): void {
  const { file, diagnostics } = parseCvr('fuzz.cvr', text);
  for (const d of diagnostics) {
    expect(Object.keys(CODES)).toContain(d.code);
    const span = d.span;
    expect(span, d.message).toBeDefined();
    if (span === undefined) continue;
    expect(span.start).toBeGreaterThanOrEqual(0);
    expect(span.end).toBeGreaterThanOrEqual(span.start);
    expect(span.end).toBeLessThanOrEqual(text.length);
    expect(span.line).toBeGreaterThanOrEqual(1);
    expect(span.column).toBeGreaterThanOrEqual(1);
  }
  // Whatever part of the file parsed can still be printed.
  expect(typeof formatCvr(file)).toBe('string');
}

/** Text made of the language's own pieces, so the parser gets deep before it fails. */
const tokenSoup = fc
  .array(
    fc.oneof(
      fc.constantFrom('pipeline', 'source', 'sources', 'from', 'manifest', 'map', '{', '}', '->', ',', '=', '|', 'task', 'vs',
        'split', 'kfold', 'holdout', 'test', 'validation', 'image', 'size', 'x', 'train', 'optimizer', 'evaluate', 'gradcam',
        'columns', 'partition', 'drop', 'coarse', 'labels', 'path', 'augment', 'flip', 'p', 'model', 'compare', 'models',
        '"s"', '"unterminated', '/re/', '/open', '20%', '15deg', '1e-4', '#c\n', '\n', '$', '\\', '"a\\q"', 'NOR', 'engine'),
      fc.string({ maxLength: 4 }),
    ),
    { maxLength: 60 },
  )
  .map((parts) => parts.join(' '));

/** A valid program with a few random edits: deletions, insertions, duplications. */
const mutated = fc
  .tuple(
    fc.oneof(fc.constantFrom(...fixtures), cvrFile.map(formatCvr)),
    fc.array(fc.tuple(fc.nat(), fc.nat({ max: 12 }), fc.constantFrom('', '{', '}', '"', '/', '#', ' x ', '\n', '->', '%', 'vs', 'ééé', '\u0000')), {
      minLength: 1,
      maxLength: 5,
    }),
  )
  .map(([text, edits]) =>
    edits.reduce((t, [at, length, insert]) => {
      const start = t.length === 0 ? 0 : at % t.length;
      return t.slice(0, start) + insert + t.slice(start + length);
    }, text),
  );

describe('the front end never throws', () => {
  it('on random strings', () => {
    fc.assert(fc.property(fc.string({ unit: 'binary', maxLength: 200 }), expectWellBehaved), { numRuns });
  });

  it('on random sequences of language tokens', () => {
    fc.assert(fc.property(tokenSoup, expectWellBehaved), { numRuns });
  });

  it('on randomly mutated valid pipelines', () => {
    fc.assert(fc.property(mutated, expectWellBehaved), { numRuns });
  });
});
