/**
 * The ledger (language.md "Real metadata"): every manifest row and every file under a source
 * folder ends in exactly one line of its source's ledger, and the lines add up to what was read.
 */
import { basename } from 'node:path';

export const LEDGER_LINES = [
  'used',
  'filtered',
  'duplicate row',
  'missing file',
  'dropped',
  'conflicting',
  'outside the task',
  'too coarse',
  'not an image',
  'no source',
  'near-duplicate removed',
] as const;

/**
 * The ledger entry for the rows of a multi-source manifest that belong to no source (an empty
 * source value, or too few fields to have one): they are read by no declared source, so they get
 * an entry of their own, named after the file, instead of vanishing.
 */
export function noSourceEntry(file: string): string {
  return `(no source) ${basename(file)}`;
}

export type LedgerLineName = (typeof LEDGER_LINES)[number];

export interface LedgerLine {
  readonly line: LedgerLineName;
  readonly count: number;
  /** Up to five rows or paths (`row 12: …`, `NORMAL/x.png (hidden file)`). */
  readonly examples: readonly string[];
}

export interface SourceLedger {
  readonly source: string;
  readonly read: number;
  /** In `LEDGER_LINES` order; lines with count 0 are left out. */
  readonly lines: readonly LedgerLine[];
}

const EXAMPLES = 5;

interface Entry {
  read: number;
  lines: Map<LedgerLineName, { count: number; examples: string[] }>;
}

/** Counts per source; sources in the order first seen. */
export class LedgerBook {
  private readonly entries = new Map<string, Entry>();

  private entry(source: string): Entry {
    let e = this.entries.get(source);
    if (e === undefined) {
      e = { read: 0, lines: new Map() };
      this.entries.set(source, e);
    }
    return e;
  }

  /** `n` more rows or files read for `source`. */
  read(source: string, n = 1): void {
    this.entry(source).read += n;
  }

  add(source: string, line: LedgerLineName, example?: string, n = 1): void {
    const lines = this.entry(source).lines;
    let l = lines.get(line);
    if (l === undefined) {
      l = { count: 0, examples: [] };
      lines.set(line, l);
    }
    l.count += n;
    if (example !== undefined && l.examples.length < EXAMPLES) l.examples.push(example);
  }

  /** Moves `n` of a line's count to another (e.g. scanned images that mapping then drops). */
  move(source: string, from: LedgerLineName, to: LedgerLineName, n: number, example?: string): void {
    if (n === 0) return;
    const l = this.entry(source).lines.get(from);
    if (l !== undefined) l.count -= n;
    this.add(source, to, example, n);
  }

  /** A book holding `ledger` (a stored `toJSON()`, e.g. a cached node output). */
  static fromJSON(ledger: readonly SourceLedger[]): LedgerBook {
    const book = new LedgerBook();
    book.mergeJSON(ledger);
    return book;
  }

  merge(other: LedgerBook): void {
    this.mergeJSON(other.toJSON());
  }

  mergeJSON(ledger: readonly SourceLedger[]): void {
    for (const s of ledger) {
      this.read(s.source, s.read);
      for (const l of s.lines) {
        this.add(s.source, l.line, undefined, l.count);
        const mine = this.entry(s.source).lines.get(l.line)!;
        for (const ex of l.examples) if (mine.examples.length < EXAMPLES) mine.examples.push(ex);
      }
    }
  }

  toJSON(): SourceLedger[] {
    return [...this.entries].map(([source, e]) => ({
      source,
      read: e.read,
      lines: LEDGER_LINES.flatMap((name) => {
        const l = e.lines.get(name);
        return l === undefined || l.count === 0 ? [] : [{ line: name, count: l.count, examples: [...l.examples] }];
      }),
    }));
  }
}

/** Whether every source's lines sum to what it read. */
export function ledgerAddsUp(ledger: readonly SourceLedger[]): boolean {
  return ledger.every((s) => s.lines.reduce((n, l) => n + l.count, 0) === s.read);
}

/** The ledger as text lines for `cvr audit`. */
export function ledgerText(ledger: readonly SourceLedger[]): string[] {
  const out: string[] = ['ledger (every row and file read, and where it went):'];
  for (const s of ledger) {
    out.push(`  ${s.source}: read ${s.read}`);
    for (const l of s.lines) out.push(`    ${l.line.padEnd(22)} ${String(l.count).padStart(7)}${l.examples.length > 0 && l.line !== 'used' ? `   e.g. ${l.examples.slice(0, 2).join('; ')}` : ''}`);
  }
  return out;
}
