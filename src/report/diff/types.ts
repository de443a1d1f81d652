/** One semantic change between two pipelines, lock files or run folders (cli.md's JSON shape). */
export interface Change {
  /** Where the change is: `split`, `source:cxri.map."NORMAL"`, `task.NCV.sources`, `cvrnet.accuracy` … */
  readonly path: string;
  readonly kind: 'added' | 'removed' | 'changed';
  /** Human-readable values; null on the side where the thing does not exist. */
  readonly from: string | number | boolean | null;
  readonly to: string | number | boolean | null;
  /** What the change means for the experiment, in one sentence. */
  readonly meaning: string;
  /** Run diffs: whether the delta exceeds the fold std / bootstrap interval (null: cannot tell). */
  readonly exceedsNoise?: boolean | null;
  /** Run diffs: the noise the delta was compared with (`fold std 0.0707`, a bootstrap interval). */
  readonly noise?: string;
}

export interface DiffResult {
  readonly changes: readonly Change[];
}
