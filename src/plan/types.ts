/**
 * The execution DAG: the contract between `plan/` (which builds it from a resolved pipeline)
 * and `run/` (which executes it). Node ids are readable (`train:cvrnet:0`); keys are content
 * hashes of the node's own configuration and its inputs' keys, so a node whose key is unchanged
 * is reused from the cache.
 */
export type PlanNodeKind =
  | 'scan'
  | 'labels'
  | 'split'
  | 'audit'
  | 'prep'
  | 'train'
  | 'predict'
  | 'metrics'
  | 'gradcam'
  | 'report';

export interface PlanNode {
  /** Readable and unique within a plan: `scan:cxri`, `train:cvrnet:0`, `metrics:cvrnet`. */
  readonly id: string;
  readonly kind: PlanNodeKind;
  /** Hex sha256 over (kind, config, input keys, cvr's version, the kind's output schema version): the cache key. */
  readonly key: string;
  /** The same hash without the versions (over the inputs' stream keys): what the node's random streams derive from. */
  readonly streamKey: string;
  /** Ids of the nodes whose outputs this one reads. */
  readonly inputs: readonly string[];
  /** The node's own configuration (JSON-serialisable), the part of its key it contributes. */
  readonly config: Readonly<Record<string, unknown>>;
  /** For fold-level nodes: the fold index. */
  readonly fold?: number;
  /** For model-level nodes: the model name. */
  readonly model?: string;
}

export interface Plan {
  readonly pipeline: string;
  /** Topologically sorted, ties broken by id, so the order is stable. */
  readonly nodes: readonly PlanNode[];
  readonly edges: readonly (readonly [from: string, to: string])[];
}
