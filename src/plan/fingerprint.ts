/**
 * Per-source fingerprints of the data as it is now: what `cvr plan` and `cvr run` fold into the
 * scan nodes' keys, so that adding, removing, relabelling or rewriting an image reruns the scan
 * and everything downstream, while unchanged data reuses every cached node. The listing comes
 * from a metadata-only scan; file contents from hashes memoised by (path, size, mtime).
 */
import { join } from 'node:path';
import { hasErrors } from '../diag/index.ts';
import type { ResolvedPipeline } from '../dsl/index.ts';
import { expandSourceManifests, scanSources, memoizedDigests } from '../data/index.ts';
import type { ScannedImage } from '../data/index.ts';
import { sha256Hex } from './canonical.ts';

/** Where `cvr run` remembers content hashes, inside its cache folder. */
export const DIGEST_MEMO_FILE = 'file-hashes.json';

/** `digests[i]` (a content hash of image i), when given, is part of its line. */
export function fileListHashes(images: readonly ScannedImage[], digests?: readonly (string | undefined)[]): Record<string, string> {
  const lines = new Map<string, string[]>();
  images.forEach((i, at) => {
    const list = lines.get(i.source) ?? [];
    const digest = digests === undefined ? '' : `\t${digests[at] ?? 'unreadable'}`;
    list.push(`${i.id}\t${i.nativeLabel}\t${i.patient ?? ''}\t${i.partition ?? ''}${digest}`);
    lines.set(i.source, list);
  });
  return Object.fromEntries([...lines].map(([source, list]) => [source, sha256Hex(list.sort().join('\n'))]));
}

export interface FingerprintOptions {
  /** The node cache folder, to memoise content hashes in; without it every file is read. */
  readonly cacheDir?: string;
  /** Told when the cache's scan memo fails its integrity check (it is then ignored and rebuilt). */
  readonly onMemoCorrupt?: (file: string, reason: string) => void;
}

/** The expanded pipeline and its fingerprints, or undefined fingerprints when the data cannot be listed. */
export async function dataFingerprints(pipeline: ResolvedPipeline, options: FingerprintOptions = {}): Promise<{ pipeline: ResolvedPipeline; fingerprints?: Record<string, string> }> {
  const expanded = await expandSourceManifests(pipeline);
  if (hasErrors(expanded.diagnostics)) return { pipeline: expanded.pipeline };
  const fingerprints = await sourceFingerprints(expanded.pipeline, options);
  return fingerprints === undefined ? { pipeline: expanded.pipeline } : { pipeline: expanded.pipeline, fingerprints };
}

/** Fingerprints of an already expanded pipeline's sources; undefined when the data cannot be listed. */
export async function sourceFingerprints(pipeline: ResolvedPipeline, options: FingerprintOptions = {}): Promise<Record<string, string> | undefined> {
  const scan = await scanSources(pipeline, { metadataOnly: true });
  if (hasErrors(scan.diagnostics)) return undefined;
  const digests = await memoizedDigests(
    scan.images.map((i) => i.absPath),
    options.cacheDir === undefined ? undefined : join(options.cacheDir, DIGEST_MEMO_FILE),
    options.onMemoCorrupt === undefined ? {} : { onCorrupt: options.onMemoCorrupt },
  );
  // A source that lists no image still gets a fingerprint, so emptying it changes its key.
  const empty = Object.fromEntries(pipeline.sources.map((s) => [s.name, sha256Hex('')]));
  return { ...empty, ...fileListHashes(scan.images, digests) };
}
