/**
 * Manifests: a delimited table (see `csv.ts`) with a header row, or headerless with positional
 * column names. Header problems are reported here: two non-empty columns with one name are an
 * error (which one would `image "X"` mean?); empty header names are allowed and never match.
 */
import { readDelimited, sniffDelimiter } from './csv.ts';
import type { Delimiter, DelimitedRow } from './csv.ts';

export type { Delimiter } from './csv.ts';
export { sniffDelimiter } from './csv.ts';

export interface ManifestTable {
  readonly delimiter: Delimiter;
  /** Column names: the header row (trimmed), or the positional names for a headerless file. */
  readonly columns: readonly string[];
  readonly rows: readonly ManifestRow[];
  /** Non-empty header names written more than once. */
  readonly duplicateColumns: readonly string[];
}

export type ManifestRow = DelimitedRow;

export function parseManifest(
  text: string,
  options: { readonly fileName: string; readonly delimiter?: Delimiter | undefined; readonly positional?: readonly string[] | undefined },
): ManifestTable {
  const delimiter = options.delimiter ?? sniffDelimiter(options.fileName, text);
  const rows = readDelimited(text, delimiter);
  if (options.positional !== undefined) return { delimiter, columns: options.positional, rows, duplicateColumns: [] };
  const [header, ...rest] = rows;
  const columns = (header?.fields ?? []).map((c) => c.trim());
  const seen = new Set<string>();
  const duplicateColumns: string[] = [];
  for (const c of columns) {
    if (c === '') continue;
    if (seen.has(c) && !duplicateColumns.includes(c)) duplicateColumns.push(c);
    seen.add(c);
  }
  return { delimiter, columns, rows: rest, duplicateColumns };
}

/** The index of a named column (`-1` when absent; an empty name never matches). */
export function columnIndex(table: ManifestTable, name: string): number {
  return name === '' ? -1 : table.columns.indexOf(name);
}

/**
 * When a header reads as one column holding `;`, `|` or a tab, the file is probably separated by
 * that character: the hint names the `delimiter` to write.
 */
export function delimiterHint(table: ManifestTable): string | undefined {
  if (table.columns.length !== 1) return undefined;
  const only = table.columns[0] ?? '';
  const guess = only.includes(';') ? 'semicolon' : only.includes('|') ? 'pipe' : only.includes('\t') ? 'tab' : undefined;
  return guess === undefined ? undefined : `the header reads as one column holding "${guess === 'semicolon' ? ';' : guess === 'pipe' ? '|' : '\\t'}": say \`delimiter ${guess}\` in the manifest block`;
}
