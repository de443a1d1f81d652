/**
 * The language server: the protocol's requests answered from the front end. Diagnostics are
 * re-computed on every change of an open document, for that document and for every open
 * document that imports it (directly or not), and published per file.
 */
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Connection, DocumentSymbol, InitializeParams, InitializeResult, Location, TextEdit, WorkspaceEdit } from 'vscode-languageserver';
import { ResponseError, SymbolKind, TextDocumentSyncKind, TextDocuments } from 'vscode-languageserver';
import { TextDocument } from 'vscode-languageserver-textdocument';
import type { Diagnostic, Span } from '../diag/index.ts';
import type { Pipeline, Statement, TopLevelItem } from '../dsl/index.ts';
import type { EntryCheck } from './check.ts';
import type { Names, Occurrence } from './names.ts';
import { Positions } from './positions.ts';
import type { Workspace } from './workspace.ts';

type Analysis = typeof import('./analysis.ts');

/** A name as the lexer takes it: what a rename may write. */
const NAME = /^[A-Za-z_][A-Za-z0-9_-]*$/;

export function uriToPath(uri: string): string {
  return uri.startsWith('file:') ? fileURLToPath(uri) : uri;
}

export function pathToUri(file: string): string {
  return file.startsWith('/') || /^[A-Za-z]:[\\/]/.test(file) ? pathToFileURL(file).href : file;
}

/** What every handler shares: the connection, the workspace roots, the lazily loaded front end. */
class ServerState {
  roots: string[] = [];
  workspace!: Workspace;
  a!: Analysis;
  private loading: Promise<{ a: Analysis; workspace: Workspace }> | undefined;

  constructor(readonly connection: Connection) {}

  // The front end is loaded once `initialize` is answered (or at the first message that needs
  // it); every handler awaits the same promise, so messages keep their order.
  load(): Promise<{ a: Analysis; workspace: Workspace }> {
    return (this.loading ??= import('./analysis.ts').then((a) => ({ a, workspace: new a.Workspace(this.roots) })));
  }

  async ready(): Promise<void> {
    ({ a: this.a, workspace: this.workspace } = await this.load());
  }

  names(): Names {
    return new this.a.Names(this.workspace, this.a.importTarget);
  }

  positions(file: string): Positions {
    return new Positions(this.workspace.text(file) ?? '');
  }

  occurrenceAt(uri: string, position: { line: number; character: number }): { file: string; names: Names; occurrence: Occurrence | undefined } {
    const file = uriToPath(uri);
    const n = this.names();
    return { file, names: n, occurrence: n.at(file, this.positions(file).offset(position)) };
  }

  location(span: Span): Location {
    return { uri: pathToUri(span.file), range: this.positions(span.file).range(span.start, span.end) };
  }
}

export function startServer(connection: Connection): void {
  const documents = new TextDocuments(TextDocument);
  const s = new ServerState(connection);
  registerInitialize(s);
  registerDiagnostics(s, documents);
  registerNavigation(s);
  registerEditing(s);
  documents.listen(connection);
  connection.listen();
}

function registerInitialize(s: ServerState): void {

  s.connection.onInitialize((params: InitializeParams): InitializeResult => {
    s.roots = (params.workspaceFolders ?? []).map((f) => uriToPath(f.uri));
    if (s.roots.length === 0 && params.rootUri) s.roots.push(uriToPath(params.rootUri));
    setImmediate(() => void s.load());
    return {
      capabilities: {
        textDocumentSync: TextDocumentSyncKind.Incremental,
        completionProvider: { triggerCharacters: [' ', ',', '>', '|', '=', '"', '/'] },
        hoverProvider: true,
        definitionProvider: true,
        referencesProvider: true,
        documentFormattingProvider: true,
        documentSymbolProvider: true,
        renameProvider: { prepareProvider: true },
      },
      serverInfo: { name: 'cvr', version: '0.1.0' },
    };
  });
}

/** Diagnostics: checks rerun on every change, published per file. */
function registerDiagnostics(s: ServerState, documents: TextDocuments<TextDocument>): void {
  /** Per open entry: what its last check read and found. */
  const checks = new Map<string, EntryCheck>();
  /** What was last published per file, to clear a file that has none left and skip repeats. */
  let published = new Map<string, string>();
  const dirty = new Set<string>();
  let running: Promise<void> | undefined;

  /** Checks the open entries that read a changed file, then publishes what changed. */
  async function runChecks(): Promise<void> {
    await s.ready();
    while (dirty.size > 0) {
      const changed = new Set(dirty);
      dirty.clear();
      for (const file of changed) s.workspace.invalidate(file);
      const entries = s.workspace.openFiles().filter((f) => changed.has(f) || [...(checks.get(f)?.files.keys() ?? [])].some((read) => changed.has(read)));
      for (const entry of entries) checks.set(entry, await s.a.checkEntry(s.workspace, entry));
      publish();
    }
  }

  function schedule(file: string): void {
    dirty.add(file);
    running ??= runChecks().finally(() => {
      running = undefined;
      if (dirty.size > 0) schedule([...dirty][0] as string);
    });
  }

  /**
   * Sends each open file's diagnostics (with the version of the text they were computed from, so
   * the editor can tell), and those of files that are not open when they changed.
   */
  function publish(): void {
    const byFile = new Map<string, Diagnostic[]>();
    const texts = new Map<string, string>();
    const versions = new Map<string, number>();
    const seen = new Set<string>();
    for (const [entry, check] of checks) {
      if (!s.workspace.isOpen(entry)) continue;
      byFile.set(entry, byFile.get(entry) ?? []);
      for (const [f, t] of check.files) if (!texts.has(f)) texts.set(f, t);
      for (const [f, v] of check.versions) versions.set(f, Math.max(v, versions.get(f) ?? v));
      for (const d of check.diagnostics) {
        const key = s.a.diagnosticKey(d);
        if (seen.has(key)) continue;
        seen.add(key);
        const file = s.a.fileOf(d) ?? entry;
        const list = byFile.get(file) ?? [];
        list.push(d);
        byFile.set(file, list);
      }
    }
    const now = new Map<string, string>();
    for (const [file, list] of byFile) {
      const diagnostics = list.map((d) => s.a.toLspDiagnostic(d, texts, pathToUri));
      const body = JSON.stringify(diagnostics);
      now.set(file, body);
      const version = versions.get(file);
      if (s.workspace.isOpen(file) || published.get(file) !== body) void s.connection.sendDiagnostics({ uri: pathToUri(file), ...(version === undefined ? {} : { version }), diagnostics });
    }
    for (const file of published.keys()) if (!now.has(file)) void s.connection.sendDiagnostics({ uri: pathToUri(file), diagnostics: [] });
    published = now;
  }

  // Opening a document also fires a content change: that one schedules the check.
  documents.onDidChangeContent(async (e) => {
    const file = uriToPath(e.document.uri);
    const text = e.document.getText();
    const version = e.document.version;
    await s.ready();
    s.workspace.setOpen(file, text, version);
    schedule(file);
  });
  documents.onDidClose(async (e) => {
    const file = uriToPath(e.document.uri);
    await s.ready();
    s.workspace.close(file);
    checks.delete(file);
    schedule(file);
  });
  s.connection.onDidChangeWatchedFiles((e) => {
    for (const change of e.changes) schedule(uriToPath(change.uri));
  });
}

/** Navigation: definition, references, hover, completion. */
function registerNavigation(s: ServerState): void {
  s.connection.onDefinition(async (params) => {
    await s.ready();
    const { names: n, occurrence } = s.occurrenceAt(params.textDocument.uri, params.position);
    if (occurrence === undefined) return null;
    if (occurrence.kind === 'file') return s.workspace.text(occurrence.name) === undefined ? null : { uri: pathToUri(occurrence.name), range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } } };
    const d = n.resolve(occurrence);
    if (d === undefined) return null;
    // A built-in class is declared by the `classes covid` statement that brings it in.
    if (d.builtin) return d.block === undefined ? null : s.location(d.block.span);
    return s.location(d.occurrence.span);
  });

  s.connection.onReferences(async (params) => {
    await s.ready();
    const { names: n, occurrence } = s.occurrenceAt(params.textDocument.uri, params.position);
    if (occurrence === undefined) return null;
    const files = s.workspace.allFiles();
    if (occurrence.kind === 'file') {
      return files.flatMap((f) => n.of(f).filter((o) => o.kind === 'file' && o.name === occurrence.name)).map((o) => s.location(o.span));
    }
    const d = n.resolve(occurrence);
    if (d === undefined) return null;
    return n
      .referencesTo(d, files)
      .filter((o) => params.context.includeDeclaration || o.role !== 'def')
      .map((o) => s.location(o.span));
  });

  s.connection.onHover(async (params) => {
    await s.ready();
    const { names: n, occurrence } = s.occurrenceAt(params.textDocument.uri, params.position);
    if (occurrence === undefined) return null;
    const text = s.a.hoverText(occurrence, n, s.workspace);
    if (text === undefined) return null;
    return { contents: { kind: 'markdown', value: text }, range: s.location(occurrence.span).range };
  });

  s.connection.onCompletion(async (params) => {
    await s.ready();
    const file = uriToPath(params.textDocument.uri);
    const text = s.workspace.text(file) ?? '';
    const offset = new Positions(text).offset(params.position);
    // Mid-edit the text rarely parses: then the pipeline is the one whose header precedes the
    // cursor, as the last text that parsed declares it (its spans are stale, its names are not).
    const parsed = s.workspace.parse(file);
    const clean = parsed !== undefined && !s.a.hasErrors(parsed.diagnostics);
    const containing = (items: readonly TopLevelItem[]): Pipeline | undefined => items.find((i): i is Pipeline => i.kind === 'pipeline' && i.span.start <= offset && offset <= i.span.end);
    const pipeline = clean ? containing(parsed.file.items) : (pipelineByHeader(s.workspace.bestAst(file)?.items ?? [], text, offset) ?? containing(parsed?.file.items ?? []));
    return s.a.complete({ file, text, offset, names: s.names(), ...(pipeline === undefined ? {} : { pipeline }) });
  });
}

/** Editing: formatting, symbols, rename. */
function registerEditing(s: ServerState): void {
  s.connection.onDocumentFormatting(async (params): Promise<TextEdit[] | null> => {
    await s.ready();
    const file = uriToPath(params.textDocument.uri);
    const text = s.workspace.text(file);
    if (text === undefined) return null;
    const parsed = s.a.parseCvr(file, text);
    // A file with syntax errors is never rewritten (as `cvr fmt`); its diagnostics say why.
    if (s.a.hasErrors(parsed.diagnostics)) return null;
    const formatted = s.a.formatCvr(parsed.file);
    if (formatted === text) return [];
    return [{ range: new Positions(text).range(0, text.length), newText: formatted }];
  });

  s.connection.onDocumentSymbol(async (params): Promise<DocumentSymbol[]> => {
    await s.ready();
    const file = uriToPath(params.textDocument.uri);
    const ast = s.workspace.bestAst(file);
    if (ast === undefined) return [];
    const p = s.positions(file);
    return ast.items.map((item) => itemSymbol(item, p));
  });

  s.connection.onPrepareRename(async (params) => {
    await s.ready();
    const { names: n, occurrence } = s.occurrenceAt(params.textDocument.uri, params.position);
    if (occurrence === undefined || occurrence.kind === 'model' || occurrence.kind === 'file') return null;
    const d = n.resolve(occurrence);
    if (d === undefined || d.builtin) return null;
    return { range: s.location(occurrence.span).range, placeholder: occurrence.name };
  });

  s.connection.onRenameRequest(async (params): Promise<WorkspaceEdit | null> => {
    await s.ready();
    const { names: n, occurrence } = s.occurrenceAt(params.textDocument.uri, params.position);
    if (occurrence === undefined || occurrence.kind === 'model' || occurrence.kind === 'file') return null;
    if (!NAME.test(params.newName)) throw new ResponseError(-32602, `"${params.newName}" is not a name: names are letters, digits, \`_\` and \`-\`, starting with a letter or \`_\``);
    const d = n.resolve(occurrence);
    if (d === undefined) return null;
    if (d.builtin) throw new ResponseError(-32602, 'a built-in class cannot be renamed: declare your own `classes { … }` block');
    const changes: Record<string, TextEdit[]> = {};
    for (const o of n.referencesTo(d, s.workspace.allFiles())) {
      const uri = pathToUri(o.span.file);
      (changes[uri] ??= []).push({ range: s.location(o.span).range, newText: params.newName });
    }
    return { changes };
  });
}

/** While the pipeline does not parse yet, the one whose header precedes the cursor (`pipeline NAME`). */
function pipelineByHeader(items: readonly TopLevelItem[], text: string, offset: number): Pipeline | undefined {
  const before = text.slice(0, offset);
  const matches = [...before.matchAll(/(?:^|\n)\s*pipeline\s+([A-Za-z_][A-Za-z0-9_-]*)/g)];
  const name = matches[matches.length - 1]?.[1];
  return items.find((i): i is Pipeline => i.kind === 'pipeline' && i.name.name === name);
}

function statementName(s: Statement): string {
  switch (s.kind) {
    case 'source':
      return `source ${s.name.name}`;
    case 'sources-from-manifest':
      return `sources from manifest "${s.path.value}"`;
    case 'model':
      return `model ${s.name.name}`;
    case 'compare-models':
      return `compare models ${s.models.map((m) => m.name).join(', ')}`;
    case 'split':
      return `split ${s.form}`;
    default:
      return s.kind;
  }
}

function itemSymbol(item: TopLevelItem, p: Positions): DocumentSymbol {
  const range = p.range(item.span.start, item.span.end);
  const selectionRange = p.range(item.name.span.start, item.name.span.end);
  if (item.kind === 'pipeline') {
    const children = item.statements.map((s): DocumentSymbol => {
      const r = p.range(s.span.start, s.span.end);
      const nameSpan = s.kind === 'source' ? s.name.span : s.span;
      return { name: statementName(s), kind: s.kind === 'source' || s.kind === 'sources-from-manifest' ? SymbolKind.Package : SymbolKind.Field, range: r, selectionRange: p.range(nameSpan.start, nameSpan.end) };
    });
    return { name: item.name.name, detail: item.extends === undefined ? 'pipeline' : `pipeline extends ${item.extends.name}`, kind: SymbolKind.Module, range, selectionRange, children };
  }
  if (item.kind === 'source') return { name: item.name.name, detail: 'source', kind: SymbolKind.Package, range, selectionRange };
  const kind = item.block.kind.replace(/-block$/, '');
  const children =
    item.block.kind === 'classes-block'
      ? item.block.classes.map((c): DocumentSymbol => ({ name: c.name.name, ...(c.description === undefined ? {} : { detail: c.description.value }), kind: SymbolKind.Class, range: p.range(c.span.start, c.span.end), selectionRange: p.range(c.name.span.start, c.name.span.end) }))
      : [];
  return { name: item.name.name, detail: `${kind} block`, kind: SymbolKind.Struct, range, selectionRange, children };
}
