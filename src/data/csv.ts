/**
 * The one delimited-text module of cvr: reading manifests and prediction tables (RFC 4180
 * quoting with any one-character delimiter, or whitespace-separated columns) and writing CSV
 * cells and lines. Every reader and writer of CSV in the code base goes through here.
 */

/** The delimiters a manifest may use (`csv` and `tsv` in a pipeline are comma and tab). */
export type Delimiter = 'comma' | 'tab' | 'semicolon' | 'pipe' | 'whitespace';

export const DELIMITER_CHARS: Readonly<Record<Exclude<Delimiter, 'whitespace'>, string>> = {
  comma: ',',
  tab: '\t',
  semicolon: ';',
  pipe: '|',
};

export interface DelimitedRow {
  /** 1-based line of the row's first character in the file. */
  readonly line: number;
  readonly fields: string[];
}

/** Strips a UTF-8 byte-order mark. */
export function stripBom(text: string): string {
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

/**
 * Rows of a delimited text; blank lines are skipped. With a one-character delimiter, fields may
 * be quoted (`"a, b"`, doubled quotes, newlines inside); whitespace-separated text has no quoting.
 */
export function readDelimited(text: string, delimiter: Delimiter): DelimitedRow[] {
  const body = stripBom(text);
  if (delimiter === 'whitespace') return splitLines(body, null);
  const sep = DELIMITER_CHARS[delimiter];
  return body.includes('"') ? readQuoted(body, sep) : splitLines(body, sep);
}

/** The fast path: no quote anywhere, so every line is one row. */
function splitLines(text: string, sep: string | null): DelimitedRow[] {
  const rows: DelimitedRow[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    let line = lines[i] ?? '';
    if (line.endsWith('\r')) line = line.slice(0, -1);
    if (line.trim() === '') continue;
    rows.push({ line: i + 1, fields: sep === null ? line.trim().split(/\s+/) : line.split(sep) });
  }
  return rows;
}

function readQuoted(text: string, sep: string): DelimitedRow[] {
  const rows: DelimitedRow[] = [];
  let fields: string[] = [];
  let field = '';
  let line = 1;
  let rowLine = 1;
  let inQuotes = false;
  const endRow = (): void => {
    fields.push(field);
    if (!(fields.length === 1 && fields[0]!.trim() === '')) rows.push({ line: rowLine, fields });
    fields = [];
    field = '';
  };
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (inQuotes) {
      if (ch === '"') {
        if (text[i + 1] === '"') {
          field += '"';
          i++;
        } else inQuotes = false;
      } else {
        if (ch === '\n') line++;
        field += ch;
      }
      continue;
    }
    if (ch === '"' && field.trim() === '') {
      inQuotes = true;
      field = '';
    } else if (ch === sep) {
      fields.push(field);
      field = '';
    } else if (ch === '\n') {
      endRow();
      line++;
      rowLine = line;
    } else if (ch !== '\r') field += ch;
  }
  if (field !== '' || fields.length > 0) endRow();
  return rows;
}

/** Comma-separated rows as arrays of fields (prediction tables, report inputs). */
export function parseCsv(text: string): string[][] {
  return readDelimited(text, 'comma').map((r) => r.fields);
}

/** One CSV cell: quoted when it holds the separator, a quote or a line break. */
export function csvField(value: string, separator = ','): string {
  const needs = value.includes(separator) || value.includes('"') || value.includes('\n') || value.includes('\r');
  return needs ? `"${value.replaceAll('"', '""')}"` : value;
}

/** One CSV line (no line end). */
export function csvLine(values: readonly string[], separator = ','): string {
  return values.map((v) => csvField(v, separator)).join(separator);
}

/** The delimiter of a file that does not state one: by extension, else from its first line. */
export function sniffDelimiter(fileName: string, text: string): Delimiter {
  const lower = fileName.toLowerCase();
  if (lower.endsWith('.tsv')) return 'tab';
  if (lower.endsWith('.csv')) return 'comma';
  const firstLine = stripBom(text).split(/\r?\n/, 20).find((l) => l.trim() !== '') ?? '';
  // Tabs mixed with runs of spaces are whitespace-aligned columns, not TSV.
  if (firstLine.includes('\t')) return /\S {2,}\S/.test(firstLine) ? 'whitespace' : 'tab';
  if (firstLine.includes(',')) return 'comma';
  return 'whitespace';
}
