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

/** A probe's finding (CVR690–693), as stored beside its numbers. */
export interface ProbeFinding {
  readonly code: string;
  readonly severity: string;
  readonly message: string;
  readonly hint?: string;
}

/** `probes` of metrics.json (docs/probes.md): one entry per probe that ran. */
export interface ProbesMetrics {
  readonly source_probe?: {
    readonly accuracy: number;
    readonly balancedAccuracy: number;
    readonly majorityRate: number;
    readonly withinClass: Readonly<Record<string, { readonly accuracy: number; readonly majorityRate: number; readonly sources?: readonly string[] }>>;
    readonly sources?: readonly string[];
    readonly findings?: readonly ProbeFinding[];
  };
  readonly periphery_only?: MaskedProbeMetrics;
  readonly lung_only?: MaskedProbeMetrics;
  readonly gradcam_in_lungs?: {
    readonly share: number;
    readonly areaShare: number;
    readonly low: number;
    readonly high: number;
    readonly groups?: Readonly<Record<string, { readonly share: number; readonly low: number; readonly high: number; readonly n: number }>>;
    readonly findings?: readonly ProbeFinding[];
  };
}

export interface MaskedProbeMetrics {
  readonly accuracy: number;
  /** The commonest class's share of the test images. */
  readonly prior?: number;
  /** The full-image model's mean accuracy. */
  readonly fullModel?: number;
  readonly findings?: readonly ProbeFinding[];
}

export interface MetricsFile {
  readonly pipeline: string;
  readonly engine: string;
  readonly seed: number;
  readonly classes: readonly string[];
  readonly models: Readonly<Record<string, ModelMetrics>>;
  readonly audit: { readonly sourceOnlyBaseline: number; readonly independent: boolean };
  /** Present when the pipeline declares `probes { }`. */
  readonly probes?: ProbesMetrics;
}
