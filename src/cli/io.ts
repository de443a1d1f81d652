/** Where a command writes. Passed in (never process globals) so commands are testable. */
export interface CliIo {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  /** Whether stdout is an interactive terminal (the Ink view) or a pipe/CI (plain output). */
  readonly isTty: boolean;
  readonly cwd: string;
  readonly env: Readonly<Record<string, string | undefined>>;
  /** All of standard input as UTF-8 (`cvr fmt -`); absent where there is none. */
  readonly readStdin?: () => Promise<string>;
}

/** Exit codes (cli.md). */
export const EXIT = {
  ok: 0,
  /** The pipeline has errors, or a run failed. */
  failed: 1,
  /** Bad command-line usage. */
  usage: 2,
  /** An internal error: a bug. */
  internal: 3,
} as const;

export type CommandRunner = (argv: readonly string[], io: CliIo) => Promise<number>;

/**
 * Whether to colour output: NO_COLOR (any non-empty value, no-color.org) turns colour off,
 * FORCE_COLOR (other than `0`) turns it on even in a pipe, and otherwise a terminal gets colour.
 */
export function useColor(io: CliIo): boolean {
  const noColor = io.env['NO_COLOR'];
  if (noColor !== undefined && noColor !== '') return false;
  const force = io.env['FORCE_COLOR'];
  if (force !== undefined && force !== '' && force !== '0') return true;
  return io.isTty;
}
