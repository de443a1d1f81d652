/**
 * A JSON-RPC client for the protocol tests and the bench: spawns `node bin/cvr.mjs lsp --stdio`
 * and talks to it over its standard input and output, as an editor does.
 */
import { spawn } from 'node:child_process';
import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { createMessageConnection, StreamMessageReader, StreamMessageWriter } from 'vscode-jsonrpc/node';
import type { MessageConnection } from 'vscode-jsonrpc/node';

export const ROOT = join(import.meta.dirname, '..', '..');

export interface PublishedDiagnostic {
  readonly range: { start: { line: number; character: number }; end: { line: number; character: number } };
  readonly severity?: number;
  readonly code?: string | number;
  readonly message: string;
}

export interface Published {
  readonly uri: string;
  readonly version?: number;
  readonly diagnostics: PublishedDiagnostic[];
}

export class LspClient {
  readonly connection: MessageConnection;
  private readonly published: Published[] = [];
  private waiters: { test: (p: Published) => boolean; resolve: (p: Published) => void }[] = [];
  private version = new Map<string, number>();
  stderr = '';

  private constructor(readonly child: ChildProcessWithoutNullStreams) {
    child.stderr.on('data', (d: Buffer) => (this.stderr += d.toString()));
    this.connection = createMessageConnection(new StreamMessageReader(child.stdout), new StreamMessageWriter(child.stdin));
    this.connection.onNotification('textDocument/publishDiagnostics', (p: Published) => {
      this.published.push(p);
      const ready = this.waiters.filter((w) => w.test(p));
      this.waiters = this.waiters.filter((w) => !w.test(p));
      for (const w of ready) w.resolve(p);
    });
    this.connection.listen();
  }

  static start(command: readonly string[] = [process.execPath, join(ROOT, 'bin', 'cvr.mjs'), 'lsp', '--stdio']): LspClient {
    const child = spawn(command[0] as string, command.slice(1), { cwd: ROOT, stdio: ['pipe', 'pipe', 'pipe'] });
    return new LspClient(child);
  }

  async initialize(root: string): Promise<unknown> {
    const result = await this.connection.sendRequest('initialize', {
      processId: process.pid,
      rootUri: uri(root),
      workspaceFolders: [{ uri: uri(root), name: 'test' }],
      capabilities: {},
    });
    await this.connection.sendNotification('initialized', {});
    return result;
  }

  /** The next publishDiagnostics for `fileUri` (after this call). */
  nextDiagnostics(fileUri: string): Promise<Published> {
    return new Promise((resolve) => this.waiters.push({ test: (p) => p.uri === fileUri, resolve }));
  }

  /** The first publishDiagnostics for `fileUri` from now on that satisfies `test`. */
  diagnosticsWhere(fileUri: string, test: (p: Published) => boolean): Promise<Published> {
    return new Promise((resolve) => this.waiters.push({ test: (p) => p.uri === fileUri && test(p), resolve }));
  }

  /** The diagnostics published for the document's current version (the last open or change). */
  diagnosticsNow(file: string): Promise<Published> {
    const v = this.version.get(file);
    const seen = [...this.published].reverse().find((p) => p.uri === uri(file) && p.version === v);
    return seen !== undefined ? Promise.resolve(seen) : this.diagnosticsWhere(uri(file), (p) => p.version === v);
  }

  open(file: string, text: string): Promise<void> {
    this.version.set(file, 1);
    return this.connection.sendNotification('textDocument/didOpen', { textDocument: { uri: uri(file), languageId: 'cvr', version: 1, text } });
  }

  /** Replaces the whole text (a full-document change). */
  change(file: string, text: string): Promise<void> {
    const v = (this.version.get(file) ?? 1) + 1;
    this.version.set(file, v);
    return this.connection.sendNotification('textDocument/didChange', { textDocument: { uri: uri(file), version: v }, contentChanges: [{ text }] });
  }

  request<T>(method: string, params: unknown): Promise<T> {
    return this.connection.sendRequest(method, params) as Promise<T>;
  }

  async stop(): Promise<void> {
    try {
      await this.connection.sendRequest('shutdown');
      await this.connection.sendNotification('exit');
    } catch {
      // The server may already be gone.
    }
    await new Promise<void>((resolve) => {
      if (this.child.exitCode !== null) resolve();
      else this.child.once('exit', () => resolve());
      setTimeout(() => {
        this.child.kill();
        resolve();
      }, 3000).unref();
    });
    this.connection.dispose();
  }
}

export function uri(file: string): string {
  return pathToFileURL(file).href;
}

/** The 0-based position of the `n`-th occurrence (0-based) of `needle` in `text`, plus `delta` characters. */
export function positionOf(text: string, needle: string, delta = 0, n = 0): { line: number; character: number } {
  let at = -1;
  for (let i = 0; i <= n; i++) {
    at = text.indexOf(needle, at + 1);
    if (at < 0) throw new Error(`"${needle}" (#${n}) not in the text`);
  }
  const offset = at + delta;
  const before = text.slice(0, offset);
  const line = before.split('\n').length - 1;
  return { line, character: offset - (before.lastIndexOf('\n') + 1) };
}
