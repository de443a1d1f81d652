/**
 * Printing diagnostics: the human form (header, source line, caret squiggle, hint, related
 * locations) and the JSON form of cli.md. Line and column come from the file text through a
 * newline index built once per file per render, not from the span's carried line/column, so a
 * span produced by any stage (offsets only are authoritative) prints correctly.
 */
import path from 'node:path';
import type { Diagnostic, Severity } from './diagnostic.ts';
import type { Span } from './span.ts';

export interface RenderOptions {
  /** Path → text of every file a diagnostic may point into. */
  readonly files: ReadonlyMap<string, string>;
  /** Paths are printed relative to this folder when they lie below it. */
  readonly cwd?: string;
  /** ANSI colour (only on a TTY). */
  readonly color?: boolean;
}

export interface Position {
  /** 1-based. */
  readonly line: number;
  /** 1-based, in UTF-16 code units like the offsets. */
  readonly column: number;
}

/** Offsets of the line starts of one text; turns offsets into line/column by binary search. */
export class LineIndex {
  private readonly starts: number[];

  constructor(readonly text: string) {
    const starts = [0];
    for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 10) starts.push(i + 1);
    this.starts = starts;
  }

  position(offset: number): Position {
    const clamped = Math.max(0, Math.min(offset, this.text.length));
    let lo = 0;
    let hi = this.starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if ((this.starts[mid] ?? 0) <= clamped) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo + 1, column: clamped - (this.starts[lo] ?? 0) + 1 };
  }

  /** The offset where a 1-based line starts; undefined past the last line. */
  lineStart(line: number): number | undefined {
    return this.starts[line - 1];
  }

  /** The length of a 1-based line up to its `\n` (a `\r` before it included). */
  lineLength(line: number): number {
    const start = this.starts[line - 1];
    if (start === undefined) return 0;
    const next = this.starts[line];
    return (next === undefined ? this.text.length : next - 1) - start;
  }

  /** The text of a 1-based line, without its line break. */
  lineText(line: number): string {
    const start = this.starts[line - 1];
    if (start === undefined) return '';
    const next = this.starts[line];
    const end = next === undefined ? this.text.length : next - 1;
    return this.text.slice(start, end).replace(/\r$/, '');
  }
}

/** Builds each file's index on first use; one cache per render call, never module-wide. */
class IndexCache {
  private readonly indexes = new Map<string, LineIndex>();
  constructor(private readonly files: ReadonlyMap<string, string>) {}

  get(file: string): LineIndex | undefined {
    let index = this.indexes.get(file);
    if (index === undefined) {
      const text = this.files.get(file);
      if (text === undefined) return undefined;
      index = new LineIndex(text);
      this.indexes.set(file, index);
    }
    return index;
  }
}

const ANSI = {
  red: '\u001b[31m',
  yellow: '\u001b[33m',
  blue: '\u001b[34m',
  cyan: '\u001b[36m',
  bold: '\u001b[1m',
  dim: '\u001b[2m',
  reset: '\u001b[0m',
} as const;

function severityColour(severity: Severity): string {
  switch (severity) {
    case 'error':
      return ANSI.red;
    case 'warning':
      return ANSI.yellow;
    case 'info':
      return ANSI.blue;
    default: {
      const never: never = severity;
      throw new Error(`Internal error: unknown severity ${String(never)}`);
    }
  }
}

export function displayPath(file: string, cwd: string | undefined): string {
  if (cwd === undefined || !path.isAbsolute(file)) return file;
  const rel = path.relative(cwd, file);
  return rel !== '' && !rel.startsWith('..') && !path.isAbsolute(rel) ? rel.split(path.sep).join('/') : file;
}

function spanPosition(span: Span, cache: IndexCache): Position {
  const index = cache.get(span.file);
  return index === undefined ? { line: span.line, column: span.column } : index.position(span.start);
}

/** The source line and a squiggle under the span (to the end of the first line for multi-line spans). */
/** Messages longer than this (one quoting a megabyte-long name) are shown cut. */
const MAX_SHOWN_MESSAGE = 400;

/** Source lines longer than this are shown cut, around the span. */
const MAX_SHOWN_LINE = 160;

function excerpt(span: Span, cache: IndexCache, paint: (colour: string, text: string) => string, colour: string): string[] {
  const index = cache.get(span.file);
  if (index === undefined) return [];
  const start0 = index.position(span.start);
  const end = index.position(Math.max(span.start, span.end));
  const full = index.lineText(start0.line);
  // A very long line (a megabyte on one line) is shown as a window around the span, so one
  // diagnostic never prints a whole file.
  const from = full.length > MAX_SHOWN_LINE ? Math.max(0, start0.column - 1 - 40) : 0;
  const text = full.length > MAX_SHOWN_LINE ? `${full.slice(from, from + MAX_SHOWN_LINE)}…` : full;
  const start = { line: start0.line, column: start0.column - from };
  const gutter = String(start.line);
  const pad = ' '.repeat(gutter.length);
  const lastColumn = end.line === start.line ? Math.min(end.column - from, text.length + 1) : text.length + 1;
  const width = Math.max(1, lastColumn - start.column);
  // Keep tabs in the lead so the caret sits under the right character whatever the tab width.
  const lead = text.slice(0, start.column - 1).replace(/[^\t]/g, ' ');
  const marks = width === 1 ? '^' : '^' + '~'.repeat(width - 1);
  return [
    `${paint(ANSI.blue, `${gutter} |`)} ${text}`,
    `${paint(ANSI.blue, `${pad} |`)} ${lead}${paint(colour, marks)}`,
  ];
}

export function renderDiagnostic(d: Diagnostic, options: RenderOptions): string {
  return renderWith(d, options, new IndexCache(options.files));
}

function renderWith(d: Diagnostic, options: RenderOptions, cache: IndexCache): string {
  const paint = (colour: string, text: string): string => (options.color === true ? `${colour}${text}${ANSI.reset}` : text);
  const colour = severityColour(d.severity);
  const lines: string[] = [];
  const file = d.span?.file ?? d.file;
  let where = '';
  if (d.span !== undefined) {
    const pos = spanPosition(d.span, cache);
    where = ` ${displayPath(d.span.file, options.cwd)}:${pos.line}:${pos.column}`;
  } else if (file !== undefined) {
    where = ` ${displayPath(file, options.cwd)}`;
  }
  const message = d.message.length > MAX_SHOWN_MESSAGE ? `${d.message.slice(0, MAX_SHOWN_MESSAGE)}… (${d.message.length - MAX_SHOWN_MESSAGE} more characters)` : d.message;
  lines.push(`${paint(ANSI.bold + colour, `${d.severity}[${d.code}]`)}${where} ${paint(ANSI.bold, message)}`);
  if (d.span !== undefined) lines.push(...excerpt(d.span, cache, paint, colour));
  if (d.hint !== undefined) lines.push(`${paint(ANSI.cyan, 'hint:')} ${d.hint}`);
  for (const related of d.related ?? []) {
    const pos = spanPosition(related.span, cache);
    lines.push(`  ${paint(ANSI.dim, 'note:')} ${related.message} ${displayPath(related.span.file, options.cwd)}:${pos.line}:${pos.column}`);
    lines.push(...excerpt(related.span, cache, paint, ANSI.blue).map((l) => `  ${l}`));
  }
  return lines.join('\n') + '\n';
}

function summaryLine(diagnostics: readonly Diagnostic[]): string {
  const count = (s: Severity): number => diagnostics.filter((d) => d.severity === s).length;
  const errors = count('error');
  const warnings = count('warning');
  const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;
  return `${plural(errors, 'error')}, ${plural(warnings, 'warning')}\n`;
}

/** Every diagnostic, a blank line between them, and a count line at the end. */
export function renderDiagnostics(diagnostics: readonly Diagnostic[], options: RenderOptions): string {
  const cache = new IndexCache(options.files);
  const parts = diagnostics.map((d) => renderWith(d, options, cache));
  return parts.join('\n') + (diagnostics.length > 0 ? '\n' : '') + summaryLine(diagnostics);
}

/** A diagnostic as cli.md's JSON: `{code, severity, message, file, line, column, …}`. */
export interface JsonDiagnostic {
  readonly code: string;
  readonly severity: Severity;
  readonly message: string;
  readonly file: string | null;
  readonly line: number | null;
  readonly column: number | null;
  readonly endLine?: number;
  readonly endColumn?: number;
  readonly hint?: string;
  readonly related?: readonly { message: string; file: string; line: number; column: number }[];
  readonly data?: Readonly<Record<string, unknown>>;
}

export function diagnosticsToJson(diagnostics: readonly Diagnostic[], options: RenderOptions): { diagnostics: JsonDiagnostic[] } {
  const cache = new IndexCache(options.files);
  return {
    diagnostics: diagnostics.map((d) => {
      const file = d.span?.file ?? d.file;
      const base: {
        -readonly [K in keyof JsonDiagnostic]: JsonDiagnostic[K];
      } = {
        code: d.code,
        severity: d.severity,
        message: d.message,
        file: file === undefined ? null : displayPath(file, options.cwd),
        line: null,
        column: null,
      };
      if (d.span !== undefined) {
        const start = spanPosition(d.span, cache);
        base.line = start.line;
        base.column = start.column;
        const index = cache.get(d.span.file);
        if (index !== undefined) {
          const end = index.position(d.span.end);
          base.endLine = end.line;
          base.endColumn = end.column;
        }
      }
      if (d.hint !== undefined) base.hint = d.hint;
      if (d.related !== undefined && d.related.length > 0) {
        base.related = d.related.map((r) => {
          const pos = spanPosition(r.span, cache);
          return { message: r.message, file: displayPath(r.span.file, options.cwd), ...pos };
        });
      }
      if (d.data !== undefined) base.data = d.data;
      return base;
    }),
  };
}
