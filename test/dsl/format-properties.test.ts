import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatCvr } from '../../src/dsl/format.ts';
import { parseCvr } from '../../src/dsl/parse.ts';
import { cvrFile, withoutSpans } from './arbitrary.ts';

describe('formatter properties over generated programs', () => {
  it('parse(format(ast)) gives back the AST, with no diagnostics', () => {
    fc.assert(
      fc.property(cvrFile, (ast) => {
        const text = formatCvr(ast);
        const { file, diagnostics } = parseCvr('generated.cvr', text);
        expect(diagnostics, text).toEqual([]);
        expect(withoutSpans(file), text).toEqual(withoutSpans(ast));
      }),
      { numRuns: Number(process.env["CVR_FC_RUNS"] ?? 300) },
    );
  });
});
