/**
 * Reading the entry files and, transitively, what they import. Import paths are relative to
 * the importing file. A file that cannot be read is a diagnostic at its `import` (or, for an
 * entry file, without a span); an import cycle is a diagnostic naming the cycle.
 */
import path from 'node:path';
import type { Diagnostic, Span } from '../diag/index.ts';
import type { CvrFile, Import } from './ast.ts';
import { findCycles } from './cycles.ts';
import { makeDiagnostic } from './report.ts';
import type { ReadRefusal } from './read-source.ts';

export type ParseFn = (path: string, text: string) => { file: CvrFile; diagnostics: readonly Diagnostic[]; notCvrText?: boolean };
/** Returns the text, undefined when the file cannot be read, or why it was refused (read-source.ts). */
export type ReadFn = (path: string) => Promise<string | undefined | ReadRefusal>;

export interface LoadedFiles {
  /** Absolute entry paths, in the order given, without repeats. */
  readonly entries: readonly string[];
  /** Every file read and parsed, by absolute path. */
  readonly files: ReadonlyMap<string, CvrFile>;
  /** Path → text, for rendering diagnostics. */
  readonly texts: Map<string, string>;
  /** For each file, the absolute paths it imports (only those that were read). */
  readonly imports: ReadonlyMap<string, readonly string[]>;
  readonly diagnostics: readonly Diagnostic[];
}

export function importTarget(fromFile: string, imp: Import): string {
  return path.resolve(path.dirname(fromFile), imp.path.value);
}

export async function loadFiles(entryPaths: readonly string[], cwd: string, read: ReadFn, parse: ParseFn): Promise<LoadedFiles> {
  const entries = [...new Set(entryPaths.map((p) => path.resolve(cwd, p)))];
  const files = new Map<string, CvrFile>();
  const texts = new Map<string, string>();
  const imports = new Map<string, string[]>();
  const diagnostics: Diagnostic[] = [];
  const missing = new Set<string>();

  // Breadth-first, one file at a time: files are few and small, and a fixed order keeps the
  // diagnostics in a stable order.
  const queue: { file: string; via?: Span }[] = entries.map((file) => ({ file }));
  while (queue.length > 0) {
    const next = queue.shift();
    if (next === undefined) break;
    if (files.has(next.file) || missing.has(next.file)) {
      if (missing.has(next.file) && next.via !== undefined) {
        diagnostics.push(makeDiagnostic('CVR201', next.via, `cannot read imported file "${displayName(next.via, next.file)}"`, { hint: 'import paths are relative to the importing file' }));
      }
      continue;
    }
    const got = await read(next.file);
    if (typeof got === 'object') {
      // Refused before reading (a FIFO, /proc, too large, not text): named at its import.
      missing.add(next.file);
      const message = next.via === undefined ? `refused to read this file: ${got.detail}` : `refused to read imported file "${displayName(next.via, next.file)}": ${got.detail}`;
      diagnostics.push(makeDiagnostic(got.code, next.via, message, { hint: got.hint }, next.via === undefined ? next.file : undefined));
      continue;
    }
    const text = got;
    if (text === undefined) {
      missing.add(next.file);
      diagnostics.push(
        next.via === undefined
          ? makeDiagnostic('CVR201', undefined, 'cannot read this file', { hint: 'check the path: it is relative to the current folder' }, next.file)
          : makeDiagnostic('CVR201', next.via, `cannot read imported file "${displayName(next.via, next.file)}"`, { hint: 'import paths are relative to the importing file' }),
      );
      continue;
    }
    const parsed = parse(next.file, text);
    // A file that is not .cvr text keeps its lines out of the rendered diagnostics.
    if (parsed.notCvrText !== true) texts.set(next.file, text);
    files.set(next.file, parsed.file);
    // One by one: spreading a file's diagnostics into push() overflows the stack on big inputs.
    for (const d of parsed.diagnostics) diagnostics.push(d);
    const targets: string[] = [];
    const seenHere = new Map<string, Import>();
    for (const imp of parsed.file.imports) {
      const target = importTarget(next.file, imp);
      if (target === next.file) {
        diagnostics.push(makeDiagnostic('CVR207', imp.path.span, `"${imp.path.value}" imports the file itself`, { hint: 'remove this import' }));
        continue;
      }
      const earlier = seenHere.get(target);
      if (earlier !== undefined) {
        diagnostics.push(makeDiagnostic('CVR206', imp.path.span, `"${imp.path.value}" is already imported`, { related: [{ message: 'first imported here', span: earlier.path.span }] }));
        continue;
      }
      seenHere.set(target, imp);
      targets.push(target);
      queue.push({ file: target, via: imp.path.span });
    }
    imports.set(next.file, targets);
  }

  const readable = new Map<string, string[]>();
  for (const [from, tos] of imports) readable.set(from, tos.filter((t) => files.has(t)));
  for (const cycle of findCycles(readable)) {
    const first = cycle[0] ?? '';
    const second = cycle[1 % cycle.length] ?? first;
    const firstFile = files.get(first);
    const imp = firstFile?.imports.find((i) => importTarget(first, i) === second);
    const names = [...cycle, first].map((f) => path.basename(f));
    diagnostics.push(
      makeDiagnostic('CVR202', imp?.path.span, `import cycle: ${names.join(' → ')}`, { hint: 'move the shared blocks into a file that both import', data: { cycle } }, first),
    );
  }
  return { entries, files, texts, imports: readable, diagnostics };
}

function displayName(via: Span, target: string): string {
  return path.relative(path.dirname(via.file), target) || target;
}
