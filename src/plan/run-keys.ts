/**
 * The one place the plan of a run is keyed: `cvr plan` and `cvr run` both build their DAG here,
 * so that after a finished run `cvr plan` finds every node it ran in the cache.
 *
 * The keys depend on (1) the pipeline with its manifests expanded, (2) the engine that will
 * actually run — resolved from `auto` by the caller, since another engine gives other numbers —,
 * (3) the seed, (4) the fingerprints of the sources' file lists and contents, and (5) those of
 * the models' weight files, and (6) cvr's version and each node kind's output schema version
 * (key-versions.ts), so a new cvr or a changed output shape never reads an old cache entry.
 */
import type { Diagnostic } from '../diag/index.ts';
import { hasErrors } from '../diag/index.ts';
import type { ResolvedPipeline } from '../dsl/index.ts';
import { expandSourceManifests } from '../data/index.ts';
import { weightsFingerprint } from '../models/index.ts';
import { buildPlan } from './dag.ts';
import { sourceFingerprints } from './fingerprint.ts';
import type { Plan } from './types.ts';
import type { KeyVersions } from './key-versions.ts';

export interface RunKeyOptions {
  /** The engine name that will run (never `auto`): it goes into the train nodes' keys. */
  readonly engine: string;
  /** Overrides the pipeline's seed. */
  readonly seed?: number;
  /** Where remembered file digests live (a stat per unchanged file instead of a hash). */
  readonly cacheDir?: string;
  /**
   * Data that cannot be listed: `cvr run` gives each source a key of its own (so the scan node
   * runs and reports why, instead of reusing an old listing); `cvr plan` leaves the scan keys
   * without fingerprints and says so.
   */
  readonly unlisted: 'fresh' | 'omit';
  /** Where weight files are looked up (CVR_WEIGHTS_DIR): their fingerprints key the train nodes. */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Told when the scan memo is corrupt (it is then discarded and the files hashed again). */
  readonly onMemoCorrupt?: (file: string, reason: string) => void;
  /** The versions in the keys; default the current ones (tests bump them). */
  readonly versions?: KeyVersions;
}

export type RunKeys =
  | { readonly ok: true; readonly plan: Plan; readonly pipeline: ResolvedPipeline; readonly listed: boolean; readonly diagnostics: readonly Diagnostic[] }
  | { readonly ok: false; readonly diagnostics: readonly Diagnostic[] };

export async function planRunKeys(declared: ResolvedPipeline, options: RunKeyOptions): Promise<RunKeys> {
  const expanded = await expandSourceManifests(declared);
  const broken = hasErrors(expanded.diagnostics);
  // A run stops at a manifest that cannot be expanded; a plan still shows the DAG, unlisted.
  if (broken && options.unlisted === 'fresh') return { ok: false, diagnostics: expanded.diagnostics };
  const pipeline: ResolvedPipeline = { ...expanded.pipeline, engine: options.engine };
  const listedPrints = broken ? undefined : await sourceFingerprints(pipeline, { ...(options.cacheDir === undefined ? {} : { cacheDir: options.cacheDir }), ...(options.onMemoCorrupt === undefined ? {} : { onMemoCorrupt: options.onMemoCorrupt }) });
  const fingerprints = listedPrints ?? (options.unlisted === 'fresh'
    ? Object.fromEntries(pipeline.sources.map((s) => [s.name, `unlisted:${process.pid}:${Date.now()}`]))
    : undefined);
  // A weight file replaced at the same path retrains: its name, size and mtime are in the key.
  const weightsFingerprints = Object.fromEntries(
    pipeline.models.flatMap((m) => {
      const f = weightsFingerprint(m.name, m.weights, m.weightsFiles, options.env ?? {});
      return f === undefined ? [] : [[m.name, f]];
    }),
  );
  const plan = buildPlan(pipeline, {
    weightsFingerprints,
    ...(fingerprints === undefined ? {} : { sourceFingerprints: fingerprints }),
    ...(options.seed === undefined ? {} : { seed: options.seed }),
    ...(options.versions === undefined ? {} : { versions: options.versions }),
  });
  return { ok: true, plan, pipeline, listed: listedPrints !== undefined, diagnostics: expanded.diagnostics };
}
