/**
 * The shape of a run folder's `metrics.json` (cli.md). Written by the runner from evaluate/'s
 * results; read by report/ and `cvr diff`.
 */
export interface ClassMetrics {
  readonly precision: number;
  readonly recall: number;
  readonly f1: number;
  readonly support: number;
}

export interface FoldMetrics {
  readonly fold: number;
  readonly accuracy: number;
  readonly perClass: Readonly<Record<string, ClassMetrics>>;
  readonly macro: { readonly precision: number; readonly recall: number; readonly f1: number };
  readonly weighted: { readonly precision: number; readonly recall: number; readonly f1: number };
  /** One-vs-rest ROC-AUC per class; absent when a class has no positives or negatives. */
  readonly auc?: Readonly<Record<string, number>>;
  /** Rows: true class, columns: predicted class, in task order. */
  readonly confusion: readonly (readonly number[])[];
  readonly bySource: Readonly<Record<string, { readonly accuracy: number; readonly n: number }>>;
  /** 95 % bootstrap intervals (holdout designs). */
  readonly bootstrap?: Readonly<Record<string, { readonly low: number; readonly high: number }>>;
}

export interface MeanStd {
  readonly mean: number;
  readonly std: number;
}

export interface ModelMetrics {
  readonly folds: readonly FoldMetrics[];
  readonly summary: { readonly accuracy: MeanStd; readonly macroF1: MeanStd } & Readonly<Record<string, MeanStd>>;
}

export interface MetricsFile {
  readonly pipeline: string;
  readonly engine: string;
  readonly seed: number;
  readonly classes: readonly string[];
  readonly models: Readonly<Record<string, ModelMetrics>>;
  readonly audit: { readonly sourceOnlyBaseline: number; readonly independent: boolean };
}
