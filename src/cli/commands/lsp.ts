/**
 * `cvr lsp --stdio`: the language server for editors (VS Code, Neovim, Helix, any LSP client),
 * speaking the Language Server Protocol on standard input and output. Everything it knows comes
 * from the language front end; see docs/editors.md.
 */
import type { CliIo } from '../io.ts';
import { EXIT } from '../io.ts';
import { settleCommandLine } from '../args.ts';
import { LSP } from '../specs.ts';

export async function run(argv: readonly string[], io: CliIo): Promise<number> {
  // vscode-languageclient adds --clientProcessId=N to the server's arguments: not ours to refuse.
  const args = settleCommandLine(LSP, argv.filter((a) => !a.startsWith('--clientProcessId')), io);
  if (typeof args === 'number') return args;
  const { serveStdio } = await import('../../lsp/index.ts');
  await serveStdio();
  return EXIT.ok;
}
