/**
 * One manifest location of one source, row by row, in the order language.md fixes: read →
 * `where` (else `filtered`) → same image path already seen here (else `duplicate row`) → the image
 * path or template resolved (else `missing file`) → listed for label mapping. Each row read for
 * the source lands on exactly one ledger line or in the returned list.
 */
import { join, posix } from 'node:path';
import type { ResolvedLocation, ResolvedWhere } from '../dsl/index.ts';
import { fillTemplate, isTemplate, parseTemplate, templateColumns } from '../dsl/index.ts';
import type { ImageTemplate } from '../dsl/index.ts';
import { mustCompileLinear } from '../dsl/index.ts';
import { diagnostic, firstFew } from '../diag/index.ts';
import { isVolumeName, kindOfName } from './file-kind.ts';
import { columnIndex, delimiterHint } from './manifest.ts';
import type { ManifestTable } from './manifest.ts';
import { containedRelativePath } from './paths.ts';
import type { Listed, SourceContext } from './scan-context.ts';
import { listDirectory, reportEscapes } from './scan-context.ts';
import type { Partition } from './types.ts';

export interface ManifestListed extends Listed {
  /** The file was found in a folder listing (a `.*` template): it exists. */
  readonly resolved?: boolean;
}

const PARTITIONS: Readonly<Record<string, Partition>> = {
  train: 'train',
  training: 'train',
  val: 'val',
  valid: 'val',
  validation: 'val',
  test: 'test',
  testing: 'test',
};

type Row = { readonly fields: readonly string[] };
type Predicate = (row: Row) => boolean;

/** Compiles a `where` into a row predicate; columns it names that the table lacks are returned. */
export function compileWhere(where: ResolvedWhere, table: ManifestTable): { test: Predicate; unknown: string[] } {
  const unknown: string[] = [];
  const field = (column: string): ((row: Row) => string) => {
    const i = columnIndex(table, column);
    if (i < 0 && !unknown.includes(column)) unknown.push(column);
    return (row) => (row.fields[i] ?? '').trim();
  };
  const build = (w: ResolvedWhere): Predicate => {
    switch (w.op) {
      case 'or': {
        const terms = w.terms.map(build);
        return (r) => terms.some((t) => t(r));
      }
      case 'and': {
        const terms = w.terms.map(build);
        return (r) => terms.every((t) => t(r));
      }
      case 'not': {
        const term = build(w.term);
        return (r) => !term(r);
      }
      case '==': {
        const f = field(w.column);
        return (r) => f(r) === w.value;
      }
      case '!=': {
        const f = field(w.column);
        return (r) => f(r) !== w.value;
      }
      case 'in': {
        const f = field(w.column);
        const values = new Set(w.values);
        return (r) => values.has(f(r));
      }
      case 'matches': {
        const f = field(w.column);
        const re = mustCompileLinear(w.pattern, w.flags);
        return (r) => re.search(f(r));
      }
    }
  };
  return { test: build(where), unknown };
}

const dirCache = new WeakMap<SourceContext['manifests'], Map<string, Promise<string[]>>>();

export async function readManifestRows(ctx: SourceContext, location: Extract<ResolvedLocation, { kind: 'manifest' }>, table: ManifestTable): Promise<ManifestListed[]> {
  const name = ctx.source.name;
  const span = ctx.pipeline.spans[`source:${name}`];
  const file = location.file;
  const once = (key: string): boolean => {
    const k = `${file}\u0000${key}`;
    if (ctx.reported.has(k)) return false;
    ctx.reported.add(k);
    return true;
  };
  if (table.duplicateColumns.length > 0) {
    if (once('duplicate-columns')) {
      ctx.diagnostics.push(
        diagnostic('CVR520', `manifest ${JSON.stringify(file)} has two columns named ${table.duplicateColumns.map((c) => JSON.stringify(c)).join(', ')}`, {
          span,
          file,
          data: { duplicates: table.duplicateColumns, columns: table.columns },
          hint: 'rename one of them in the header: cvr cannot tell which one a setting means',
        }),
      );
    }
    return [];
  }
  const cols = location.columns;
  const template: ImageTemplate | undefined = (() => {
    if (!isTemplate(cols.image)) return undefined;
    const parsed = parseTemplate(cols.image);
    return 'template' in parsed ? parsed.template : undefined;
  })();
  const want: Array<[string, string | undefined]> = [
    ['label', cols.label],
    ['patient', cols.patient],
    ['source', location.sourceColumn ?? cols.source],
    ['partition', cols.partition],
    ...(template === undefined ? ([['image', cols.image]] as Array<[string, string]>) : templateColumns(template).map((c): [string, string] => ['image template', c])),
  ];
  const missing = want.filter(([, col]) => col !== undefined && columnIndex(table, col) < 0).map(([role, col]) => `${role} "${col}"`);
  const where = cols.where === undefined ? undefined : compileWhere(cols.where, table);
  if (where !== undefined && where.unknown.length > 0) {
    if (once('where')) {
      ctx.diagnostics.push(
        diagnostic('CVR516', `source "${name}": \`where\` names ${where.unknown.map((c) => `"${c}"`).join(', ')}, which manifest ${JSON.stringify(file)} does not have; its columns are ${table.columns.filter((c) => c !== '').map((c) => JSON.stringify(c)).join(', ')}`, {
          span,
          file,
          data: { unknown: where.unknown, columns: table.columns },
          hint: delimiterHint(table) ?? 'write the column as the header spells it; a name with spaces is written as a string ("View Position")',
        }),
      );
    }
    return [];
  }
  if (missing.length > 0) {
    if (once(`missing:${missing.join(',')}`)) {
      const code = missing.some((m) => m.startsWith('image template')) ? 'CVR517' : 'CVR502';
      ctx.diagnostics.push(
        diagnostic(code, `manifest ${JSON.stringify(file)} has no column ${missing.join(', ')}; its columns are ${table.columns.filter((c) => c !== '').map((c) => JSON.stringify(c)).join(', ')}`, {
          span,
          file,
          data: { missing, columns: table.columns },
          hint:
            delimiterHint(table) ??
            (cols.positional !== undefined ? 'the `columns` list names headerless columns by position' : 'name the columns as the header row spells them, or say `columns …` for a headerless file'),
        }),
      );
    }
    return [];
  }
  const idx = (col: string | undefined): number | undefined => (col === undefined ? undefined : columnIndex(table, col));
  const imageCol = template === undefined ? idx(cols.image) : undefined;
  const labelCol = idx(cols.label)!;
  const patientCol = idx(cols.patient);
  const sourceCol = idx(location.sourceColumn ?? cols.source);
  const partitionCol = idx(cols.partition);
  const templateCols = template === undefined ? [] : templateColumns(template).map((c) => columnIndex(table, c));
  const wanted = Math.max(imageCol ?? 0, labelCol, patientCol ?? 0, sourceCol ?? 0, partitionCol ?? 0, ...templateCols);
  const readCols: Array<[string, number]> = [
    ...(template === undefined ? [[cols.image, imageCol!] as [string, number]] : templateColumns(template).map((c) => [c, columnIndex(table, c)] as [string, number])),
    [cols.label, labelCol],
  ];
  const shortRows: number[] = [];
  const emptySource: number[] = [];
  const badPartitions: string[] = [];
  const escapes: string[] = [];
  const badBytes: string[] = [];
  const ambiguous: string[] = [];
  const noFile: string[] = [];
  const out: ManifestListed[] = [];
  const seen = new Set<string>();
  const duplicates: string[] = [];
  const dirs = dirCache.get(ctx.manifests) ?? new Map<string, Promise<string[]>>();
  dirCache.set(ctx.manifests, dirs);
  const fieldOf = (row: Row, i: number | undefined): string | undefined => (i === undefined ? undefined : row.fields[i]?.trim());
  const multiSource = sourceCol !== undefined && location.sourceValue !== undefined;
  for (const row of table.rows) {
    const at = `row ${row.line}`;
    if (row.fields.length <= wanted) {
      shortRows.push(row.line);
      if (!multiSource) {
        ctx.ledger.read(name);
        ctx.ledger.add(name, 'not an image', `${at} (too few fields)`);
      }
      continue;
    }
    if (multiSource) {
      const raw = fieldOf(row, sourceCol) ?? '';
      const value = location.alias !== undefined && Object.hasOwn(location.alias, raw) ? location.alias[raw]! : raw;
      if (value === '') {
        emptySource.push(row.line);
        continue;
      }
      if (value !== location.sourceValue) continue;
    }
    ctx.ledger.read(name);
    if (where !== undefined && !where.test(row)) {
      ctx.ledger.add(name, 'filtered', at);
      continue;
    }
    for (const [col, i] of readCols) if (row.fields[i]?.includes('\uFFFD') === true) badBytes.push(`${at} column "${col}"`);
    const written = template === undefined ? (fieldOf(row, imageCol) ?? '') : fillTemplate(template, (c) => fieldOf(row, columnIndex(table, c)) ?? '');
    const rel = containedRelativePath(written);
    if (rel === null) {
      escapes.push(written);
      ctx.ledger.add(name, 'not an image', `${at}: ${written} (outside the root)`);
      continue;
    }
    if (seen.has(rel)) {
      ctx.ledger.add(name, 'duplicate row', `${at}: ${rel}`);
      duplicates.push(rel);
      continue;
    }
    seen.add(rel);
    let finalRel = rel;
    let resolved = false;
    if (template?.anyExtension === true) {
      const dir = posix.dirname(rel);
      const stem = posix.basename(rel);
      const names = (await listDirectory(dirs, join(location.root, dir))).filter((n) => n.lastIndexOf('.') > 0 && n.slice(0, n.lastIndexOf('.')) === stem);
      if (names.length === 0) {
        noFile.push(`${at}: ${rel}.*`);
        ctx.ledger.add(name, 'missing file', `${at}: ${rel}.*`);
        continue;
      }
      if (names.length > 1) {
        ambiguous.push(`${at}: ${names.join(', ')}`);
        ctx.ledger.add(name, 'missing file', `${at}: ${rel}.* (several: ${names.join(', ')})`);
        continue;
      }
      finalRel = dir === '.' ? names[0]! : `${dir}/${names[0]!}`;
      resolved = true;
    }
    if (isVolumeName(finalRel) || kindOfName(posix.basename(finalRel)) === 'non-image') {
      ctx.ledger.add(name, 'not an image', `${at}: ${finalRel} (${isVolumeName(finalRel) ? 'a volume' : 'not an image file'})`);
      continue;
    }
    const listed: { -readonly [K in keyof ManifestListed]: ManifestListed[K] } = { root: location.root, rel: finalRel, nativeLabel: fieldOf(row, labelCol) ?? '', where: at };
    if (cols.labelSplit !== undefined) listed.labelSeparator = cols.labelSplit;
    if (resolved) listed.resolved = true;
    const patient = fieldOf(row, patientCol);
    if (patient !== undefined && patient !== '') listed.patient = patient;
    if (location.partition !== undefined) listed.partition = location.partition;
    const partitionText = fieldOf(row, partitionCol);
    if (partitionText !== undefined && partitionText !== '') {
      const partition = PARTITIONS[partitionText.toLowerCase()];
      if (partition === undefined) badPartitions.push(`${partitionText} (line ${row.line})`);
      else listed.partition = partition;
    }
    out.push(listed);
  }
  if (shortRows.length > 0 && once('short')) {
    ctx.diagnostics.push(
      diagnostic('CVR502', `manifest ${JSON.stringify(file)}: ${shortRows.length} row(s) have too few fields (lines ${shortRows.slice(0, 5).join(', ')}${shortRows.length > 5 ? ', …' : ''})`, {
        span,
        file,
        data: { count: shortRows.length, lines: shortRows.slice(0, 5), delimiter: table.delimiter },
        hint: delimiterHint(table) ?? `the file was read as ${table.delimiter}; fix the rows or state the delimiter`,
      }),
    );
  }
  if (emptySource.length > 0 && once('empty-source')) {
    ctx.diagnostics.push(
      diagnostic('CVR519', `manifest ${JSON.stringify(file)}: ${emptySource.length} row(s) have an empty source value (rows ${emptySource.slice(0, 8).join(', ')}${emptySource.length > 8 ? ', …' : ''})`, {
        span,
        file,
        data: { count: emptySource.length, rows: emptySource.slice(0, 20) },
        hint: 'name their source with `alias { "" -> NAME }` in the `sources from manifest` block, or fill the column',
      }),
    );
  }
  if (badPartitions.length > 0) {
    ctx.diagnostics.push(
      diagnostic('CVR512', `manifest ${JSON.stringify(file)}: ${badPartitions.length} partition value(s) are not train, val or test: ${firstFew(badPartitions)}`, {
        span,
        file,
        data: { count: badPartitions.length, first: badPartitions.slice(0, 5) },
        hint: 'use train, val or test',
      }),
    );
  }
  if (duplicates.length > 0) {
    ctx.diagnostics.push(
      diagnostic('CVR513', `source "${name}" lists ${duplicates.length} image(s) more than once in ${JSON.stringify(file)}: ${firstFew(duplicates)}`, {
        span,
        file,
        data: { source: name, count: duplicates.length, first: duplicates.slice(0, 5) },
        hint: 'the first row is used, later ones are counted as `duplicate row` in the ledger',
      }),
    );
  }
  if (ambiguous.length > 0) {
    ctx.diagnostics.push(
      diagnostic('CVR518', `source "${name}": \`image ${JSON.stringify(cols.image)}\` matches several files for ${ambiguous.length} row(s): ${firstFew(ambiguous, 3)}`, {
        span,
        file,
        data: { count: ambiguous.length, first: ambiguous.slice(0, 5) },
        hint: 'keep one file per stem, or name the extension in the template',
      }),
    );
  }
  if (noFile.length > 0) {
    ctx.diagnostics.push(
      diagnostic('CVR529', `source "${name}": ${noFile.length} row(s) of ${JSON.stringify(file)} name no existing file: ${firstFew(noFile)}`, {
        span,
        file,
        data: { count: noFile.length, first: noFile.slice(0, 5) },
        hint: 'counted in the ledger as `missing file`; check `root` and the template',
      }),
    );
  }
  if (badBytes.length > 0 && once('bytes')) {
    ctx.diagnostics.push(
      diagnostic('CVR528', `manifest ${JSON.stringify(file)}: ${badBytes.length} field(s) hold bytes that are not ${cols.encoding ?? 'UTF-8'}: ${firstFew(badBytes, 3)}`, {
        span,
        file,
        data: { count: badBytes.length, first: badBytes.slice(0, 5) },
        hint: cols.encoding === undefined ? 'if the file is Latin-1, say `encoding latin1` in the manifest block' : 'check the file\'s encoding',
      }),
    );
  }
  if (escapes.length > 0) reportEscapes(ctx, location.root, escapes);
  return out;
}
