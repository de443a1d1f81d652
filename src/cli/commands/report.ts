import type { CliIo } from '../io.ts';
import { EXIT } from '../io.ts';

/** `cvr report` — not built yet; its issue replaces this file. */
export async function run(_argv: readonly string[], io: CliIo): Promise<number> {
  io.stderr('cvr report: not implemented yet\n');
  return EXIT.internal;
}
