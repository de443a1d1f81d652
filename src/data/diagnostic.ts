import { CODES } from '../diag/index.ts';
import type { Code, Diagnostic, Severity, Span } from '../diag/index.ts';

/** Builds a diagnostic with its code's default severity unless one is given. */
export function diagnostic(
  code: Code,
  message: string,
  extra: {
    readonly span?: Span | undefined;
    readonly file?: string | undefined;
    readonly hint?: string | undefined;
    readonly data?: Readonly<Record<string, unknown>> | undefined;
    readonly severity?: Severity | undefined;
  } = {},
): Diagnostic {
  const out: { -readonly [K in keyof Diagnostic]: Diagnostic[K] } = {
    code,
    severity: extra.severity ?? CODES[code].severity,
    message,
  };
  if (extra.span !== undefined) out.span = extra.span;
  if (extra.file !== undefined) out.file = extra.file;
  if (extra.hint !== undefined) out.hint = extra.hint;
  if (extra.data !== undefined) out.data = extra.data;
  return out;
}

/** "a.png, b.png, c.png and 12 more" — the first few of a long list. */
export function firstFew(items: readonly string[], few = 5): string {
  const shown = items.slice(0, few).map((s) => JSON.stringify(s)).join(', ');
  return items.length > few ? `${shown} and ${items.length - few} more` : shown;
}
