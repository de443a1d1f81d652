/** lsp/: the language server (`cvr lsp --stdio`), a consumer of dsl/ and diag/ like cli/. */
import { createConnection, StreamMessageReader, StreamMessageWriter } from 'vscode-languageserver/node';
import { startServer } from './server.ts';

export { startServer, pathToUri, uriToPath } from './server.ts';

/** Serves on standard input and output until the client says `exit` (which ends the process). */
export function serveStdio(): Promise<void> {
  const connection = createConnection(new StreamMessageReader(process.stdin), new StreamMessageWriter(process.stdout));
  // Nothing else may write to standard output: it carries the protocol.
  console.log = (...args: unknown[]) => connection.console.log(args.map(String).join(' '));
  startServer(connection);
  return new Promise((resolve) => connection.onExit(() => resolve()));
}
