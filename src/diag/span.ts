/**
 * A range of source text. Offsets are authoritative; line and column (1-based) are carried
 * too because chevrotain tokens already know them and JSON output needs them.
 */
export interface Span {
  readonly file: string;
  /** 0-based offset of the first character. */
  readonly start: number;
  /** 0-based offset one past the last character. */
  readonly end: number;
  /** 1-based line of `start`. */
  readonly line: number;
  /** 1-based column of `start`. */
  readonly column: number;
}
