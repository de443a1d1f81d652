/**
 * What scanning one source shares with the manifest reader (scan.ts and manifest-rows.ts both
 * use it; kept apart so neither imports the other).
 */
import { readdir } from 'node:fs/promises';
import type { Diagnostic } from '../diag/index.ts';
import { diagnostic, firstFew } from '../diag/index.ts';
import type { ResolvedPipeline, ResolvedSource } from '../dsl/index.ts';
import type { LedgerBook } from './ledger.ts';
import type { ManifestTable } from './manifest.ts';
import type { Partition } from './types.ts';

/** One image as a location lists it, before identities are made source-wide. */
export interface Listed {
  readonly root: string;
  readonly rel: string;
  readonly nativeLabel?: string;
  readonly labelSeparator?: string;
  readonly patient?: string;
  readonly partition?: Partition;
  /** `row 12` for manifest rows (ledger examples). */
  readonly where?: string;
}

/** Parsed manifests by file, shared by the sources of one scan (a multi-source manifest is read once). */
export type ManifestCache = Map<string, Promise<{ table: ManifestTable; text: string } | { error: true }>>;

export interface SourceContext {
  readonly manifests: ManifestCache;
  readonly source: ResolvedSource;
  readonly pipeline: ResolvedPipeline;
  readonly diagnostics: Diagnostic[];
  readonly metadataOnly: boolean;
  readonly ledger: LedgerBook;
  /** Per-manifest reports already made (a manifest shared by several sources reports once). */
  readonly reported: Set<string>;
}

export function reportEscapes(ctx: SourceContext, root: string, paths: readonly string[]): void {
  ctx.diagnostics.push(
    diagnostic('CVR503', `source "${ctx.source.name}": ${paths.length} image path(s) escape the root ${JSON.stringify(root)}: ${firstFew(paths)}`, {
      span: ctx.pipeline.spans[`source:${ctx.source.name}`],
      file: root,
      data: { source: ctx.source.name, root, count: paths.length, first: paths.slice(0, 5) },
      hint: 'image paths must be relative and stay inside the root (no "..", no absolute paths, no links out); copy the images under the root or set `root` to their folder',
    }),
  );
}

/** Folder listings by absolute folder (for `.*` templates), shared within one scan. */
export async function listDirectory(cache: Map<string, Promise<string[]>>, dir: string): Promise<string[]> {
  let p = cache.get(dir);
  if (p === undefined) {
    p = readdir(dir).then(
      (names) => names.filter((n) => !n.startsWith('.')).sort(),
      () => [],
    );
    cache.set(dir, p);
  }
  return p;
}

