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
 * The prologue every command shares: `--help` prints the command's usage (exit 0), a bad argument
 * prints what is wrong and the usage (exit 2). Returns that exit code, or the parsed arguments to
 * go on with.
 */
export function settleArguments<P extends 'help' | object>(
  command: string,
  usage: string,
  parsed: P,
  io: CliIo,
): number | Exclude<P, 'help' | { readonly error: string }> {
  if (parsed === 'help') {
    io.stdout(usage);
    return EXIT.ok;
  }
  if (typeof parsed === 'object' && 'error' in parsed && typeof parsed.error === 'string') {
    io.stderr(`cvr ${command}: ${parsed.error}\n\n${usage}`);
    return EXIT.usage;
  }
  return parsed as Exclude<P, 'help' | { readonly error: string }>;
}
