/**
 * Source scanning: lists each source's images with their native labels, patients and declared
 * partitions, from folders (`dir/<label>/…`) and manifests, and keeps the ledger of what was read:
 * every manifest row and every file under a folder ends in exactly one ledger line (`filtered`,
 * `duplicate row`, `missing file`, `not an image`, or it becomes a scanned image, whose line the
 * label mapping decides). With `metadataOnly` no image file is opened (manifests are trusted,
 * folders are only listed, templates resolve from folder listings); otherwise every manifest
 * entry is checked to exist and to stay inside its root after links are followed.
 */
import { readdir, readFile, realpath, stat } from 'node:fs/promises';
import { basename, dirname, join, relative, sep } from 'node:path';
import type { Diagnostic } from '../diag/index.ts';
import type { ResolvedLocation, ResolvedPipeline, ResolvedSource } from '../dsl/index.ts';
import { mustCompileLinear } from '../dsl/index.ts';
import type { LinearRegex } from '../dsl/index.ts';
import { diagnostic, firstFew } from '../diag/index.ts';
import { kindOfName, isDicomFile, IMAGE_EXTENSIONS } from './file-kind.ts';
import { LedgerBook } from './ledger.ts';
import { parseManifest } from './manifest.ts';
import type { ManifestTable } from './manifest.ts';
import { readManifestRows, reportMissingFiles } from './manifest-rows.ts';
import type { ManifestListed } from './manifest-rows.ts';
import { commonFolder, isInside, toPosix } from './paths.ts';
import { mapLimit } from './pool.ts';
import type { Partition, ScanResult, ScannedImage } from './types.ts';
import { listDirectory, reportEscapes, type Listed, type ManifestCache, type SourceContext } from './scan-context.ts';

export { listDirectory, reportEscapes, type Listed, type ManifestCache, type SourceContext };

export { IMAGE_EXTENSIONS } from './file-kind.ts';

export interface ScanOptions {
  /** Read manifests and folder listings only; never stat or open an image. */
  readonly metadataOnly: boolean;
}

export async function scanSources(pipeline: ResolvedPipeline, options: ScanOptions): Promise<ScanResult> {
  const manifests: ManifestCache = new Map();
  const reported = new Set<string>();
  const perSource = await Promise.all(pipeline.sources.map((source) => scanSource(pipeline, source, options, manifests, reported)));
  const ledger = new LedgerBook();
  for (const r of perSource) ledger.merge(r.ledger);
  return {
    images: perSource.flatMap((r) => r.images),
    diagnostics: perSource.flatMap((r) => r.diagnostics),
    ledger,
  };
}

export async function scanSource(
  pipeline: ResolvedPipeline,
  source: ResolvedSource,
  options: ScanOptions,
  manifests: ManifestCache = new Map(),
  reported: Set<string> = new Set(),
): Promise<ScanResult> {
  const ledger = new LedgerBook();
  ledger.read(source.name, 0);
  const ctx: SourceContext = { manifests, source, pipeline, diagnostics: [], metadataOnly: options.metadataOnly, ledger, reported };
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
  const labelPattern = source.labelsFromPath !== undefined ? mustCompileLinear(source.labelsFromPath) : undefined;
  const patientPattern = source.patientsFromPath !== undefined ? mustCompileLinear(source.patientsFromPath) : undefined;
  // Listed paths are normalised and relative, so identities are plain concatenations.
  const prefixes = new Map(roots.map((r) => [r, toPosix(relative(common, r))]));
  for (const item of listed) {
    const absPath = `${item.root}${sep}${item.rel}`;
    const prefix = prefixes.get(item.root) ?? '';
    const id = prefix === '' ? item.rel : `${prefix}/${item.rel}`;
    const example = item.where === undefined ? id : `${item.where}: ${id}`;
    if (seen.has(id)) {
      duplicates.push(id);
      ledger.add(source.name, 'duplicate row', example);
      continue;
    }
    seen.add(id);
    let nativeLabel = item.nativeLabel;
    if (labelPattern !== undefined) nativeLabel = matchGroup(labelPattern, item.rel);
    // A folder file with no label folder, or a path the label pattern misses, has no label; an
    // empty manifest field is the empty label `""`, which the map decides.
    if (nativeLabel === undefined || (nativeLabel === '' && labelPattern !== undefined)) {
      unlabeled.push(item.rel);
      ledger.add(source.name, 'dropped', `${example} (no label)`);
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
    if (item.labelSeparator !== undefined) image.labelSeparator = item.labelSeparator;
    if (item.where !== undefined) image.row = item.where;
    images.push(image);
  }
  // Scanned images are counted as used until the label mapping moves them to their line.
  ledger.add(source.name, 'used', undefined, images.length);
  const span = pipeline.spans[`source:${source.name}`];
  if (duplicates.length > 0) {
    ctx.diagnostics.push(
      diagnostic('CVR513', `source "${source.name}" lists ${duplicates.length} image(s) more than once: ${firstFew(duplicates)}`, {
        span,
        data: { source: source.name, count: duplicates.length, first: duplicates.slice(0, 5) },
        hint: 'the first row is used, later ones are counted as `duplicate row` in the ledger',
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
  const read = ledger.toJSON()[0]?.read ?? 0;
  if (read === 0 && !ctx.diagnostics.some((d) => d.code === 'CVR501' || d.code === 'CVR502')) {
    ctx.diagnostics.push(
      diagnostic('CVR521', `source "${source.name}" read nothing: ${source.locations.map((l) => (l.kind === 'folder' ? `folder ${JSON.stringify(l.dir)} is empty` : `manifest ${JSON.stringify(l.file)} has no rows for it`)).join('; ')}`, {
        span,
        data: { source: source.name },
        hint: 'check the path and the source column, or remove the source',
      }),
    );
  }
  return { images, diagnostics: ctx.diagnostics, ledger };
}

function matchGroup(pattern: LinearRegex, text: string): string | undefined {
  return pattern.capture(text);
}

async function listLocation(ctx: SourceContext, location: ResolvedLocation): Promise<Listed[]> {
  return location.kind === 'folder' ? listFolder(ctx, location.dir) : listManifest(ctx, location);
}

type NotImageReason = 'hidden file' | 'dangling link' | 'link loop' | 'not an image file' | 'a volume' | 'outside the root';
const REASON_CODES = {
  'hidden file': 'CVR522',
  'dangling link': 'CVR523',
  'link loop': 'CVR524',
  'not an image file': 'CVR525',
  'a volume': 'CVR526',
} as const;

async function listFolder(ctx: SourceContext, dir: string): Promise<Listed[]> {
  const name = ctx.source.name;
  const span = ctx.pipeline.spans[`source:${name}`];
  let realRoot: string;
  try {
    realRoot = await realpath(dir);
    if (!(await stat(realRoot)).isDirectory()) throw new Error('not a folder');
  } catch {
    ctx.diagnostics.push(
      diagnostic('CVR501', `source "${name}": folder ${JSON.stringify(dir)} does not exist or is not a folder`, {
        span,
        file: dir,
        hint: 'check the path (relative to the .cvr file), or make the data first (see docs/data-layout.md)',
      }),
    );
    return [];
  }
  const out: Listed[] = [];
  const escaped: string[] = [];
  const notImages = new Map<NotImageReason, string[]>();
  const notImage = (rel: string, reason: NotImageReason): void => {
    ctx.ledger.add(name, 'not an image', `${rel} (${reason})`);
    const list = notImages.get(reason) ?? [];
    list.push(rel);
    notImages.set(reason, list);
  };
  const visited = new Set<string>([realRoot]);
  const walk = async (abs: string, rel: string): Promise<void> => {
    const entries = await readdir(abs, { withFileTypes: true });
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const entry of entries) {
      const childAbs = join(abs, entry.name);
      const childRel = rel === '' ? entry.name : `${rel}/${entry.name}`;
      let isDir = entry.isDirectory();
      let isFile = entry.isFile();
      let target = childAbs;
      if (entry.isSymbolicLink()) {
        try {
          target = await realpath(childAbs);
        } catch (e) {
          ctx.ledger.read(name);
          notImage(childRel, (e as NodeJS.ErrnoException).code === 'ELOOP' ? 'link loop' : 'dangling link');
          continue;
        }
        if (!isInside(realRoot, target)) {
          ctx.ledger.read(name);
          ctx.ledger.add(name, 'not an image', `${childRel} (outside the root)`);
          escaped.push(childRel);
          continue;
        }
        const st = await stat(target);
        isDir = st.isDirectory();
        isFile = st.isFile();
      }
      if (isDir) {
        if (entry.name.startsWith('.')) {
          ctx.ledger.read(name);
          notImage(`${childRel}/`, 'hidden file');
          continue;
        }
        // A folder reached twice (a link back into the tree) is walked once: no image counts twice.
        const real = entry.isSymbolicLink() ? target : await realpath(childAbs);
        if (visited.has(real)) continue;
        visited.add(real);
        await walk(childAbs, childRel);
        continue;
      }
      if (!isFile) continue; // sockets, devices: not part of a dataset
      ctx.ledger.read(name);
      if (entry.name.startsWith('.')) {
        notImage(childRel, 'hidden file');
        continue;
      }
      const kind = kindOfName(entry.name);
      const isImage = kind === 'image' || kind === 'dicom' || (kind === 'no-extension' && (await isDicomFile(target)));
      if (kind === 'volume') notImage(childRel, 'a volume');
      else if (!isImage) notImage(childRel, 'not an image file');
      else {
        const slash = childRel.indexOf('/');
        const listed: { -readonly [K in keyof Listed]: Listed[K] } = { root: dir, rel: childRel };
        if (slash > 0) listed.nativeLabel = childRel.slice(0, slash);
        out.push(listed);
      }
    }
  };
  await walk(dir, '');
  if (escaped.length > 0) reportEscapes(ctx, dir, escaped);
  for (const [reason, paths] of notImages) {
    if (reason === 'outside the root') continue;
    ctx.diagnostics.push(
      diagnostic(REASON_CODES[reason], `source "${name}": ${paths.length} ${reason === 'a volume' ? '3-D volume(s)' : `${reason}(s)`} under ${JSON.stringify(dir)} are not images: ${firstFew(paths)}`, {
        span,
        file: dir,
        data: { source: name, reason, count: paths.length, first: paths.slice(0, 5) },
        hint: reason === 'a volume' ? 'volumes are counted in the ledger (not an image), never decoded as one 2-D image' : 'they are counted in the ledger as `not an image`; remove them from the folder to silence this',
      }),
    );
  }
  return out;
}

async function listManifest(ctx: SourceContext, location: Extract<ResolvedLocation, { kind: 'manifest' }>): Promise<Listed[]> {
  const span = ctx.pipeline.spans[`source:${ctx.source.name}`];
  const file = location.file;
  const cacheKey = `${file}\u0000${location.columns.delimiter ?? ''}\u0000${location.columns.positional?.join(',') ?? ''}\u0000${location.columns.encoding ?? ''}`;
  let cached = ctx.manifests.get(cacheKey);
  if (cached === undefined) {
    cached = readFile(file).then(
      (bytes) => {
        const text = new TextDecoder(location.columns.encoding === 'latin1' ? 'latin1' : 'utf-8').decode(bytes);
        return { text, table: parseManifest(text, { fileName: basename(file), delimiter: location.columns.delimiter, positional: location.columns.positional }) };
      },
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
  const listed: ManifestListed[] = await readManifestRows(ctx, location, read.table);
  if (ctx.metadataOnly) return listed;
  return verifyOnDisk(ctx, location.root, file, listed);
}

/** Keeps the entries that exist and stay inside the root once links are followed. */
async function verifyOnDisk(ctx: SourceContext, root: string, manifest: string, listed: readonly ManifestListed[]): Promise<Listed[]> {
  let realRoot: string;
  try {
    realRoot = await realpath(root);
  } catch {
    realRoot = root;
  }
  const status = await mapLimit(listed, 64, async (item): Promise<'ok' | 'missing' | 'escapes'> => {
    if (item.resolved === true) return 'ok';
    try {
      const real = await realpath(join(item.root, item.rel));
      return isInside(realRoot, real) ? 'ok' : 'escapes';
    } catch {
      return 'missing';
    }
  });
  const name = ctx.source.name;
  const missing = listed.filter((_, i) => status[i] === 'missing');
  const escapes = listed.filter((_, i) => status[i] === 'escapes');
  for (const m of missing) ctx.ledger.add(name, 'missing file', `${m.where ?? ''}: ${m.rel}`);
  for (const m of escapes) ctx.ledger.add(name, 'not an image', `${m.where ?? ''}: ${m.rel} (outside the root)`);
  if (missing.length > 0) reportMissingFiles(ctx, { file: manifest, root, missing: missing.map((m) => `${m.where ?? ''}: ${m.rel}`), attempted: listed.length });
  if (escapes.length > 0) reportEscapes(ctx, root, escapes.map((l) => l.rel));
  return listed.filter((_, i) => status[i] === 'ok');
}

export { dirname };
