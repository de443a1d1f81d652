/**
 * Per-source file-list hashes from a metadata-only scan: what `cvr plan` folds into the scan
 * nodes' keys so that adding, removing or relabelling an image changes them.
 */
import { hasErrors } from '../diag/index.ts';
import type { ResolvedPipeline } from '../dsl/resolved.ts';
import { expandSourceManifests } from '../data/expand.ts';
import { scanSources } from '../data/scan.ts';
import type { ScannedImage } from '../data/types.ts';
import { sha256Hex } from './canonical.ts';

export function fileListHashes(images: readonly ScannedImage[]): Record<string, string> {
  const lines = new Map<string, string[]>();
  for (const i of images) {
    const list = lines.get(i.source) ?? [];
    list.push(`${i.id}\t${i.nativeLabel}\t${i.patient ?? ''}\t${i.partition ?? ''}`);
    lines.set(i.source, list);
  }
  return Object.fromEntries([...lines].map(([source, list]) => [source, sha256Hex(list.sort().join('\n'))]));
}

/** The expanded pipeline and its fingerprints, or undefined fingerprints when the data cannot be listed. */
export async function dataFingerprints(pipeline: ResolvedPipeline): Promise<{ pipeline: ResolvedPipeline; fingerprints?: Record<string, string> }> {
  const expanded = await expandSourceManifests(pipeline);
  if (hasErrors(expanded.diagnostics)) return { pipeline: expanded.pipeline };
  const scan = await scanSources(expanded.pipeline, { metadataOnly: true });
  if (hasErrors(scan.diagnostics)) return { pipeline: expanded.pipeline };
  return { pipeline: expanded.pipeline, fingerprints: fileListHashes(scan.images) };
}
