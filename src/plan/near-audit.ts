/**
 * Near-duplicate pairs for the audit and `dedupe near`: each source's images are prepared into
 * the shared preprocessing cache exactly as the run's `prep:<source>` node prepares them (same
 * ids, same order, same settings), so `cvr audit` and `cvr run` share the shards and their
 * signatures and neither decodes an image twice.
 */
import type { Diagnostic } from '../diag/index.ts';
import type { ResolvedPipeline } from '../dsl/index.ts';
import { topNearPairs, type TopNearPair } from './near-duplicates.ts';
import { DEFAULT_THRESHOLD, LedgerBook, pairImage, nearDuplicatePairs, nearDuplicateRemovals, prepareImages, preparedSignatures } from '../data/index.ts';
import type { LabeledImage, NearPair, PreparedImages, ScannedImage, Signature, SourceLedger, SplitResult } from '../data/index.ts';

/** The id an image has in the prep cache (the run's `imageKey`). */
export function prepId(image: { readonly source: string; readonly id: string }): string {
  return `${image.source}:${image.id}`;
}

/** The threshold of the audit's findings: the pipeline's `dedupe near` threshold, else the default. */
export function nearThreshold(pipeline: ResolvedPipeline): number {
  return pipeline.dedupe?.threshold ?? DEFAULT_THRESHOLD;
}

/** The pairs among `images`, from the signatures of prepared sets that hold them all (else undefined). */
export async function nearPairsOfImages(images: readonly { readonly source: string; readonly id: string }[], prepared: readonly PreparedImages[], threshold: number): Promise<NearPair[] | undefined> {
  const all = new Map<string, Signature>();
  for (const p of prepared) for (const [id, s] of await preparedSignatures(p)) all.set(id, s);
  const sigs: Signature[] = [];
  for (const img of images) {
    const s = all.get(prepId(img));
    if (s === undefined) return undefined;
    sigs.push(s);
  }
  return nearDuplicatePairs(sigs, { threshold });
}

/** The pairs among `split.images`. */
export async function nearPairsOfPrepared(split: SplitResult, prepared: readonly PreparedImages[], threshold: number): Promise<NearPair[] | undefined> {
  return nearPairsOfImages(split.images, prepared, threshold);
}

export type PrepareResult = { readonly ok: true; readonly prepared: PreparedImages[] } | { readonly ok: false; readonly diagnostics: readonly Diagnostic[] };

/** Prepares every scanned image, by source in scan order, as the run's prep nodes do. */
export async function prepareSources(pipeline: ResolvedPipeline, scanned: readonly ScannedImage[], cacheDir: string): Promise<PrepareResult> {
  const prepared: PreparedImages[] = [];
  for (const source of pipeline.sources) {
    const images = scanned.filter((i) => i.source === source.name);
    if (images.length === 0) continue;
    const result = await prepareImages(images.map((i) => ({ id: prepId(i), path: i.absPath })), pipeline.image, { cacheDir });
    if (!result.ok) return { ok: false, diagnostics: result.diagnostics };
    prepared.push(result.prepared);
  }
  return { ok: true, prepared };
}

export interface Deduped {
  /** The images that stay, in their order. */
  readonly images: LabeledImage[];
  /** The ledger with each removed image moved from `used` to `near-duplicate removed`. */
  readonly ledger: SourceLedger[];
  readonly removed: number;
  /** The verified pairs among the images that stay (none with `keep first` or `keep none`). */
  readonly pairs: NearPair[];
}

/**
 * `dedupe near` before the split: later copies (source order: the pipeline's sources, then each
 * source's images in scan order) are removed, and the ledger says which image each one copies.
 * Undefined when the prepared sets do not hold every image.
 */
export async function applyDedupe(pipeline: ResolvedPipeline, images: readonly LabeledImage[], prepared: readonly PreparedImages[], ledger: readonly SourceLedger[]): Promise<Deduped | undefined> {
  const dedupe = pipeline.dedupe;
  const pairs = await nearPairsOfImages(images, prepared, nearThreshold(pipeline));
  if (pairs === undefined) return undefined;
  if (dedupe === undefined) return { images: [...images], ledger: [...ledger], removed: 0, pairs };
  const order = new Map(pipeline.sources.map((s, i) => [s.name, i]));
  const rank = Float64Array.from(images, (img, i) => (order.get(img.source) ?? order.size) * images.length + i);
  const removals = nearDuplicateRemovals(images.length, pairs, dedupe.keep, rank);
  const book = LedgerBook.fromJSON(ledger);
  const gone = new Set<number>();
  for (const r of removals) {
    const img = images[r.index]!;
    const first = images[r.first]!;
    const example = r.index === r.first ? `${img.id} (a copy in a cluster, keep none)` : `${img.id} ≈ ${first.source}/${first.id} (${r.similarity.toFixed(3)})`;
    book.move(img.source, 'used', 'near-duplicate removed', 1, example);
    gone.add(r.index);
  }
  const newIndex = new Int32Array(images.length).fill(-1);
  const kept: LabeledImage[] = [];
  images.forEach((img, i) => {
    if (gone.has(i)) return;
    newIndex[i] = kept.length;
    kept.push(img);
  });
  const left = pairs.filter((p) => newIndex[p.a]! >= 0 && newIndex[p.b]! >= 0).map((p) => ({ a: newIndex[p.a]!, b: newIndex[p.b]!, similarity: p.similarity }));
  return { images: kept, ledger: book.toJSON(), removed: removals.length, pairs: left };
}

/** A top pair as audit.json stores it for the report: both names, the similarity, why it matters, both thumbnails (PNG, base64). */
export interface StoredNearPair {
  readonly a: string;
  readonly b: string;
  readonly similarity: number;
  readonly kind: TopNearPair['kind'];
  readonly png: string;
}

/** The report's top pairs (test ↔ training first), with the two thumbnails side by side. */
export async function storedTopPairs(split: SplitResult, prepared: readonly PreparedImages[], pairs: readonly NearPair[], n = 6): Promise<StoredNearPair[]> {
  const top = topNearPairs(split, pairs, n);
  if (top.length === 0) return [];
  const all = new Map<string, Signature>();
  for (const p of prepared) for (const [id, s] of await preparedSignatures(p)) all.set(id, s);
  const out: StoredNearPair[] = [];
  for (const t of top) {
    const sa = all.get(prepId(split.images[t.ia]!));
    const sb = all.get(prepId(split.images[t.ib]!));
    if (sa === undefined || sb === undefined) continue;
    out.push({ a: t.a, b: t.b, similarity: t.similarity, kind: t.kind, png: (await pairImage(sa.thumb, sb.thumb)).toString('base64') });
  }
  return out;
}
