/**
 * One manifest location of one source, row by row, in the order language.md fixes ("Precise
 * rules"), one function per step: read (`readStep`) → `where` (`whereStep`, else `filtered`) →
 * same image path already seen here (`duplicateStep`, else `duplicate row`) → the image path or
 * template resolved (`resolveStep`, else `missing file`: a warning listing the rows, an error when
 * no row of the location names an existing file) → listed for label mapping (`listStep`; labels.ts
 * maps it: `dropped`, `conflicting`, `outside the task`, `too coarse`, `used`). Each row read for
 * the source lands on exactly one ledger line or in the returned list.
 */
import { join, posix } from 'node:path';
import type { ResolvedLocation, ResolvedWhere } from '../dsl/index.ts';
import { fillTemplate, isTemplate, parseTemplate, templateColumns } from '../dsl/index.ts';
import type { ImageTemplate } from '../dsl/index.ts';
import { mustCompileLinear } from '../dsl/index.ts';
import { diagnostic, firstFew } from '../diag/index.ts';
import type { Code, Span } from '../diag/index.ts';
import { isVolumeName, kindOfName } from './file-kind.ts';
import { columnIndex, delimiterHint } from './manifest.ts';
import type { ManifestTable } from './manifest.ts';
import { containedRelativePath } from './paths.ts';
import type { LedgerLineName } from './ledger.ts';
import { noSourceEntry } from './ledger.ts';
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

/** What the row steps of one manifest location share: its columns, found once. */
interface RowPlan {
  readonly name: string;
  readonly span: Span | undefined;
  readonly file: string;
  readonly location: ManifestLocation;
  readonly table: ManifestTable;
  readonly template: ImageTemplate | undefined;
  readonly where: Predicate | undefined;
  readonly imageCol: number | undefined;
  readonly labelCol: number;
  readonly patientCol: number | undefined;
  readonly sourceCol: number | undefined;
  readonly partitionCol: number | undefined;
  readonly templateCols: readonly (readonly [string, number])[];
  /** The highest column index a row must have. */
  readonly wanted: number;
  /** Columns checked for invalid bytes. */
  readonly readCols: readonly (readonly [string, number])[];
  /** A `sources from manifest` location: rows of other sources are not this source's to count. */
  readonly multiSource: boolean;
  readonly dirs: Map<string, Promise<string[]>>;
}

/** What the steps found, reported once the rows are read. */
interface RowTally {
  readonly shortRows: number[];
  readonly emptySource: number[];
  readonly badPartitions: string[];
  readonly escapes: string[];
  readonly badBytes: string[];
  readonly ambiguous: string[];
  readonly noFile: string[];
  readonly duplicates: string[];
  /** Rows naming a 3-D volume, and rows naming a file that is not an image (`row 9: x.txt`). */
  readonly volumes: string[];
  readonly nonImages: string[];
  readonly seen: Set<string>;
  /** Rows that reached the resolve step with a `.*` template. */
  resolving: number;
}

type ManifestLocation = Extract<ResolvedLocation, { kind: 'manifest' }>;

export async function readManifestRows(ctx: SourceContext, location: ManifestLocation, table: ManifestTable): Promise<ManifestListed[]> {
  const plan = planRows(ctx, location, table);
  if (plan === undefined) return [];
  const tally: RowTally = { shortRows: [], emptySource: [], badPartitions: [], escapes: [], badBytes: [], ambiguous: [], noFile: [], duplicates: [], volumes: [], nonImages: [], seen: new Set(), resolving: 0 };
  const out: ManifestListed[] = [];
  const anyExtension = plan.template?.anyExtension === true;
  for (const row of table.rows) {
    if (!readStep(ctx, plan, tally, row)) continue;
    if (!whereStep(ctx, plan, row)) continue;
    const rel = duplicateStep(ctx, plan, tally, row);
    if (rel === undefined) continue;
    const resolved = anyExtension ? await resolveStem(ctx, plan, tally, row, rel) : rel;
    if (resolved === undefined || !resolveStep(ctx, plan, tally, row, resolved)) continue;
    out.push(listStep(plan, tally, row, resolved, anyExtension));
  }
  reportRows(ctx, plan, tally);
  return out;
}

/** Once per manifest file and key (a manifest shared by several sources reports once). */
function onceFor(ctx: SourceContext, file: string, key: string): boolean {
  const k = `${file}\u0000${key}`;
  if (ctx.reported.has(k)) return false;
  ctx.reported.add(k);
  return true;
}

/** The columns the location names, found in the header; undefined (and a diagnostic) when one is not. */
function planRows(ctx: SourceContext, location: ManifestLocation, table: ManifestTable): RowPlan | undefined {
  const name = ctx.source.name;
  const span = ctx.pipeline.spans[`source:${name}`];
  const file = location.file;
  const realColumns = (): string => table.columns.filter((c) => c !== '').map((c) => JSON.stringify(c)).join(', ');
  if (table.duplicateColumns.length > 0) {
    if (onceFor(ctx, file, 'duplicate-columns')) {
      ctx.diagnostics.push(
        diagnostic('CVR520', `manifest ${JSON.stringify(file)} has two columns named ${table.duplicateColumns.map((c) => JSON.stringify(c)).join(', ')}`, {
          span,
          file,
          data: { duplicates: table.duplicateColumns, columns: table.columns },
          hint: 'rename one of them in the header: cvr cannot tell which one a setting means',
        }),
      );
    }
    return undefined;
  }
  const cols = location.columns;
  const parsed = isTemplate(cols.image) ? parseTemplate(cols.image) : undefined;
  const template = parsed !== undefined && 'template' in parsed ? parsed.template : undefined;
  const templateNames = template === undefined ? [] : templateColumns(template);
  const sourceName = location.sourceColumn ?? cols.source;
  const want: Array<[string, string | undefined]> = [
    ['label', cols.label],
    ['patient', cols.patient],
    ['source', sourceName],
    ['partition', cols.partition],
    ...(template === undefined ? ([['image', cols.image]] as Array<[string, string]>) : templateNames.map((c): [string, string] => ['image template', c])),
  ];
  const missing = want.filter(([, col]) => col !== undefined && columnIndex(table, col) < 0).map(([role, col]) => `${role} "${col}"`);
  const where = cols.where === undefined ? undefined : compileWhere(cols.where, table);
  if (where !== undefined && where.unknown.length > 0) {
    if (onceFor(ctx, file, 'where')) {
      ctx.diagnostics.push(
        diagnostic('CVR516', `source "${name}": \`where\` names ${where.unknown.map((c) => `"${c}"`).join(', ')}, which manifest ${JSON.stringify(file)} does not have; its columns are ${realColumns()}`, {
          span,
          file,
          data: { unknown: where.unknown, columns: table.columns },
          hint: delimiterHint(table) ?? 'write the column as the header spells it; a name with spaces is written as a string ("View Position")',
        }),
      );
    }
    return undefined;
  }
  if (missing.length > 0) {
    if (onceFor(ctx, file, `missing:${missing.join(',')}`)) {
      ctx.diagnostics.push(
        diagnostic(missing.some((m) => m.startsWith('image template')) ? 'CVR517' : 'CVR502', `manifest ${JSON.stringify(file)} has no column ${missing.join(', ')}; its columns are ${realColumns()}`, {
          span,
          file,
          data: { missing, columns: table.columns },
          hint:
            delimiterHint(table) ??
            (cols.positional !== undefined ? 'the `columns` list names headerless columns by position' : 'name the columns as the header row spells them, or say `columns …` for a headerless file'),
        }),
      );
    }
    return undefined;
  }
  const idx = (col: string | undefined): number | undefined => (col === undefined ? undefined : columnIndex(table, col));
  const imageCol = template === undefined ? idx(cols.image) : undefined;
  const labelCol = idx(cols.label)!;
  const sourceCol = idx(sourceName);
  const templateCols = templateNames.map((c) => [c, columnIndex(table, c)] as const);
  const patientCol = idx(cols.patient);
  const partitionCol = idx(cols.partition);
  const dirs = dirCache.get(ctx.manifests) ?? new Map<string, Promise<string[]>>();
  dirCache.set(ctx.manifests, dirs);
  return {
    name,
    span,
    file,
    location,
    table,
    template,
    where: where?.test,
    imageCol,
    labelCol,
    patientCol,
    sourceCol,
    partitionCol,
    templateCols,
    wanted: Math.max(imageCol ?? 0, labelCol, patientCol ?? 0, sourceCol ?? 0, partitionCol ?? 0, ...templateCols.map(([, i]) => i)),
    readCols: [...(template === undefined ? [[cols.image, imageCol!] as const] : templateCols), [cols.label, labelCol]],
    multiSource: sourceCol !== undefined && location.sourceValue !== undefined,
    dirs,
  };
}

const fieldOf = (row: Row, i: number | undefined): string | undefined => (i === undefined ? undefined : row.fields[i]?.trim());

/**
 * Read: whether the row is this source's, counted in `read` (a short row is `not an image`; in a
 * multi-source manifest a short row or an empty source value belongs to no source and is reported).
 */
function readStep(ctx: SourceContext, plan: RowPlan, tally: RowTally, row: ManifestTable['rows'][number]): boolean {
  if (row.fields.length <= plan.wanted) {
    tally.shortRows.push(row.line);
    if (!plan.multiSource) {
      ctx.ledger.read(plan.name);
      ctx.ledger.add(plan.name, 'not an image', `row ${row.line} (too few fields)`);
    }
    return false;
  }
  if (plan.multiSource) {
    const raw = fieldOf(row, plan.sourceCol) ?? '';
    const alias = plan.location.alias;
    const value = alias !== undefined && Object.hasOwn(alias, raw) ? alias[raw]! : raw;
    if (value === '') {
      tally.emptySource.push(row.line);
      return false;
    }
    if (value !== plan.location.sourceValue) return false;
  }
  ctx.ledger.read(plan.name);
  return true;
}

/** `where`: a row that fails it is `filtered`. */
function whereStep(ctx: SourceContext, plan: RowPlan, row: Row & { readonly line: number }): boolean {
  if (plan.where === undefined || plan.where(row)) return true;
  ctx.ledger.add(plan.name, 'filtered', `row ${row.line}`);
  return false;
}

/**
 * The row's image path, written or filled in from the template, and whether this source has seen
 * it (`duplicate row`; the first row is kept). A path out of the root is `not an image`.
 */
function duplicateStep(ctx: SourceContext, plan: RowPlan, tally: RowTally, row: ManifestTable['rows'][number]): string | undefined {
  const at = `row ${row.line}`;
  for (const [col, i] of plan.readCols) if (row.fields[i]?.includes('\uFFFD') === true) tally.badBytes.push(`${at} column "${col}"`);
  const template = plan.template;
  const written = template === undefined ? (fieldOf(row, plan.imageCol) ?? '') : fillTemplate(template, (c) => fieldOf(row, columnIndex(plan.table, c)) ?? '');
  const rel = containedRelativePath(written);
  if (rel === null) {
    tally.escapes.push(written);
    ctx.ledger.add(plan.name, 'not an image', `${at}: ${written} (outside the root)`);
    return undefined;
  }
  if (tally.seen.has(rel)) {
    ctx.ledger.add(plan.name, 'duplicate row', `${at}: ${rel}`);
    tally.duplicates.push(rel);
    return undefined;
  }
  tally.seen.add(rel);
  return rel;
}

/** A `.*` template: the one file of the folder with that stem (none or several: `missing file`). */
async function resolveStem(ctx: SourceContext, plan: RowPlan, tally: RowTally, row: ManifestTable['rows'][number], rel: string): Promise<string | undefined> {
  const at = `row ${row.line}`;
  tally.resolving++;
  const dir = posix.dirname(rel);
  const stem = posix.basename(rel);
  const names = (await listDirectory(plan.dirs, join(plan.location.root, dir))).filter((n) => n.lastIndexOf('.') > 0 && n.slice(0, n.lastIndexOf('.')) === stem);
  if (names.length === 1) return dir === '.' ? names[0]! : `${dir}/${names[0]!}`;
  if (names.length === 0) {
    tally.noFile.push(`${at}: ${rel}.*`);
    ctx.ledger.add(plan.name, 'missing file', `${at}: ${rel}.*`);
  } else {
    tally.ambiguous.push(`${at}: ${names.join(', ')}`);
    ctx.ledger.add(plan.name, 'missing file', `${at}: ${rel}.* (several: ${names.join(', ')})`);
  }
  return undefined;
}

/**
 * Resolved: a path that names a volume or a non-image file is `not an image`. Whether the file
 * exists is checked for all rows at once (`verifyOnDisk` in scan.ts), unless metadata-only.
 */
function resolveStep(ctx: SourceContext, plan: RowPlan, tally: RowTally, row: Row & { readonly line: number }, rel: string): boolean {
  const volume = isVolumeName(rel);
  if (!volume && kindOfName(posix.basename(rel)) !== 'non-image') return true;
  (volume ? tally.volumes : tally.nonImages).push(`row ${row.line}: ${rel}`);
  ctx.ledger.add(plan.name, 'not an image', `row ${row.line}: ${rel} (${volume ? 'a volume' : 'not an image file'})`);
  return false;
}

/** Listed for label mapping, with its patient and partition. */
function listStep(plan: RowPlan, tally: RowTally, row: ManifestTable['rows'][number], rel: string, resolved: boolean): ManifestListed {
  const { location } = plan;
  const listed: { -readonly [K in keyof ManifestListed]: ManifestListed[K] } = { root: location.root, rel, nativeLabel: fieldOf(row, plan.labelCol) ?? '', where: `row ${row.line}` };
  if (location.columns.labelSplit !== undefined) listed.labelSeparator = location.columns.labelSplit;
  if (resolved) listed.resolved = true;
  const patient = fieldOf(row, plan.patientCol);
  if (patient !== undefined && patient !== '') listed.patient = patient;
  if (location.partition !== undefined) listed.partition = location.partition;
  const partitionText = fieldOf(row, plan.partitionCol);
  if (partitionText !== undefined && partitionText !== '') {
    const partition = PARTITIONS[partitionText.toLowerCase()];
    if (partition === undefined) tally.badPartitions.push(`${partitionText} (line ${row.line})`);
    else listed.partition = partition;
  }
  return listed;
}

/** One diagnostic about some rows: the count and the first few, in `data.first`. */
function rowsDiagnostic(ctx: SourceContext, plan: RowPlan, code: Code, message: string, items: readonly string[], hint: string, few = 5): void {
  ctx.diagnostics.push(
    diagnostic(code, `${message}: ${firstFew(items, few)}`, {
      span: plan.span,
      file: plan.file,
      data: { source: plan.name, count: items.length, first: items.slice(0, 5) },
      hint,
    }),
  );
}

/** Rows of a multi-source manifest that no source reads, booked once per file (`noSourceEntry`). */
function bookNoSource(ctx: SourceContext, file: string, line: LedgerLineName, rows: readonly number[], why: string): void {
  const entry = noSourceEntry(file);
  ctx.ledger.read(entry, rows.length);
  rows.forEach((r, i) => ctx.ledger.add(entry, line, i < 5 ? `row ${r} ${why}` : undefined));
}

function reportRows(ctx: SourceContext, plan: RowPlan, tally: RowTally): void {
  const { name, file, table } = plan;
  const cols = plan.location.columns;
  const lines = (xs: readonly number[], few: number): string => `${xs.slice(0, few).join(', ')}${xs.length > few ? ', …' : ''}`;
  if (tally.shortRows.length > 0 && onceFor(ctx, file, 'short')) {
    if (plan.multiSource) bookNoSource(ctx, file, 'not an image', tally.shortRows, '(too few fields)');
    ctx.diagnostics.push(
      diagnostic('CVR502', `manifest ${JSON.stringify(file)}: ${tally.shortRows.length} row(s) have too few fields (lines ${lines(tally.shortRows, 5)})`, {
        span: plan.span,
        file,
        data: { count: tally.shortRows.length, lines: tally.shortRows.slice(0, 5), delimiter: table.delimiter },
        hint: delimiterHint(table) ?? `the file was read as ${table.delimiter}; fix the rows or state the delimiter`,
      }),
    );
  }
  if (tally.emptySource.length > 0 && onceFor(ctx, file, 'empty-source')) {
    bookNoSource(ctx, file, 'no source', tally.emptySource, '(empty source value)');
    ctx.diagnostics.push(
      diagnostic('CVR519', `manifest ${JSON.stringify(file)}: ${tally.emptySource.length} row(s) have an empty source value (rows ${lines(tally.emptySource, 8)})`, {
        span: plan.span,
        file,
        data: { count: tally.emptySource.length, rows: tally.emptySource.slice(0, 20) },
        hint: 'name their source with `alias { "" -> NAME }` in the `sources from manifest` block, or fill the column',
      }),
    );
  }
  const { badPartitions, duplicates, ambiguous, noFile, badBytes, volumes, nonImages } = tally;
  if (badPartitions.length > 0) rowsDiagnostic(ctx, plan, 'CVR512', `manifest ${JSON.stringify(file)}: ${badPartitions.length} partition value(s) are not train, val or test`, badPartitions, 'use train, val or test');
  if (duplicates.length > 0) {
    rowsDiagnostic(ctx, plan, 'CVR513', `source "${name}" lists ${duplicates.length} image(s) more than once in ${JSON.stringify(file)}`, duplicates, 'the first row is used, later ones are counted as `duplicate row` in the ledger');
  }
  if (ambiguous.length > 0) {
    rowsDiagnostic(ctx, plan, 'CVR518', `source "${name}": \`image ${JSON.stringify(cols.image)}\` matches several files for ${ambiguous.length} row(s)`, ambiguous, 'keep one file per stem, or name the extension in the template', 3);
  }
  if (noFile.length > 0) reportMissingFiles(ctx, { file, root: plan.location.root, missing: noFile, attempted: tally.resolving, template: cols.image });
  if (badBytes.length > 0 && onceFor(ctx, file, 'bytes')) {
    const hint = cols.encoding === undefined ? 'if the file is Latin-1, say `encoding latin1` in the manifest block' : "check the file's encoding";
    rowsDiagnostic(ctx, plan, 'CVR528', `manifest ${JSON.stringify(file)}: ${badBytes.length} field(s) hold bytes that are not ${cols.encoding ?? 'UTF-8'}`, badBytes, hint, 3);
  }
  if (volumes.length > 0) {
    rowsDiagnostic(ctx, plan, 'CVR526', `source "${name}": ${volumes.length} row(s) of ${JSON.stringify(file)} name 3-D volumes, which are not images`, volumes, 'volumes are counted in the ledger (not an image), never decoded as one 2-D image; a `where` on the modality or folder column leaves them out');
  }
  if (nonImages.length > 0) {
    rowsDiagnostic(ctx, plan, 'CVR525', `source "${name}": ${nonImages.length} row(s) of ${JSON.stringify(file)} name files that are not images`, nonImages, 'they are counted in the ledger as `not an image`; a `where` can leave such rows out');
  }
  if (tally.escapes.length > 0) reportEscapes(ctx, plan.location.root, tally.escapes);
}

/**
 * Rows whose image file does not exist (`row 12: images/x.png`), already counted as `missing
 * file`: a warning listing them (CVR529), or an error (CVR504) when not one of the `attempted`
 * rows of the location names an existing file, which says the folder is wrong rather than a few
 * files missing.
 */
export function reportMissingFiles(ctx: SourceContext, missing: { readonly file: string; readonly root: string; readonly missing: readonly string[]; readonly attempted: number; readonly template?: string }): void {
  const name = ctx.source.name;
  const rows = missing.missing;
  const what = missing.template !== undefined && isTemplate(missing.template) ? `\`image ${JSON.stringify(missing.template)}\` finds no file` : 'the image file does not exist';
  const data = { source: name, count: rows.length, listed: missing.attempted, first: rows.slice(0, 5), root: missing.root };
  const span = ctx.pipeline.spans[`source:${name}`];
  if (rows.length === missing.attempted) {
    ctx.diagnostics.push(
      diagnostic('CVR504', `source "${name}": for every one of the ${rows.length} row(s) of ${JSON.stringify(missing.file)}, ${what} under ${JSON.stringify(missing.root)}: ${firstFew(rows)}`, {
        span,
        file: missing.file,
        data,
        hint: 'not one file was found, so the folder is probably wrong: check `root` (image paths are relative to it, and it is relative to the .cvr file), or audit with --metadata-only to check the design without the images',
      }),
    );
    return;
  }
  ctx.diagnostics.push(
    diagnostic('CVR529', `source "${name}": for ${rows.length} of ${missing.attempted} row(s) of ${JSON.stringify(missing.file)}, ${what} under ${JSON.stringify(missing.root)}: ${firstFew(rows)}`, {
      span,
      file: missing.file,
      data,
      hint: 'these rows are counted in the ledger as `missing file` and left out; restore the files or remove the rows',
    }),
  );
}
