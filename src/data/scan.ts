/**
 * Source scanning: lists each source's images with their native labels, patients and declared
 * partitions, from folders (`dir/<label>/…`) and manifests. With `metadataOnly` no image file is
 * touched (manifests are trusted, folders are only listed); otherwise every manifest entry is
 * checked to exist and to stay inside its root after links are followed.
 */
import { readFile, readdir, realpath, stat } from 'node:fs/promises';
import { basename, join, relative, sep } from 'node:path';
import type { Diagnostic } from '../diag/index.ts';
import type { ResolvedLocation, ResolvedPipeline, ResolvedSource } from '../dsl/index.ts';
import { diagnostic, firstFew } from '../diag/index.ts';
import { parseManifest } from './manifest.ts';
import type { ManifestTable } from './manifest.ts';
import { commonFolder, containedRelativePath, isInside, toPosix } from './paths.ts';
import { mapLimit } from './pool.ts';
import type { Partition, ScanResult, ScannedImage } from './types.ts';

export const IMAGE_EXTENSIONS: ReadonlySet<string> = new Set(['.png', '.jpg', '.jpeg', '.tif', '.tiff', '.webp', '.bmp', '.gif']);

export interface ScanOptions {
  /** Read manifests and folder listings only; never stat or open an image. */
  readonly metadataOnly: boolean;
}

/** One image as a location lists it, before identities are made source-wide. */
interface Listed {
  readonly root: string;
  readonly rel: string;
  readonly nativeLabel?: string;
  readonly patient?: string;
  readonly partition?: Partition;
}

/** Parsed manifests by file, shared by the sources of one scan (a multi-source manifest is read once). */
type ManifestCache = Map<string, Promise<{ table: ManifestTable } | { error: true }>>;

interface SourceContext {
  readonly manifests: ManifestCache;
  readonly source: ResolvedSource;
  readonly pipeline: ResolvedPipeline;
  readonly diagnostics: Diagnostic[];
  readonly metadataOnly: boolean;
}

export async function scanSources(pipeline: ResolvedPipeline, options: ScanOptions): Promise<ScanResult> {
  const manifests: ManifestCache = new Map();
  const perSource = await Promise.all(pipeline.sources.map((source) => scanSource(pipeline, source, options, manifests)));
  return {
    images: perSource.flatMap((r) => r.images),
    diagnostics: perSource.flatMap((r) => r.diagnostics),
  };
}

export async function scanSource(pipeline: ResolvedPipeline, source: ResolvedSource, options: ScanOptions, manifests: ManifestCache = new Map()): Promise<ScanResult> {
  const ctx: SourceContext = { manifests, source, pipeline, diagnostics: [], metadataOnly: options.metadataOnly };
  const listed: Listed[] = [];
  for (const location of source.locations) {
    listed.push(...(await listLocation(ctx, location)));
  }
  const roots = source.locations.map((l) => (l.kind === 'folder' ? l.dir : l.root));
  const common = commonFolder(roots);
  const images: ScannedImage[] = [];
  const seen = new Set<string>();
  const duplicates: string[] = [];
  const unlabeled: string[] = [];
  const unmatchedPatients: string[] = [];
  const labelPattern = source.labelsFromPath !== undefined ? new RegExp(source.labelsFromPath) : undefined;
  const patientPattern = source.patientsFromPath !== undefined ? new RegExp(source.patientsFromPath) : undefined;
  // Listed paths are normalised and relative, so identities are plain concatenations.
  const prefixes = new Map(roots.map((r) => [r, toPosix(relative(common, r))]));
  for (const item of listed) {
    const absPath = `${item.root}${sep}${item.rel}`;
    const prefix = prefixes.get(item.root) ?? '';
    const id = prefix === '' ? item.rel : `${prefix}/${item.rel}`;
    if (seen.has(id)) {
      duplicates.push(id);
      continue;
    }
    seen.add(id);
    let nativeLabel = item.nativeLabel;
    if (labelPattern !== undefined) nativeLabel = matchGroup(labelPattern, item.rel);
    if (nativeLabel === undefined || nativeLabel === '') {
      unlabeled.push(item.rel);
      continue;
    }
    let patient = item.patient;
    if (patientPattern !== undefined && (patient === undefined || patient === '')) {
      patient = matchGroup(patientPattern, item.rel);
      if (patient === undefined) unmatchedPatients.push(item.rel);
    }
    const image: { -readonly [K in keyof ScannedImage]: ScannedImage[K] } = { source: source.name, id, absPath, nativeLabel };
    if (patient !== undefined && patient !== '') image.patient = patient;
    if (item.partition !== undefined) image.partition = item.partition;
    images.push(image);
  }
  const span = pipeline.spans[`source:${source.name}`];
  if (duplicates.length > 0) {
    ctx.diagnostics.push(
      diagnostic('CVR513', `source "${source.name}" lists ${duplicates.length} image(s) more than once: ${firstFew(duplicates)}`, {
        span,
        data: { source: source.name, count: duplicates.length, first: duplicates.slice(0, 5) },
        hint: 'remove the repeated rows; only the first is used',
      }),
    );
  }
  if (unlabeled.length > 0) {
    const how = labelPattern !== undefined ? `\`labels from path /${source.labelsFromPath}/\` does not match` : 'no label folder holds';
    ctx.diagnostics.push(
      diagnostic('CVR508', `source "${source.name}": ${how} ${unlabeled.length} image path(s): ${firstFew(unlabeled)}`, {
        span,
        data: { source: source.name, count: unlabeled.length, first: unlabeled.slice(0, 5) },
        hint: labelPattern !== undefined ? 'widen the pattern or drop these files' : 'put each image under dir/<label>/, or say `labels from path /regex/`',
      }),
    );
  }
  if (unmatchedPatients.length > 0) {
    ctx.diagnostics.push(
      diagnostic('CVR508', `source "${source.name}": \`patients from path /${source.patientsFromPath}/\` does not match ${unmatchedPatients.length} image path(s): ${firstFew(unmatchedPatients)}`, {
        span,
        severity: 'warning',
        data: { source: source.name, count: unmatchedPatients.length, first: unmatchedPatients.slice(0, 5) },
        hint: 'those images are treated as one patient each',
      }),
    );
  }
  return { images, diagnostics: ctx.diagnostics };
}

function matchGroup(pattern: RegExp, text: string): string | undefined {
  const m = pattern.exec(text);
  if (m === null) return undefined;
  return m[1] ?? m[0];
}

async function listLocation(ctx: SourceContext, location: ResolvedLocation): Promise<Listed[]> {
  return location.kind === 'folder' ? listFolder(ctx, location.dir) : listManifest(ctx, location);
}

async function listFolder(ctx: SourceContext, dir: string): Promise<Listed[]> {
  const span = ctx.pipeline.spans[`source:${ctx.source.name}`];
  let realRoot: string;
  try {
    realRoot = await realpath(dir);
    if (!(await stat(realRoot)).isDirectory()) throw new Error('not a folder');
  } catch {
    ctx.diagnostics.push(
      diagnostic('CVR501', `source "${ctx.source.name}": folder ${JSON.stringify(dir)} does not exist or is not a folder`, {
        span,
        file: dir,
        hint: 'check the path (relative to the .cvr file), or make the data first (see docs/data-layout.md)',
      }),
    );
    return [];
  }
  const out: Listed[] = [];
  const escaped: string[] = [];
  const visited = new Set<string>([realRoot]);
  const walk = async (abs: string, rel: string): Promise<void> => {
    const entries = await readdir(abs, { withFileTypes: true });
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const entry of entries) {
      if (entry.name.startsWith('.')) continue;
      const childAbs = join(abs, entry.name);
      const childRel = rel === '' ? entry.name : `${rel}/${entry.name}`;
      let isDir = entry.isDirectory();
      let isFile = entry.isFile();
      if (entry.isSymbolicLink()) {
        let target: string;
        try {
          target = await realpath(childAbs);
        } catch {
          continue; // a dangling link is not an image
        }
        if (!isInside(realRoot, target)) {
          escaped.push(childRel);
          continue;
        }
        const st = await stat(target);
        isDir = st.isDirectory();
        isFile = st.isFile();
        if (isDir && visited.has(target)) continue;
        if (isDir) visited.add(target);
      }
      if (isDir) await walk(childAbs, childRel);
      else if (isFile && IMAGE_EXTENSIONS.has(extensionOf(entry.name))) {
        const slash = childRel.indexOf('/');
        const listed: { -readonly [K in keyof Listed]: Listed[K] } = { root: dir, rel: childRel };
        if (slash > 0) listed.nativeLabel = childRel.slice(0, slash);
        out.push(listed);
      }
    }
  };
  await walk(dir, '');
  if (escaped.length > 0) reportEscapes(ctx, dir, escaped);
  return out;
}

function extensionOf(name: string): string {
  const dot = name.lastIndexOf('.');
  return dot < 0 ? '' : name.slice(dot).toLowerCase();
}

function reportEscapes(ctx: SourceContext, root: string, paths: readonly string[]): void {
  ctx.diagnostics.push(
    diagnostic('CVR503', `source "${ctx.source.name}": ${paths.length} image path(s) escape the root ${JSON.stringify(root)}: ${firstFew(paths)}`, {
      span: ctx.pipeline.spans[`source:${ctx.source.name}`],
      file: root,
      data: { source: ctx.source.name, root, count: paths.length, first: paths.slice(0, 5) },
      hint: 'image paths must be relative and stay inside the root (no "..", no absolute paths, no links out); copy the images under the root or set `root` to their folder',
    }),
  );
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

async function listManifest(ctx: SourceContext, location: Extract<ResolvedLocation, { kind: 'manifest' }>): Promise<Listed[]> {
  const span = ctx.pipeline.spans[`source:${ctx.source.name}`];
  const file = location.file;
  const cacheKey = `${file}\u0000${location.columns.delimiter ?? ''}\u0000${location.columns.positional?.join(',') ?? ''}`;
  let cached = ctx.manifests.get(cacheKey);
  if (cached === undefined) {
    cached = readFile(file, 'utf8').then(
      (text) => ({ table: parseManifest(text, { fileName: basename(file), delimiter: location.columns.delimiter, positional: location.columns.positional }) }),
      () => ({ error: true as const }),
    );
    ctx.manifests.set(cacheKey, cached);
  }
  const read = await cached;
  if ('error' in read) {
    ctx.diagnostics.push(
      diagnostic('CVR501', `source "${ctx.source.name}": manifest ${JSON.stringify(file)} does not exist or cannot be read`, {
        span,
        file,
        hint: 'check the path (relative to the .cvr file), or make the data first (see docs/data-layout.md)',
      }),
    );
    return [];
  }
  const table = read.table;
  const columnIndex = (name: string | undefined): number | undefined => (name === undefined ? undefined : table.columns.indexOf(name));
  const want: Array<[string, string | undefined]> = [
    ['image', location.columns.image],
    ['label', location.columns.label],
    ['patient', location.columns.patient],
    ['source', location.sourceColumn ?? location.columns.source],
    ['partition', location.columns.partition],
  ];
  const missing = want.filter(([, name]) => name !== undefined && table.columns.indexOf(name) < 0).map(([role, name]) => `${role} "${name}"`);
  if (missing.length > 0) {
    ctx.diagnostics.push(
      diagnostic('CVR502', `manifest ${JSON.stringify(file)} has no column ${missing.join(', ')}; its columns are ${table.columns.map((c) => JSON.stringify(c)).join(', ')}`, {
        span,
        file,
        data: { missing, columns: table.columns },
        hint: location.columns.positional !== undefined ? 'the `columns` list names headerless columns by position' : 'name the columns as the header row spells them, or say `columns …` for a headerless file',
      }),
    );
    return [];
  }
  const imageCol = columnIndex(location.columns.image)!;
  const labelCol = columnIndex(location.columns.label)!;
  const patientCol = columnIndex(location.columns.patient);
  const sourceCol = columnIndex(location.sourceColumn ?? location.columns.source);
  const partitionCol = columnIndex(location.columns.partition);
  const wanted = Math.max(imageCol, labelCol, patientCol ?? 0, sourceCol ?? 0, partitionCol ?? 0);
  const shortRows: number[] = [];
  const badPartitions: string[] = [];
  const escapes: string[] = [];
  const out: Listed[] = [];
  const fieldOf = (row: { readonly fields: readonly string[] }, i: number | undefined): string | undefined => (i === undefined ? undefined : row.fields[i]?.trim());
  for (const row of table.rows) {
    if (row.fields.length <= wanted) {
      shortRows.push(row.line);
      continue;
    }
    if (sourceCol !== undefined && location.sourceValue !== undefined && fieldOf(row, sourceCol) !== location.sourceValue) continue;
    const written = fieldOf(row, imageCol) ?? '';
    const rel = containedRelativePath(written);
    if (rel === null) {
      escapes.push(written);
      continue;
    }
    const listed: { -readonly [K in keyof Listed]: Listed[K] } = { root: location.root, rel, nativeLabel: fieldOf(row, labelCol) ?? '' };
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
  if (shortRows.length > 0) {
    ctx.diagnostics.push(
      diagnostic('CVR502', `manifest ${JSON.stringify(file)}: ${shortRows.length} row(s) have too few fields (lines ${shortRows.slice(0, 5).join(', ')}${shortRows.length > 5 ? ', …' : ''})`, {
        span,
        file,
        data: { count: shortRows.length, lines: shortRows.slice(0, 5), delimiter: table.delimiter },
        hint: `the file was read as ${table.delimiter}; fix the rows or state the delimiter`,
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
  if (escapes.length > 0) reportEscapes(ctx, location.root, escapes);
  if (!ctx.metadataOnly) return verifyOnDisk(ctx, location.root, file, out);
  return out;
}

/** Keeps the entries that exist and stay inside the root once links are followed. */
async function verifyOnDisk(ctx: SourceContext, root: string, manifest: string, listed: readonly Listed[]): Promise<Listed[]> {
  let realRoot: string;
  try {
    realRoot = await realpath(root);
  } catch {
    realRoot = root;
  }
  const status = await mapLimit(listed, 64, async (item): Promise<'ok' | 'missing' | 'escapes'> => {
    try {
      const real = await realpath(join(item.root, item.rel));
      return isInside(realRoot, real) ? 'ok' : 'escapes';
    } catch {
      return 'missing';
    }
  });
  const missing = listed.filter((_, i) => status[i] === 'missing').map((l) => l.rel);
  const escapes = listed.filter((_, i) => status[i] === 'escapes').map((l) => l.rel);
  if (missing.length > 0) {
    ctx.diagnostics.push(
      diagnostic('CVR504', `source "${ctx.source.name}": ${missing.length} of ${listed.length} image(s) named in ${JSON.stringify(manifest)} are missing under ${JSON.stringify(root)}: ${firstFew(missing)}`, {
        span: ctx.pipeline.spans[`source:${ctx.source.name}`],
        file: manifest,
        data: { source: ctx.source.name, count: missing.length, listed: listed.length, first: missing.slice(0, 5), root },
        hint: 'check `root` (image paths are relative to it), or run with --metadata-only to audit the design without the images',
      }),
    );
  }
  if (escapes.length > 0) reportEscapes(ctx, root, escapes);
  return listed.filter((_, i) => status[i] === 'ok');
}
