/** Where a command writes. Passed in (never process globals) so commands are testable. */
export interface CliIo {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  /** Whether stdout is an interactive terminal (the Ink view) or a pipe/CI (plain output). */
  readonly isTty: boolean;
  readonly cwd: string;
  readonly env: Readonly<Record<string, string | undefined>>;
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
