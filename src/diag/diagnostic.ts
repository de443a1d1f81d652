import type { Span } from './span.ts';
import type { Code } from './codes/index.ts';

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
