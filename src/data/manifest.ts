/**
 * Manifest parsing: CSV (RFC 4180 quoting), TSV, and whitespace separated files with or
 * without a header row, as public benchmarks ship them.
 */
export type Delimiter = 'csv' | 'tsv' | 'whitespace';

export interface ManifestTable {
  readonly delimiter: Delimiter;
  /** Column names: the header row, or the positional names for a headerless file. */
  readonly columns: readonly string[];
  readonly rows: readonly ManifestRow[];
}

export interface ManifestRow {
  /** 1-based line of the row in the file. */
  readonly line: number;
  readonly fields: readonly string[];
}

export function sniffDelimiter(fileName: string, text: string): Delimiter {
  const lower = fileName.toLowerCase();
  if (lower.endsWith('.tsv')) return 'tsv';
  if (lower.endsWith('.csv')) return 'csv';
  const firstLine = text.split(/\r?\n/, 20).find((l) => l.trim() !== '') ?? '';
  // Tabs mixed with runs of spaces are whitespace-aligned columns, not TSV.
  if (firstLine.includes('\t')) return /\S {2,}\S/.test(firstLine) ? 'whitespace' : 'tsv';
  if (firstLine.includes(',')) return 'csv';
  return 'whitespace';
}

export function parseManifest(
  text: string,
  options: { readonly fileName: string; readonly delimiter?: Delimiter | undefined; readonly positional?: readonly string[] | undefined },
): ManifestTable {
  const delimiter = options.delimiter ?? sniffDelimiter(options.fileName, text);
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  const rows = delimiter === 'csv' ? (body.includes('"') ? parseCsv(body) : splitLines(body, 'csv')) : splitLines(body, delimiter);
  if (options.positional !== undefined) return { delimiter, columns: options.positional, rows };
  const [header, ...rest] = rows;
  return { delimiter, columns: (header?.fields ?? []).map((c) => c.trim()), rows: rest };
}

/** Line-based splitting; for CSV only when the text holds no quotes (the common, fast case). */
function splitLines(text: string, delimiter: Delimiter): ManifestRow[] {
  const rows: ManifestRow[] = [];
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] ?? '';
    if (line.trim() === '') continue;
    const fields = delimiter === 'tsv' ? line.split('\t') : delimiter === 'csv' ? line.split(',') : line.trim().split(/\s+/);
    rows.push({ line: i + 1, fields });
  }
  return rows;
}

/** A small RFC 4180 reader: quoted fields may hold commas, doubled quotes and newlines. */
function parseCsv(text: string): ManifestRow[] {
  const rows: ManifestRow[] = [];
  let fields: string[] = [];
  let field = '';
  let line = 1;
  let rowLine = 1;
  let inQuotes = false;
  let i = 0;
  const endRow = (): void => {
    fields.push(field);
    if (!(fields.length === 1 && fields[0]!.trim() === '')) rows.push({ line: rowLine, fields });
    fields = [];
    field = '';
  };
  while (i < text.length) {
    const ch = text[i]!;
    if (inQuotes) {
      if (ch === '"') {
        if (text[i + 1] === '"') {
          field += '"';
          i += 2;
          continue;
        }
        inQuotes = false;
      } else {
        if (ch === '\n') line++;
        field += ch;
      }
      i++;
      continue;
    }
    if (ch === '"' && field.trim() === '') {
      inQuotes = true;
      field = '';
    } else if (ch === ',') {
      fields.push(field);
      field = '';
    } else if (ch === '\n') {
      endRow();
      line++;
      rowLine = line;
    } else if (ch !== '\r') {
      field += ch;
    }
    i++;
  }
  if (field !== '' || fields.length > 0) endRow();
  return rows;
}
