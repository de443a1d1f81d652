// The VS Code client of the cvr language server: starts `cvr lsp --stdio` and hands it the .cvr
// documents. Highlighting (syntaxes/) and the language configuration work without the server.
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const vscode = require('vscode');
const { LanguageClient } = require('vscode-languageclient/node');

/** @type {LanguageClient | undefined} */
let client;

/** The server command: the setting, else a cvr checkout or install in the workspace, else `cvr` on the PATH. */
function serverCommand() {
  const configured = vscode.workspace.getConfiguration('cvr').get('server.command');
  if (Array.isArray(configured) && configured.length > 0) return { command: String(configured[0]), args: configured.slice(1).map(String) };
  for (const folder of vscode.workspace.workspaceFolders ?? []) {
    const root = folder.uri.fsPath;
    for (const script of [path.join(root, 'bin', 'cvr.mjs'), path.join(root, 'node_modules', 'cvr', 'bin', 'cvr.mjs')]) {
      if (fs.existsSync(script)) return { command: 'node', args: [script, 'lsp', '--stdio'], options: { cwd: root } };
    }
  }
  return { command: 'cvr', args: ['lsp', '--stdio'] };
}

/** @param {vscode.ExtensionContext} context */
async function activate(context) {
  const server = serverCommand();
  client = new LanguageClient(
    'cvr',
    'cvr language server',
    { run: server, debug: server },
    {
      documentSelector: [{ scheme: 'file', language: 'cvr' }],
      synchronize: { fileEvents: vscode.workspace.createFileSystemWatcher('**/*.cvr') },
    },
  );
  context.subscriptions.push({ dispose: () => client?.stop() });
  await client.start();
}

function deactivate() {
  return client?.stop();
}

module.exports = { activate, deactivate };
