/**
 * scan → labels → split → (content hashes) → audit for one pipeline. A later phase does not run
 * when an earlier one reported errors.
 */
import type { Diagnostic } from '../diag/index.ts';
import { hasErrors } from '../diag/index.ts';
import type { ResolvedPipeline } from '../dsl/index.ts';
import { scanSources, expandSourceManifests, mapLabels, assignSplit, hashFiles } from '../data/index.ts';
import { diagnostic, firstFew } from '../diag/index.ts';
import type { LabelResult, SplitResult } from '../data/index.ts';
import { audit } from './audit.ts';
import type { SourceLedger } from '../data/index.ts';
import { sharedPatientFindings } from './shared-patients.ts';
import { sharedFileNameFindings } from './shared-names.ts';
import { applyDedupe, prepareSources } from './near-audit.ts';
import type { NearPair } from '../data/index.ts';
import type { AuditReport } from './audit.ts';

export interface AuditOptions {
  readonly metadataOnly: boolean;
  /** Overrides the pipeline's seed (`--seed`). */
  readonly seed?: number | undefined;
  /** The preprocessing cache: with it (and without metadataOnly) images are compared for near-duplicates. */
  readonly cacheDir?: string | undefined;
  /** Files hashed at once. */
  readonly concurrency?: number;
}

export interface PipelineAudit {
  /** The pipeline with `sources from manifest` expanded into sources. */
  readonly pipeline: ResolvedPipeline;
  readonly seed: number;
  /** Every diagnostic of every phase that ran, audit findings last. */
  readonly diagnostics: readonly Diagnostic[];
  readonly labels?: LabelResult;
  readonly split?: SplitResult;
  /** sha256 per image of `split.images`, when images were read. */
  readonly contentHashes?: readonly (string | undefined)[];
  readonly report?: AuditReport;
  /** Per source: what was read and where each row or file went (language.md "The ledger"). */
  readonly ledger?: readonly SourceLedger[];
}

export async function auditPipeline(declared: ResolvedPipeline, options: AuditOptions): Promise<PipelineAudit> {
  const seed = options.seed ?? declared.seed;
  const expanded = await expandSourceManifests(declared);
  const pipeline = expanded.pipeline;
  const diagnostics: Diagnostic[] = [...expanded.diagnostics];
  if (hasErrors(diagnostics)) return { pipeline, seed, diagnostics };
  const scan = await scanSources(pipeline, { metadataOnly: options.metadataOnly });
  diagnostics.push(...scan.diagnostics);
  if (hasErrors(diagnostics)) return { pipeline, seed, diagnostics, ledger: scan.ledger.toJSON() };
  const labels = mapLabels(pipeline, scan.images, scan.ledger);
  let ledger = scan.ledger.toJSON();
  diagnostics.push(...labels.diagnostics);
  if (hasErrors(diagnostics)) return { pipeline, seed, diagnostics, labels, ledger };
  diagnostics.push(...sharedPatientFindings(pipeline, labels.images), ...sharedFileNameFindings(pipeline, labels.images));
  // Near-duplicates need the prepared images: found (and, with `dedupe near`, removed) before the split.
  let images = labels.images;
  let nearPairs: NearPair[] | undefined;
  if (!options.metadataOnly && options.cacheDir !== undefined) {
    const prep = await prepareSources(pipeline, scan.images, options.cacheDir);
    if (!prep.ok) return { pipeline, seed, diagnostics: [...diagnostics, ...prep.diagnostics], labels, ledger };
    const deduped = await applyDedupe(pipeline, labels.images, prep.prepared, ledger);
    if (deduped !== undefined) {
      images = deduped.images;
      ledger = deduped.ledger;
      nearPairs = deduped.pairs;
    }
  } else if (pipeline.dedupe !== undefined) {
    diagnostics.push(dedupeNotApplied(pipeline));
  }
  const split = assignSplit(pipeline, images, { seed });
  diagnostics.push(...split.diagnostics);
  if (hasErrors(diagnostics)) return { pipeline, seed, diagnostics, labels, split, ledger };
  let contentHashes: readonly (string | undefined)[] | undefined;
  if (!options.metadataOnly) {
    const hashed = await hashFiles(split.images.map((i) => i.absPath), options.concurrency ?? 16);
    contentHashes = hashed.hashes;
    if (hashed.failures.length > 0) {
      diagnostics.push(
        diagnostic('CVR510', `${hashed.failures.length} image file(s) could not be read: ${firstFew(hashed.failures.map((f) => `${f.path} (${f.reason})`), 3)}`, {
          data: { count: hashed.failures.length, first: hashed.failures.slice(0, 5) },
          hint: 'check the files\' permissions, or audit with --metadata-only',
        }),
      );
      return { pipeline, seed, diagnostics, labels, split, contentHashes, ledger };
    }
    if (hashed.empty.length > 0) {
      diagnostics.push(
        diagnostic('CVR515', `${hashed.empty.length} image file(s) are empty (0 bytes): ${firstFew(hashed.empty, 3)}`, {
          data: { count: hashed.empty.length, first: hashed.empty.slice(0, 5) },
          hint: 'an interrupted copy or download; fetch these files again or drop them',
        }),
      );
    }
  }
  const base = contentHashes === undefined ? { pipeline, split, seed } : { pipeline, split, seed, contentHashes };
  const report = audit(nearPairs === undefined ? base : { ...base, nearPairs });
  diagnostics.push(...report.findings);
  return contentHashes === undefined
    ? { pipeline, seed, diagnostics, labels, split, report, ledger }
    : { pipeline, seed, diagnostics, labels, split, contentHashes, report, ledger };
}

/** CVR674: a metadata-only audit cannot compare pixels, so `dedupe near` removes nothing there. */
function dedupeNotApplied(pipeline: ResolvedPipeline): Diagnostic {
  return diagnostic('CVR674', 'dedupe near is not applied without the images (metadata-only audit): the split shown keeps every near-duplicate', {
    span: pipeline.spans['dedupe'] ?? pipeline.spans['split'],
    hint: 'run `cvr audit` without --metadata-only (or `cvr run`) to remove them before the split',
  });
}
