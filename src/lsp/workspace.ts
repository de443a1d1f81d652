/**
 * The files the language server knows: the editor's open documents (their text as typed, not as
 * saved) over the files on disk, each parsed once per text. Paths are absolute file paths; the
 * protocol's URIs are turned into paths at the server's edge.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { importTarget, parseCvr, visibleFiles } from '../dsl/index.ts';
import type { Diagnostic } from '../diag/index.ts';
import type { CvrFile } from '../dsl/index.ts';

interface Parsed {
  readonly text: string;
  readonly file: CvrFile;
  readonly diagnostics: readonly Diagnostic[];
}

/** Folders never searched for .cvr files: dependencies, caches, run folders, hidden folders. */
const SKIPPED_FOLDERS = new Set(['node_modules', 'runs', 'dist', 'build']);
/** A workspace of more files than this is searched no further (references and rename stay partial). */
const MAX_SCANNED_FILES = 5000;

export class Workspace {
  private readonly open = new Map<string, string>();
  private readonly versions = new Map<string, number>();
  private readonly parsed = new Map<string, Parsed>();
  /** The last parse of each file that had no syntax errors: what completion falls back on mid-edit. */
  private readonly lastGood = new Map<string, CvrFile>();

  constructor(private readonly roots: readonly string[]) {}

  /** The workspace folders the editor announced. */
  folders(): readonly string[] {
    return this.roots;
  }

  setOpen(file: string, text: string, version: number): void {
    this.open.set(file, text);
    this.versions.set(file, version);
  }

  close(file: string): void {
    this.open.delete(file);
    this.versions.delete(file);
  }

  /** The editor's version of an open document's text. */
  version(file: string): number | undefined {
    return this.versions.get(file);
  }

  /** A file changed on disk (not open, or saved): forget its parse. */
  invalidate(file: string): void {
    if (!this.open.has(file)) this.parsed.delete(file);
  }

  isOpen(file: string): boolean {
    return this.open.has(file);
  }

  openFiles(): string[] {
    return [...this.open.keys()];
  }

  /** The open document's text, else the file on disk; undefined when neither exists. */
  text(file: string): string | undefined {
    const open = this.open.get(file);
    if (open !== undefined) return open;
    try {
      return readFileSync(file, 'utf8');
    } catch {
      return undefined;
    }
  }

  parse(file: string): Parsed | undefined {
    const text = this.text(file);
    if (text === undefined) return undefined;
    const cached = this.parsed.get(file);
    if (cached !== undefined && cached.text === text) return cached;
    const result = parseCvr(file, text);
    const parsed: Parsed = { text, file: result.file, diagnostics: result.diagnostics };
    this.parsed.set(file, parsed);
    if (!result.diagnostics.some((d) => d.severity === 'error')) this.lastGood.set(file, result.file);
    return parsed;
  }

  /** The file's AST, or the last one without syntax errors when the text as typed has some. */
  bestAst(file: string): CvrFile | undefined {
    const parsed = this.parse(file);
    if (parsed === undefined) return undefined;
    if (!parsed.diagnostics.some((d) => d.severity === 'error')) return parsed.file;
    return this.lastGood.get(file) ?? parsed.file;
  }

  /** The absolute paths a file imports (whether or not they exist). */
  imports(file: string): string[] {
    return (this.parse(file)?.file.imports ?? []).map((imp) => importTarget(file, imp));
  }

  /** The file itself, then what it imports, transitively, breadth-first (the resolver's order). */
  visible(file: string): string[] {
    const graph = new Map<string, string[]>();
    const queue = [file];
    while (queue.length > 0) {
      const next = queue.shift() as string;
      if (graph.has(next)) continue;
      const targets = this.imports(next).filter((t) => this.text(t) !== undefined);
      graph.set(next, targets);
      queue.push(...targets);
    }
    return visibleFiles(file, graph);
  }

  /**
   * Every .cvr file the server can see: the open ones, those under the workspace folders, and
   * whatever they import. What references and rename search.
   */
  allFiles(): string[] {
    const found = new Set<string>(this.open.keys());
    for (const root of this.roots) scan(root, found);
    for (const file of [...found]) for (const seen of this.visible(file)) found.add(seen);
    return [...found].sort();
  }
}

function scan(folder: string, found: Set<string>): void {
  if (found.size >= MAX_SCANNED_FILES) return;
  let entries;
  try {
    entries = readdirSync(folder, { withFileTypes: true });
  } catch {
    return;
  }
  for (const entry of entries.sort((a, b) => (a.name < b.name ? -1 : 1))) {
    if (entry.name.startsWith('.')) continue;
    const full = path.join(folder, entry.name);
    if (entry.isDirectory()) {
      if (!SKIPPED_FOLDERS.has(entry.name)) scan(full, found);
    } else if (entry.isFile() && entry.name.endsWith('.cvr')) found.add(full);
    if (found.size >= MAX_SCANNED_FILES) return;
  }
}
