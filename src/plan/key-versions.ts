/**
 * What a node's cache key holds besides its configuration and its inputs' keys (as wireit's
 * fingerprints do): cvr's version, and the version of the node kind's output schema, the shape
 * of the JSON its handler returns (`src/run/nodes/<kind>.ts`, whose contract names the same
 * number; the compiler checks they agree).
 *
 * Bump a kind's number whenever its output changes shape: its cache entries, and everything
 * computed from them, are then recomputed instead of read with the old shape. Random streams
 * derive from the node's `streamKey`, which holds neither version, so the numbers of a seed do
 * not move with a version bump.
 */
import { cvrVersion } from '../diag/index.ts';
import type { PlanNodeKind } from './types.ts';

export const OUTPUT_SCHEMA_VERSIONS = {
  scan: 2,
  labels: 2,
  split: 2,
  audit: 3,
  prep: 1,
  train: 1,
  predict: 1,
  metrics: 1,
  gradcam: 1,
  probe: 1,
  report: 1,
} as const satisfies Readonly<Record<PlanNodeKind, number>>;

export interface KeyVersions {
  /** cvr's version (package.json). */
  readonly cvr: string;
  /** Per node kind, its output schema version. */
  readonly outputSchema: Readonly<Record<PlanNodeKind, number>>;
}

export function currentKeyVersions(): KeyVersions {
  return { cvr: cvrVersion(), outputSchema: OUTPUT_SCHEMA_VERSIONS };
}
