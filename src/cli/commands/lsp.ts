/**
 * `cvr lsp --stdio`: the language server for editors (VS Code, Neovim, Helix, any LSP client),
 * speaking the Language Server Protocol on standard input and output. Everything it knows comes
 * from the language front end; see docs/editors.md.
 */
import type { CliIo } from '../io.ts';
import { EXIT, settleArguments } from '../io.ts';

const USAGE = `usage: cvr lsp --stdio

Runs the .cvr language server on standard input/output (the Language Server Protocol):
diagnostics as \`cvr check\` gives them, completion, go to definition, references, hover,
formatting, document symbols and rename. Editors start it themselves; see docs/editors.md.

  --stdio   talk on standard input and output (the only transport; the default)
`;

function parseArgs(argv: readonly string[]): 'help' | { error: string } | { stdio: true } {
  for (const arg of argv) {
    if (arg === '--help' || arg === '-h') return 'help';
    // vscode-languageclient adds --clientProcessId=N to the server's arguments.
    if (arg === '--stdio' || arg.startsWith('--clientProcessId')) continue;
    return { error: `unknown argument "${arg}"` };
  }
  return { stdio: true };
}

export async function run(argv: readonly string[], io: CliIo): Promise<number> {
  const args = settleArguments('lsp', USAGE, parseArgs(argv), io);
  if (typeof args === 'number') return args;
  const { serveStdio } = await import('../../lsp/index.ts');
  await serveStdio();
  return EXIT.ok;
}
