import type { Span } from './span.ts';
import type { Code } from './codes/index.ts';
import { CODES } from './codes/index.ts';

import type { Severity } from './severity.ts';

export type { Severity } from './severity.ts';

/** A related location shown indented below the main one (e.g. "first declared here"). */
export interface RelatedLocation {
  readonly message: string;
  readonly span: Span;
}

/**
 * A user-facing problem. User errors are values of this type, never thrown exceptions.
 * `span` is absent only when no text location exists (a missing file, a CLI argument);
 * then `file` names the file concerned, if any.
 */
export interface Diagnostic {
  readonly code: Code;
  readonly severity: Severity;
  readonly message: string;
  readonly span?: Span;
  readonly file?: string;
  readonly hint?: string;
  readonly related?: readonly RelatedLocation[];
  /** The numbers behind a finding (audit), machine readable. */
  readonly data?: Readonly<Record<string, unknown>>;
}

export function hasErrors(diagnostics: readonly Diagnostic[]): boolean {
  return diagnostics.some((d) => d.severity === 'error');
}

/**
 * The one way to make a diagnostic: the code's default severity unless one is given; only the
 * fields given are set, in the order code, severity, message, span, file, hint, related, data.
 */
export function diagnostic(
  code: Code,
  message: string,
  extra: {
    readonly span?: Span | undefined;
    readonly file?: string | undefined;
    readonly hint?: string | undefined;
    readonly related?: readonly RelatedLocation[] | undefined;
    readonly data?: Readonly<Record<string, unknown>> | undefined;
    readonly severity?: Severity | undefined;
  } = {},
): Diagnostic {
  const out: { -readonly [K in keyof Diagnostic]: Diagnostic[K] } = { code, severity: extra.severity ?? CODES[code].severity, message };
  if (extra.span !== undefined) out.span = extra.span;
  if (extra.file !== undefined) out.file = extra.file;
  if (extra.hint !== undefined) out.hint = extra.hint;
  if (extra.related !== undefined && extra.related.length > 0) out.related = extra.related;
  if (extra.data !== undefined) out.data = extra.data;
  return out;
}

/** "a.png, b.png, c.png and 12 more" — the first few of a long list. */
export function firstFew(items: readonly string[], few = 5): string {
  const shown = items.slice(0, few).map((s) => JSON.stringify(s)).join(', ');
  return items.length > few ? `${shown} and ${items.length - few} more` : shown;
}
