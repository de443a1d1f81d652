/** The audit's report, as audit.json stores it (plan/audit.ts builds it). */
import type { Diagnostic } from '../diag/index.ts';
import type { ResolvedPipeline } from '../dsl/index.ts';
import type { NearPair, SplitResult } from '../data/index.ts';

export interface CountRow {
  readonly source: string;
  readonly class: string;
  /** `train` / `val` / `test` for one-fold designs; `fold1:test` etc. for several folds. */
  readonly partition: string;
  readonly n: number;
}

export interface BaselineFold {
  readonly fold: string;
  readonly accuracy: number;
  readonly testImages: number;
  readonly correct: number;
  /** The class the rule predicts for each test source, and whether from the source or the prior. */
  readonly rule: Readonly<Record<string, { readonly class: string; readonly from: 'source' | 'prior' }>>;
  /** The majority class of all training data, and its share: what an unseen source scores. */
  readonly trainingPrior: { readonly class: string; readonly fraction: number };
}

export interface IndependenceReport {
  /** Per fold, the test sources that also appear in training or validation. */
  readonly sharedSources: Readonly<Record<string, readonly string[]>>;
  /** Distinct (source, patient) pairs in a test set and in that fold's training or validation. */
  readonly sharedPatients: number;
  /** Test images byte-identical to an image in training or validation; null when images were not read. */
  readonly sharedContent: number | null;
  /** Test images that are near-duplicates of training or validation images; null when not compared. */
  readonly nearDuplicates?: number | null;
}

export interface AuditReport {
  readonly pipeline: string;
  readonly seed: number;
  readonly split: string;
  readonly metadataOnly: boolean;
  readonly counts: readonly CountRow[];
  readonly sourceOnlyBaseline: number;
  readonly baselineFolds: readonly BaselineFold[];
  readonly cramersV: number;
  readonly independent: boolean;
  readonly independence: IndependenceReport;
  /** For each task class, the sources that supply it. */
  readonly classSources: Readonly<Record<string, readonly string[]>>;
  /** Class counts of every partition of every fold, and largest / smallest (null when a class is absent). */
  readonly classBalance: readonly ClassBalance[];
  readonly findings: readonly Diagnostic[];
}

export interface ClassBalance {
  readonly fold: string;
  readonly partition: string;
  readonly counts: Readonly<Record<string, number>>;
  readonly ratio: number | null;
}

export interface AuditInput {
  readonly pipeline: ResolvedPipeline;
  readonly split: SplitResult;
  readonly seed: number;
  /** sha256 per image (same order as split.images), when the images were read. */
  readonly contentHashes?: readonly (string | undefined)[];
  /** Verified near-duplicate pairs (indices into split.images), when the images were compared. */
  readonly nearPairs?: readonly NearPair[];
}

/** A fraction as a percentage for messages: `90%`, `12.5%`. */
export function pct(x: number): string {
  const v = x * 100;
  return `${Number.isInteger(v) ? v.toFixed(0) : v.toFixed(1)}%`;
}
