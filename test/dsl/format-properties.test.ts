import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatCvr } from '../../src/dsl/format.ts';
import { parseCvr } from '../../src/dsl/parse.ts';
import { cvrFile, withoutSpans } from './arbitrary.ts';

const numRuns = Number(process.env['CVR_FC_RUNS'] ?? 300);

/**
 * A non-canonical layout of canonical text: random indentation, blank lines, own-line comments
 * between lines and comments at line ends. (Token order stays: canonical line breaks only fall
 * between tokens, and nothing inside a line, where strings live, is touched.)
 */
const messyLayout = (canonical: string): fc.Arbitrary<string> => {
  const lines = canonical.split('\n').filter((l) => l !== '');
  const commentText = fc.string({ maxLength: 12 }).map((s) => s.replace(/[\r\n]/g, ' '));
  const perLine = fc.record({
    indent: fc.constantFrom('', ' ', '    ', '\t', '      '),
    before: fc.option(commentText, { nil: undefined }),
    blank: fc.boolean(),
    after: fc.option(commentText, { nil: undefined }),
  });
  return fc.tuple(fc.array(perLine, { minLength: lines.length, maxLength: lines.length }), fc.option(commentText, { nil: undefined })).map(
    ([layout, last]) =>
      lines
        .map((line, i) => {
          const l = layout[i];
          if (l === undefined) return line;
          const before = l.before === undefined ? '' : `${l.indent}#${l.before}\n`;
          const after = l.after === undefined ? '' : ` #${l.after}`;
          return `${l.blank ? '\n' : ''}${before}${l.indent}${line.trimStart()}${after}`;
        })
        .join('\n') + (last === undefined ? '\n' : `\n#${last}\n`),
  );
};

function commentTexts(text: string): string[] {
  return parseCvr('x.cvr', text).file.comments.map((c) => c.text.trimEnd()).sort();
}

describe('formatter properties over generated programs', () => {
  it('parse(format(ast)) gives back the AST, with no diagnostics', () => {
    fc.assert(
      fc.property(cvrFile, (ast) => {
        const text = formatCvr(ast);
        const { file, diagnostics } = parseCvr('generated.cvr', text);
        expect(diagnostics, text).toEqual([]);
        expect(withoutSpans(file), text).toEqual(withoutSpans(ast));
      }),
      { numRuns },
    );
  });

  it('on any layout with comments: parse(fmt(x)) equals parse(x), fmt(fmt(x)) equals fmt(x), comments kept', () => {
    const program = cvrFile.chain((ast) => messyLayout(formatCvr(ast)));
    fc.assert(
      fc.property(program, (x) => {
        const parsed = parseCvr('x.cvr', x);
        expect(parsed.diagnostics, x).toEqual([]);
        const once = formatCvr(parsed.file);
        const reparsed = parseCvr('x.cvr', once);
        expect(reparsed.diagnostics, once).toEqual([]);
        expect(withoutSpans(reparsed.file), once).toEqual(withoutSpans(parsed.file));
        expect(formatCvr(reparsed.file), x).toBe(once);
        expect(commentTexts(once)).toEqual(commentTexts(x));
      }),
      { numRuns },
    );
  });
});
