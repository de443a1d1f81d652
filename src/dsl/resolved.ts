/**
 * A pipeline after imports, `extends` and named-block references are resolved, defaults applied
 * and checks passed. This is what every later stage reads (data, plan/audit, train, run, diff):
 * plain values, no chevrotain, no unresolved references. Paths are absolute.
 *
 * Spans are kept (`spans`) so that later stages can point diagnostics at the statement that
 * caused them (an unmapped label at the source's `map`, a missing test source at the split).
 */
import type { SlurmOptions } from './slurm-options.ts';
import type { Span } from '../diag/index.ts';

export interface ResolvedPipeline {
  readonly name: string;
  /** Absolute path of the file that declared the pipeline. */
  readonly file: string;
  readonly title?: string;
  readonly description?: string;
  /** Default 0 when the file states none (the checker warns). */
  readonly seed: number;
  readonly classes: ClassTable;
  /** Every source, including those that come from `sources from manifest` (one per source name). */
  readonly sources: readonly ResolvedSource[];
  /**
   * `sources from manifest` blocks without `only`: which sources they hold is known only once the
   * manifest is read, so the data stage expands each row's source into a source (merging it with a
   * same-named one from `sources` or another manifest). Absent or empty when there are none.
   */
  readonly sourceManifests?: readonly ResolvedSourceManifest[];
  readonly task: ResolvedTask;
  readonly split: ResolvedSplit;
  readonly image: ResolvedImage;
  readonly augment: readonly ResolvedAugmentOp[];
  /** One model, or several for `compare models`. */
  readonly models: readonly ResolvedModel[];
  readonly train: ResolvedTrain;
  readonly evaluate: ResolvedEvaluate;
  /** `auto` unless the file names one; a CLI flag overrides at run time. */
  readonly engine: string;
  /** `patients shared across sources`: patient ids are global (absent: per source). */
  readonly patientsShared?: true;
  /** `probes { … }` (language.md "Image-level evidence"); absent when the pipeline declares none. */
  readonly probes?: readonly ResolvedProbe[];
  /** `lung_field { }` inside `probes { }`; absent: the default geometric lung field. */
  readonly lungField?: ResolvedLungField;
  /** `executor slurm { … }` (docs/executors.md): where the nodes run unless `--executor` says otherwise; absent: here. */
  readonly executor?: ResolvedExecutor;
  /** `dedupe near { threshold T  keep first|none }` (docs/dedupe.md); absent when not declared. */
  readonly dedupe?: ResolvedDedupe;
  /** Where each statement came from, by statement key (`task`, `split`, `source:cxri`, `train`, …). */
  readonly spans: Readonly<Record<string, Span>>;
}

/** The pipeline's executor: only `slurm` takes a block today; its options are checked (CVR423–427). */
export interface ResolvedExecutor {
  readonly kind: 'slurm';
  readonly options: SlurmOptions;
}

// ---------------------------------------------------------------------------------------------

export interface ClassInfo {
  readonly name: string;
  readonly description?: string;
  /** Leaves: `[name]`. Unions: the leaf classes they contain (transitively expanded). */
  readonly leaves: readonly string[];
  readonly isUnion: boolean;
}

export interface ClassTable {
  /** In declaration order. */
  readonly classes: readonly ClassInfo[];
}

export interface ResolvedTask {
  /** Output order of the model. */
  readonly classes: readonly string[];
}

// ---------------------------------------------------------------------------------------------

export type ResolvedLocation =
  | { readonly kind: 'folder'; readonly dir: string }
  | {
      readonly kind: 'manifest';
      readonly file: string;
      readonly columns: ResolvedManifestColumns;
      /** Absolute; default the manifest's folder. */
      readonly root: string;
      /** Rows of a multi-source manifest are filtered to `sourceValue` in this column. */
      readonly sourceColumn?: string;
      /** The value of the source column that selects this source (usually its name). */
      readonly sourceValue?: string;
      /** Every row of this manifest is in this partition (`partition test`). */
      readonly partition?: 'train' | 'test';
      /** `alias { "rnsa" -> rsna }` of the `sources from manifest` block: source-column value → name. */
      readonly alias?: Readonly<Record<string, string>>;
    };

export interface ResolvedManifestColumns {
  readonly image: string;
  readonly label: string;
  readonly patient?: string;
  readonly source?: string;
  readonly partition?: string;
  /** Headerless files: positional names. Absent = the file has a header row. */
  readonly positional?: readonly string[];
  /** Absent = sniffed. `csv` and `tsv` are written `comma` and `tab` here. */
  readonly delimiter?: ManifestDelimiter;
  /** `label "col" split "|"`: the separator of a multi-valued label. */
  readonly labelSplit?: string;
  /** `where EXPR`: rows that fail it are filtered. */
  readonly where?: ResolvedWhere;
  /** Absent = UTF-8. */
  readonly encoding?: 'latin1';
}

export type ManifestDelimiter = 'comma' | 'tab' | 'semicolon' | 'pipe' | 'whitespace';

/** A `where` expression as plain data (column names as written, values as strings). */
export type ResolvedWhere =
  | { readonly op: 'or' | 'and'; readonly terms: readonly ResolvedWhere[] }
  | { readonly op: 'not'; readonly term: ResolvedWhere }
  | { readonly op: '==' | '!='; readonly column: string; readonly value: string }
  | { readonly op: 'in'; readonly column: string; readonly values: readonly string[] }
  | { readonly op: 'matches'; readonly column: string; readonly pattern: string; readonly flags: string };

/** A regex map key: tried after the exact keys, in written order; the first that matches wins. */
export interface ResolvedPatternRule {
  readonly pattern: string;
  readonly flags: string;
  /** A class name, or null for `drop`. */
  readonly target: string | null;
}

export interface ResolvedSource {
  readonly name: string;
  /**
   * A source usually has one location; a source named in several manifests (a train list and a
   * test list) has one location per manifest, and is still one source.
   */
  readonly locations: readonly ResolvedLocation[];
  /** Regex source text; capture group 1 (or the whole match) is the native label. */
  readonly labelsFromPath?: string;
  readonly patientsFromPath?: string;
  /** Native label → class name, or null for an explicit `drop`. */
  readonly map: Readonly<Record<string, string | null>>;
  /** Regex keys, in written order (absent when the map has none). */
  readonly patterns?: readonly ResolvedPatternRule[];
  /** `other -> X`: the class (or null: drop) of every label no exact key or regex matches. */
  readonly other?: string | null;
  /** What to do with images whose class is a union too coarse for the task. */
  readonly coarse: 'drop' | 'error';
}

/** A multi-source manifest whose source names come from its source column. */
export interface ResolvedSourceManifest {
  /** Absolute. */
  readonly file: string;
  readonly columns: ResolvedManifestColumns;
  /** Absolute; default the manifest's folder. */
  readonly root: string;
  /** The column naming each row's source (`columns.source`). */
  readonly sourceColumn: string;
  /** Every row of this manifest is in this partition (`partition test`). */
  readonly partition?: 'train' | 'test';
  /** Native label → class name, or null for an explicit `drop`; shared by its sources. */
  readonly map: Readonly<Record<string, string | null>>;
  readonly patterns?: readonly ResolvedPatternRule[];
  readonly other?: string | null;
  /** `alias { … }`: source-column value → source name. */
  readonly alias?: Readonly<Record<string, string>>;
  readonly coarse: 'drop' | 'error';
}

// ---------------------------------------------------------------------------------------------

export interface ResolvedValidation {
  /** Fraction of the training data held out for validation, in (0,1); 0 = no validation set. */
  readonly fraction: number;
  readonly stratified: boolean;
  /** `validation test`: the test set is reused as validation (the authors' code). Audit error. */
  readonly fromTest: boolean;
}

export type ResolvedSplit =
  | {
      readonly form: 'kfold';
      readonly k: number;
      readonly stratified: boolean;
      readonly groupByPatient: boolean;
      readonly validation: ResolvedValidation;
    }
  | {
      readonly form: 'holdout';
      /** Independent design: these whole sources are the test set. */
      readonly testSources?: readonly string[];
      /** Random design: this fraction of all images, in (0,1). */
      readonly testFraction?: number;
      readonly stratified: boolean;
      readonly groupByPatient: boolean;
      readonly validation: ResolvedValidation;
    }
  | {
      readonly form: 'leave_source_out';
      readonly groupByPatient: boolean;
      readonly validation: ResolvedValidation;
    }
  | {
      readonly form: 'given';
      readonly groupByPatient: boolean;
      readonly validation: ResolvedValidation;
    };

// ---------------------------------------------------------------------------------------------

export interface ResolvedImage {
  /** Default 224 × 224. */
  readonly width: number;
  readonly height: number;
  /** Default 'nearest'. */
  readonly resize: 'nearest' | 'bilinear' | 'bicubic' | 'area';
  /** Default 3. */
  readonly channels: 1 | 3;
  /** Default 'unit'. */
  readonly normalize: 'unit' | 'imagenet' | 'standardize' | 'none';
}

export type ResolvedAugmentOp =
  | { readonly op: 'rotate'; readonly degrees: number; readonly p: number }
  | { readonly op: 'shift'; readonly fraction: number; readonly p: number }
  | { readonly op: 'zoom'; readonly fraction: number; readonly p: number }
  | { readonly op: 'brightness'; readonly fraction: number; readonly p: number }
  | { readonly op: 'contrast'; readonly fraction: number; readonly p: number }
  | { readonly op: 'flip'; readonly axis: 'horizontal' | 'vertical'; readonly p: number };

export interface ResolvedModel {
  /** Registry name: cvrnet, resnet50, xception, vgg19, inceptionv3, densenet121, efficientnetb0. */
  readonly name: string;
  /**
   * 'none' | 'imagenet' | an absolute path (a Keras .h5 file, a folder of them, or a tfjs
   * layers-model folder) | 'branches' (then `weightsFiles`). Default 'none'.
   */
  readonly weights: string;
  /** `weights { resnet50 "r.h5"  xception "x.h5" }`: an absolute path per branch (CVR-Net). */
  readonly weightsFiles?: Readonly<Record<string, string>>;
  /** Channel-width multiplier for small CPU runs. Default 1. */
  readonly width: number;
  /** Any further options as written (model-specific). */
  readonly options: Readonly<Record<string, number | string>>;
}

export interface ResolvedTrain {
  readonly optimizer: {
    readonly name: 'adam' | 'adamax' | 'sgd' | 'rmsprop';
    /** Default 1e-4 (the paper). */
    readonly lr: number;
    /** Other parameters as written: beta1, beta2, momentum, epsilon … */
    readonly params: Readonly<Record<string, number>>;
  };
  /** Default categorical_crossentropy. */
  readonly loss: string;
  /** Default 'balanced' = N / (K · N_j). */
  readonly classWeights:
    | { readonly mode: 'none' | 'balanced' | 'max_over_count' }
    | { readonly mode: 'explicit'; readonly weights: Readonly<Record<string, number>> };
  /** Default 8. */
  readonly batch: number;
  /** Default 200 (the paper's upper bound). */
  readonly epochs: number;
  readonly reduceLr?: {
    readonly metric: string;
    readonly factor: number;
    readonly patience: number;
    readonly min: number;
  };
  readonly earlyStop?: {
    readonly metric: string;
    readonly patience: number;
    readonly restoreBest: boolean;
  };
}

export interface ResolvedEvaluate {
  /** Default accuracy, precision, recall, f1, auc. */
  readonly metrics: readonly string[];
  readonly confusion: boolean;
  readonly bySource: boolean;
  /** Bootstrap resamples for holdout intervals; default 1000. */
  readonly bootstrap: number;
  readonly gradcam?: {
    readonly className: string;
    readonly top: number;
    readonly threshold: number;
  };
}

// ---------------------------------------------------------------------------------------------

/** `dedupe near`: near-duplicates removed before the split, in source order (docs/dedupe.md). */
export interface ResolvedDedupe {
  readonly method: 'near';
  /** Verification threshold (correlation of aligned high-pass thumbnails), default 0.95. */
  readonly threshold: number;
  /** `first`: keep each cluster's first image in source order; `none`: remove every member. */
  readonly keep: 'first' | 'none';
}

export const DEDUPE_KEEP = ['first', 'none'] as const;
export const DEDUPE_DEFAULT_THRESHOLD = 0.95;

/** The probes cvr knows (docs/probes.md says which of them run today). */
export const PROBE_NAMES = ['source_probe', 'periphery_only', 'lung_only', 'gradcam_in_lungs'] as const;
export type ProbeName = (typeof PROBE_NAMES)[number];

/**
 * `probes { lung_field { ellipse 0.30 0.44 0.15 0.31  ellipse 0.70 0.44 0.15 0.31 } }` or
 * `lung_field { masks "data/masks" }` (docs/probes.md): the lung field the probes blank and
 * measure; absent: the default ellipses.
 */
export type ResolvedLungField =
  | { readonly kind: 'ellipses'; readonly ellipses: readonly { readonly cx: number; readonly cy: number; readonly ax: number; readonly ay: number }[] }
  | { readonly kind: 'masks'; readonly folder: string };

/** One declared probe: its settings as written (`folds 5`), and a cheaper model when one is declared. */
export interface ResolvedProbe {
  readonly name: ProbeName;
  readonly settings: Readonly<Record<string, number | string>>;
  /** `model resnet50 { width 0.125 }` inside the probe; absent: the pipeline's own model. */
  readonly model?: ResolvedModel;
}
