/** Making diagnostics from the code table, so a check states only code, place and words. */
import type { Diagnostic, RelatedLocation, Code, Span } from '../diag/index.ts';
import { diagnostic } from '../diag/index.ts';

export interface ReportExtra {
  readonly hint?: string | undefined;
  readonly related?: readonly RelatedLocation[];
  readonly data?: Readonly<Record<string, unknown>>;
}

/** The one callback every check reports through. */
export type Accept = (code: Code, span: Span, message: string, extra?: ReportExtra) => void;

export function makeDiagnostic(code: Code, span: Span | undefined, message: string, extra: ReportExtra = {}, file?: string): Diagnostic {
  return diagnostic(code, message, { span, file: file ?? span?.file, hint: extra.hint, related: extra.related, data: extra.data });
}

/** An `accept` that appends to a list. */
export function collector(into: Diagnostic[]): Accept {
  return (code, span, message, extra) => {
    into.push(makeDiagnostic(code, span, message, extra));
  };
}
