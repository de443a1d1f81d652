/** A CliIo that keeps what a command writes, for tests that run commands in process. */
import type { CliIo } from '../../src/cli/io.ts';

export function captureIo(options: { readonly cwd: string; readonly env?: Readonly<Record<string, string>>; readonly isTty?: boolean; readonly stdin?: string }): CliIo & { out: () => string; err: () => string } {
  const out: string[] = [];
  const err: string[] = [];
  const stdin = options.stdin;
  return {
    stdout: (t) => out.push(t),
    stderr: (t) => err.push(t),
    isTty: options.isTty ?? false,
    cwd: options.cwd,
    env: { ...options.env },
    ...(stdin === undefined ? {} : { readStdin: async () => stdin }),
    out: () => out.join(''),
    err: () => err.join(''),
  };
}
