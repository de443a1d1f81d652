import type { Severity } from '../severity.ts';

/** One row of the code table: its default severity and a one-line description for the docs. */
export interface CodeInfo {
  readonly severity: Severity;
  readonly summary: string;
}
