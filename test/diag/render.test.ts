import { describe, expect, it } from 'vitest';
import type { Diagnostic } from '../../src/diag/index.ts';
import { LineIndex, diagnosticsToJson, renderDiagnostic, renderDiagnostics } from '../../src/diag/render.ts';
import type { Span } from '../../src/diag/span.ts';

const FILE = '/repo/pipelines/a.cvr';
const TEXT = 'pipeline a {\n  task NCV vs CVD\n\tsplit kfold 1\n}\n';

/** A span by offsets only; line/column deliberately wrong, the renderer must not trust them. */
function span(start: number, end: number): Span {
  return { file: FILE, start, end, line: 99, column: 99 };
}

const unknownClass: Diagnostic = {
  code: 'CVR301',
  severity: 'error',
  message: 'unknown class "CVD"',
  span: span(TEXT.indexOf('CVD'), TEXT.indexOf('CVD') + 3),
  hint: 'did you mean "CVP"?',
  related: [{ message: 'classes declared here', span: span(0, 8) }],
};

const files = new Map([[FILE, TEXT]]);

describe('LineIndex', () => {
  it('maps offsets to 1-based line and column, clamping out-of-range offsets', () => {
    const index = new LineIndex(TEXT);
    expect(index.position(0)).toEqual({ line: 1, column: 1 });
    expect(index.position(TEXT.indexOf('task'))).toEqual({ line: 2, column: 3 });
    expect(index.position(TEXT.length + 10)).toEqual({ line: 5, column: 1 });
    expect(index.lineText(3)).toBe('\tsplit kfold 1');
    expect(new LineIndex('a\r\nb').lineText(1)).toBe('a');
  });
});

describe('renderDiagnostic', () => {
  it('prints header, source line, squiggle, hint and related location', () => {
    expect(renderDiagnostic(unknownClass, { files, cwd: '/repo' })).toBe(
      [
        'error[CVR301] pipelines/a.cvr:2:15 unknown class "CVD"',
        '2 |   task NCV vs CVD',
        '  |               ^~~',
        'hint: did you mean "CVP"?',
        '  note: classes declared here pipelines/a.cvr:1:1',
        '  1 | pipeline a {',
        '    | ^~~~~~~~',
        '',
      ].join('\n'),
    );
  });

  it('keeps tabs in the lead so the caret lines up, and marks one character for an empty span', () => {
    const at = TEXT.indexOf('1\n}');
    const out = renderDiagnostic({ code: 'CVR404', severity: 'error', message: 'k', span: span(at, at) }, { files });
    expect(out.split('\n').slice(1, 3)).toEqual(['3 | \tsplit kfold 1', '  | \t            ^']);
  });

  it('squiggles to the end of the first line of a multi-line span', () => {
    const out = renderDiagnostic({ code: 'CVR406', severity: 'error', message: 'm', span: span(TEXT.indexOf('task'), TEXT.length) }, { files });
    expect(out.split('\n')[2]).toBe('  |   ^~~~~~~~~~~~~~~');
  });

  it('uses the carried line/column, and no excerpt, when the text is unknown', () => {
    const d: Diagnostic = { code: 'CVR201', severity: 'error', message: 'cannot read', span: { file: '/elsewhere/x.cvr', start: 5, end: 6, line: 3, column: 4 } };
    expect(renderDiagnostic(d, { files, cwd: '/repo' })).toBe('error[CVR201] /elsewhere/x.cvr:3:4 cannot read\n');
  });

  it('colours only when asked', () => {
    expect(renderDiagnostic(unknownClass, { files })).not.toContain('\u001b[');
    expect(renderDiagnostic(unknownClass, { files, color: true })).toContain('\u001b[31m');
  });

  it('counts errors and warnings at the end', () => {
    const warning: Diagnostic = { code: 'CVR418', severity: 'warning', message: 'no seed', file: FILE };
    expect(renderDiagnostics([unknownClass, warning], { files }).endsWith('\n1 error, 1 warning\n')).toBe(true);
    expect(renderDiagnostics([], { files })).toBe('0 errors, 0 warnings\n');
  });
});

describe('diagnosticsToJson', () => {
  it('gives the keys of cli.md, with positions from the text', () => {
    const json = diagnosticsToJson([unknownClass, { code: 'CVR201', severity: 'error', message: 'cannot read', file: '/repo/x.cvr' }], { files, cwd: '/repo' });
    expect(json).toEqual({
      diagnostics: [
        {
          code: 'CVR301',
          severity: 'error',
          message: 'unknown class "CVD"',
          file: 'pipelines/a.cvr',
          line: 2,
          column: 15,
          endLine: 2,
          endColumn: 18,
          hint: 'did you mean "CVP"?',
          related: [{ message: 'classes declared here', file: 'pipelines/a.cvr', line: 1, column: 1 }],
        },
        { code: 'CVR201', severity: 'error', message: 'cannot read', file: 'x.cvr', line: null, column: null },
      ],
    });
  });
});
