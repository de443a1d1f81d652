/**
 * Near-duplicate pairs for the audit: each source's images are prepared into the shared
 * preprocessing cache exactly as the run's `prep:<source>` node prepares them (same ids, same
 * order, same settings), so `cvr audit` and `cvr run` share the shards and their signatures and
 * neither decodes an image twice.
 */
import type { Diagnostic } from '../diag/index.ts';
import type { ResolvedPipeline } from '../dsl/index.ts';
import { nearDuplicatePairs, prepareImages, preparedSignatures } from '../data/index.ts';
import type { NearPair, PreparedImages, ScannedImage, Signature, SplitResult } from '../data/index.ts';

/** The id an image has in the prep cache (the run's `imageKey`). */
export function prepId(image: { readonly source: string; readonly id: string }): string {
  return `${image.source}:${image.id}`;
}

/** The pairs among `split.images`, from the signatures of prepared sets that hold them all. */
export async function nearPairsOfPrepared(split: SplitResult, prepared: readonly PreparedImages[], threshold: number): Promise<NearPair[] | undefined> {
  const all = new Map<string, Signature>();
  for (const p of prepared) for (const [id, s] of await preparedSignatures(p)) all.set(id, s);
  const sigs: Signature[] = [];
  for (const img of split.images) {
    const s = all.get(prepId(img));
    if (s === undefined) return undefined;
    sigs.push(s);
  }
  return nearDuplicatePairs(sigs, { threshold });
}

export type NearAuditResult = { readonly ok: true; readonly pairs: NearPair[] | undefined } | { readonly ok: false; readonly diagnostics: readonly Diagnostic[] };

/** Prepares every scanned image (by source, in scan order) and returns the verified pairs. */
export async function nearPairsForAudit(pipeline: ResolvedPipeline, scanned: readonly ScannedImage[], split: SplitResult, cacheDir: string, threshold: number): Promise<NearAuditResult> {
  const prepared: PreparedImages[] = [];
  for (const source of pipeline.sources) {
    const images = scanned.filter((i) => i.source === source.name);
    if (images.length === 0) continue;
    const result = await prepareImages(images.map((i) => ({ id: prepId(i), path: i.absPath })), pipeline.image, { cacheDir });
    if (!result.ok) return { ok: false, diagnostics: result.diagnostics };
    prepared.push(result.prepared);
  }
  return { ok: true, pairs: await nearPairsOfPrepared(split, prepared, threshold) };
}
