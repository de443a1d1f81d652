import type { CliIo } from '../io.ts';
import { EXIT } from '../io.ts';

/** `cvr fmt` — not built yet; its issue replaces this file. */
export async function run(_argv: readonly string[], io: CliIo): Promise<number> {
  io.stderr('cvr fmt: not implemented yet\n');
  return EXIT.internal;
}
