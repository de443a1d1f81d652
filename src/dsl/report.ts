/** Making diagnostics from the code table, so a check states only code, place and words. */
import type { Diagnostic, RelatedLocation, Code, Span } from '../diag/index.ts';
import { CODES } from '../diag/index.ts';

export interface ReportExtra {
  readonly hint?: string | undefined;
  readonly related?: readonly RelatedLocation[];
  readonly data?: Readonly<Record<string, unknown>>;
}

/** The one callback every check reports through. */
export type Accept = (code: Code, span: Span, message: string, extra?: ReportExtra) => void;

export function makeDiagnostic(code: Code, span: Span | undefined, message: string, extra: ReportExtra = {}, file?: string): Diagnostic {
  const d: { -readonly [K in keyof Diagnostic]: Diagnostic[K] } = { code, severity: CODES[code].severity, message };
  if (span !== undefined) d.span = span;
  if (file !== undefined || span !== undefined) d.file = file ?? span?.file;
  if (extra.hint !== undefined) d.hint = extra.hint;
  if (extra.related !== undefined && extra.related.length > 0) d.related = extra.related;
  if (extra.data !== undefined) d.data = extra.data;
  return d;
}

/** An `accept` that appends to a list. */
export function collector(into: Diagnostic[]): Accept {
  return (code, span, message, extra) => {
    into.push(makeDiagnostic(code, span, message, extra));
  };
}
