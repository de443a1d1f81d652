/**
 * The `.cvr` abstract syntax tree: a discriminated union on `kind`, every node with a span.
 *
 * This file is the contract between the parser (which builds it), the resolver and checker
 * (which read it), the formatter (which prints it back), and `cvr diff` (which compares
 * resolved pipelines). Change it deliberately: several stages depend on it.
 *
 * Conventions:
 * - Every statement inside a block is keyed (see `statementKey` in the resolver) so that
 *   `extends` can replace statements by key and `diff` can compare them statement by statement.
 * - Optional fields are absent when the user did not write them; defaults are applied in
 *   resolution (`ResolvedPipeline`), never in the parser, so the formatter prints what was written.
 */
import type { Span } from '../diag/index.ts';

// ---------------------------------------------------------------------------------------------
// Leaves

export interface Ident {
  readonly kind: 'ident';
  readonly name: string;
  readonly span: Span;
}

export interface StringLit {
  readonly kind: 'string';
  /** The unescaped value. */
  readonly value: string;
  readonly span: Span;
}

export type NumberUnit = 'none' | 'percent' | 'deg';

export interface NumberLit {
  readonly kind: 'number';
  /** The value as written, before unit conversion (`20%` → 20, unit 'percent'). */
  readonly value: number;
  readonly unit: NumberUnit;
  /** The exact source text, unit included (`1e-4`, `20%`), so the formatter prints numbers as written. */
  readonly raw: string;
  readonly span: Span;
}

export interface RegexLit {
  readonly kind: 'regex';
  /** The pattern between the slashes, with `\/` unescaped to `/`. */
  readonly pattern: string;
  /** Flags after the closing slash (`/covid/i`); absent when none. */
  readonly flags?: string;
  readonly span: Span;
}

/** A comment, `#` to end of line. Kept in `CvrFile.comments`; the formatter re-attaches them. */
export interface Comment {
  readonly kind: 'comment';
  /** Text after `#`, without the newline. */
  readonly text: string;
  /** True when code precedes the comment on its line (it then stays at that line's end). */
  readonly trailing?: boolean;
  readonly span: Span;
}

// ---------------------------------------------------------------------------------------------
// File level

export interface CvrFile {
  readonly kind: 'file';
  readonly path: string;
  readonly imports: readonly Import[];
  /** Pipelines and top-level named blocks, in source order. */
  readonly items: readonly TopLevelItem[];
  readonly comments: readonly Comment[];
  readonly span: Span;
}

export interface Import {
  readonly kind: 'import';
  readonly path: StringLit;
  readonly span: Span;
}

/**
 * Top-level named blocks are shared parts (sources, protocols) that a pipeline uses by
 * reference: `source chexpert` (bare) inside a pipeline uses a top-level `source chexpert { … }`;
 * `train paper` uses a top-level `train paper { … }`; likewise `image`, `augment`, `evaluate`,
 * `classes`. `classes covid` refers to the built-in taxonomy.
 */
export type TopLevelItem =
  | Pipeline
  | SourceDecl
  | NamedBlock<ClassesBlock>
  | NamedBlock<ImageBlock>
  | NamedBlock<AugmentBlock>
  | NamedBlock<TrainBlock>
  | NamedBlock<EvaluateBlock>;

export interface NamedBlock<B extends { readonly kind: string }> {
  readonly kind: 'named-block';
  readonly name: Ident;
  readonly block: B;
  readonly span: Span;
}

export interface Pipeline {
  readonly kind: 'pipeline';
  readonly name: Ident;
  readonly extends?: Ident;
  readonly statements: readonly Statement[];
  readonly span: Span;
}

export type Statement =
  | TitleStmt
  | DescriptionStmt
  | SeedStmt
  | ClassesStmt
  | SourceDecl
  | SourcesFromManifest
  | TaskStmt
  | SplitStmt
  | ImageStmt
  | AugmentStmt
  | ModelStmt
  | CompareModelsStmt
  | TrainStmt
  | EvaluateStmt
  | EngineStmt
  | PatientsSharedStmt
  | ProbesStmt
  | ExecutorStmt
  | DedupeStmt;

export interface TitleStmt {
  readonly kind: 'title';
  readonly text: StringLit;
  readonly span: Span;
}

export interface DescriptionStmt {
  readonly kind: 'description';
  readonly text: StringLit;
  readonly span: Span;
}

export interface SeedStmt {
  readonly kind: 'seed';
  readonly value: NumberLit;
  readonly span: Span;
}

// ---------------------------------------------------------------------------------------------
// Classes

/** `classes covid` (a reference) or `classes { … }` (inline). Exactly one of the two. */
export interface ClassesStmt {
  readonly kind: 'classes';
  readonly ref?: Ident;
  readonly block?: ClassesBlock;
  readonly span: Span;
}

export interface ClassesBlock {
  readonly kind: 'classes-block';
  readonly classes: readonly ClassDecl[];
  readonly span: Span;
}

/** `NOR "Normal"` (a leaf) or `NCP = OBP | OVP "Non-COVID pneumonia"` (a union). */
export interface ClassDecl {
  readonly kind: 'class-decl';
  readonly name: Ident;
  /** Present for unions: the member class names (leaves or other unions). */
  readonly members?: readonly Ident[];
  readonly description?: StringLit;
  readonly span: Span;
}

// ---------------------------------------------------------------------------------------------
// Sources

/**
 * `source NAME { … }`. Three shapes:
 * - a definition: `location` present (folder or manifest);
 * - a reference to a top-level source: no body (`source chexpert`), `isReference` true;
 * - a removal of an inherited source: `source X { drop }`, `drop` true.
 */
export interface SourceDecl {
  readonly kind: 'source';
  readonly name: Ident;
  readonly isReference: boolean;
  readonly drop: boolean;
  readonly location?: FolderLocation | ManifestLocation;
  /** `labels from path /regex/`: the first capture group (or the whole match) is the native label. */
  readonly labelsFromPath?: RegexLit;
  /** `patients from path /regex/`: the first capture group is the patient id. */
  readonly patientsFromPath?: RegexLit;
  readonly map?: LabelMap;
  /** `coarse drop`: images whose class is too coarse for the task are dropped, not errors. */
  readonly coarse?: CoarsePolicy;
  readonly span: Span;
}

export interface CoarsePolicy {
  readonly kind: 'coarse';
  readonly action: 'drop' | 'error';
  readonly span: Span;
}

export interface FolderLocation {
  readonly kind: 'folder';
  readonly path: StringLit;
  readonly span: Span;
}

/** `manifest "file" { image "col" label "col" patient "col" root "dir" … }` */
export interface ManifestLocation {
  readonly kind: 'manifest';
  readonly path: StringLit;
  readonly fields: ManifestFields;
  readonly span: Span;
}

/**
 * Column settings shared by `manifest` and `sources from manifest`.
 * With a header, columns are named by strings (`image "ImageID"`); without one,
 * `columns patient image label source` names the positional columns.
 */
export interface ManifestFields {
  /** A column name, or a path template over columns (`"{patientid}.*"`, `"{folder}/{filename}"`). */
  readonly image?: StringLit;
  readonly label?: StringLit;
  /** `label "col" split "|"`: the label column holds several values joined by this separator. */
  readonly labelSplit?: StringLit;
  /** `where EXPR`: rows that fail it are filtered before any mapping. */
  readonly where?: WhereExpr;
  /** `encoding utf8|latin1`; absent = UTF-8. */
  readonly encoding?: Ident;
  readonly patient?: StringLit;
  readonly source?: StringLit;
  /** A column giving each row's partition (`train` / `test`), for `split given`. */
  readonly partitionColumn?: StringLit;
  /** Headerless positional column names, e.g. `columns patient image label source`. */
  readonly columns?: readonly Ident[];
  /** `delimiter comma|tab|semicolon|pipe|whitespace` (`csv`, `tsv` synonyms); absent = sniffed from the file. */
  readonly delimiter?: Ident;
  /** Where image paths are relative to; default the manifest's folder. */
  readonly root?: StringLit;
}

export interface LabelMap {
  readonly kind: 'map';
  readonly entries: readonly MapEntry[];
  readonly span: Span;
}

/**
 * A `where` expression over a manifest row. Columns are bare names or strings (`"View Position"`);
 * values are strings (numbers are compared as written).
 */
export type WhereExpr =
  | { readonly kind: 'where-or'; readonly terms: readonly WhereExpr[]; readonly span: Span }
  | { readonly kind: 'where-and'; readonly terms: readonly WhereExpr[]; readonly span: Span }
  | { readonly kind: 'where-not'; readonly term: WhereExpr; readonly span: Span }
  | { readonly kind: 'where-compare'; readonly column: WhereColumn; readonly op: '==' | '!='; readonly value: StringLit; readonly span: Span }
  | { readonly kind: 'where-in'; readonly column: WhereColumn; readonly values: readonly StringLit[]; readonly span: Span }
  | { readonly kind: 'where-matches'; readonly column: WhereColumn; readonly regex: RegexLit; readonly span: Span };

export interface WhereColumn {
  readonly name: string;
  /** Written as a string (`"View Position"`), not a bare name. */
  readonly quoted: boolean;
  readonly span: Span;
}

/** A map key: an exact label, a regex, or `other`. */
export type MapKey = StringLit | RegexLit | { readonly kind: 'other'; readonly span: Span };

/** `"BACTERIA" -> OBP` or `"Lateral" -> drop` (then `target` is absent and `drop` true). */
export interface MapEntry {
  readonly kind: 'map-entry';
  /** The key as written: an exact string, a regex, or `other`. */
  readonly key: MapKey;
  readonly target?: Ident;
  readonly drop: boolean;
  readonly span: Span;
}

/**
 * `sources from manifest "file" { columns … root "…" partition test map { … } coarse drop }`:
 * one manifest naming many sources in a source column. Keyed by its path (and partition).
 */
export interface SourcesFromManifest {
  readonly kind: 'sources-from-manifest';
  readonly path: StringLit;
  readonly fields: ManifestFields;
  /** `partition train|test`: every row of this manifest belongs to that partition. */
  readonly partition?: Ident;
  /** `only a, b`: restrict to these source names (others in the manifest are ignored). */
  readonly only?: readonly Ident[];
  /** `alias { "rnsa" -> rsna }`: source-column values renamed, in written order. */
  readonly alias?: AliasBlock;
  readonly map?: LabelMap;
  readonly coarse?: CoarsePolicy;
  readonly span: Span;
}

export interface AliasBlock {
  readonly kind: 'alias';
  readonly entries: readonly AliasEntry[];
  readonly span: Span;
}

export interface AliasEntry {
  readonly kind: 'alias-entry';
  readonly from: StringLit;
  readonly to: Ident;
  readonly span: Span;
}

/** `patients shared across sources`: one patient id means one person in every source. */
export interface PatientsSharedStmt {
  readonly kind: 'patients-shared';
  readonly span: Span;
}

// ---------------------------------------------------------------------------------------------
// Task and split

/** `task NCV vs CVP` — the classes in output order. */
export interface TaskStmt {
  readonly kind: 'task';
  readonly classes: readonly Ident[];
  readonly span: Span;
}

/** `validation 20% stratified`, or `validation test` (the test set reused: the audit rejects it). */
export interface ValidationSpec {
  readonly kind: 'validation';
  readonly fraction?: NumberLit;
  readonly stratified: boolean;
  readonly fromTest: boolean;
  readonly span: Span;
}

export type SplitStmt = KfoldSplit | HoldoutSplit | LeaveSourceOutSplit | GivenSplit;

/** `split kfold 5 { stratified  grouped by patient  validation 10% }` */
export interface KfoldSplit {
  readonly kind: 'split';
  readonly form: 'kfold';
  readonly k: NumberLit;
  readonly stratified: boolean;
  /** Where `stratified` was written (for the formatter's comment placement). */
  readonly stratifiedSpan?: Span;
  /** `grouped by patient` */
  readonly groupedBy?: Ident;
  readonly validation?: ValidationSpec;
  readonly span: Span;
}

/** `split holdout { test sources a, b  validation 20% }` or `{ test 20% stratified  validation 10% }` */
export interface HoldoutSplit {
  readonly kind: 'split';
  readonly form: 'holdout';
  readonly testSources?: readonly Ident[];
  readonly testFraction?: NumberLit;
  /** Stratification of the random test fraction (`test 20% stratified`). */
  readonly stratified: boolean;
  readonly groupedBy?: Ident;
  readonly validation?: ValidationSpec;
  readonly span: Span;
}

/** `split leave_source_out { validation 10% }` */
export interface LeaveSourceOutSplit {
  readonly kind: 'split';
  readonly form: 'leave_source_out';
  readonly groupedBy?: Ident;
  readonly validation?: ValidationSpec;
  readonly span: Span;
}

/** `split given { validation 10% }` — partitions come from the data. */
export interface GivenSplit {
  readonly kind: 'split';
  readonly form: 'given';
  readonly groupedBy?: Ident;
  readonly validation?: ValidationSpec;
  readonly span: Span;
}

// ---------------------------------------------------------------------------------------------
// Image, augmentation

/** `image { size 224 x 224  resize nearest  channels 3  normalize unit }`, or `image NAME`. */
export interface ImageStmt {
  readonly kind: 'image';
  readonly ref?: Ident;
  readonly block?: ImageBlock;
  readonly span: Span;
}

export interface ImageBlock {
  readonly kind: 'image-block';
  readonly width?: NumberLit;
  readonly height?: NumberLit;
  /** nearest | bilinear | bicubic | area */
  readonly resize?: Ident;
  readonly channels?: NumberLit;
  /** unit ([0,1]) | imagenet | standardize | none */
  readonly normalize?: Ident;
  readonly span: Span;
}

/** `augment { … }`, `augment NAME`, or `augment none`. */
export interface AugmentStmt {
  readonly kind: 'augment';
  readonly ref?: Ident;
  readonly block?: AugmentBlock;
  readonly span: Span;
}

export interface AugmentBlock {
  readonly kind: 'augment-block';
  readonly ops: readonly AugmentOp[];
  readonly span: Span;
}

/**
 * `rotate 15deg p 0.45` · `shift 10% p 0.2` · `flip horizontal [p 0.5]` · `flip vertical` ·
 * `zoom 10% p 0.2` · `brightness 10% p 0.2` · `contrast 10% p 0.2`.
 * `amount` is absent for flips. `p` absent means the op's default (0.5 for flips, 1 otherwise).
 */
export interface AugmentOp {
  readonly kind: 'augment-op';
  readonly op: Ident;
  /** For flips: horizontal | vertical. */
  readonly axis?: Ident;
  readonly amount?: NumberLit;
  readonly p?: NumberLit;
  readonly span: Span;
}

// ---------------------------------------------------------------------------------------------
// Models

/** `model cvrnet { weights none  width 0.25 }` */
export interface ModelStmt {
  readonly kind: 'model';
  readonly name: Ident;
  readonly options: readonly ModelOption[];
  readonly span: Span;
}

/** `compare models cvrnet, vgg19, resnet50 { width 0.25 }` — a fan-out with one protocol. */
export interface CompareModelsStmt {
  readonly kind: 'compare-models';
  readonly models: readonly Ident[];
  /** Options applied to every model of the comparison. */
  readonly options: readonly ModelOption[];
  readonly span: Span;
}

/**
 * `weights none|imagenet|"file.h5"|"dir"|{ resnet50 "r.h5" xception "x.h5" }` · `width 0.25` · `dropout 0.5` · `heads 5` …
 * A key and one value; the checker knows which keys exist and their ranges.
 */
export interface ModelOption {
  readonly kind: 'model-option';
  readonly key: Ident;
  readonly value: Ident | NumberLit | StringLit | PathMap;
  readonly span: Span;
}

/** `weights { resnet50 "r.h5"  xception "x.h5" }`: a path per branch of the model. */
export interface PathMap {
  readonly kind: 'path-map';
  readonly entries: readonly { readonly key: Ident; readonly path: StringLit }[];
  readonly span: Span;
}

// ---------------------------------------------------------------------------------------------
// Training

/** `train { … }` or `train NAME` (a top-level named protocol). */
export interface TrainStmt {
  readonly kind: 'train';
  readonly ref?: Ident;
  readonly block?: TrainBlock;
  readonly span: Span;
}

export interface TrainBlock {
  readonly kind: 'train-block';
  readonly optimizer?: OptimizerSpec;
  /** categorical_crossentropy | binary_crossentropy | focal */
  readonly loss?: Ident;
  readonly classWeights?: ClassWeightsSpec;
  readonly batch?: NumberLit;
  readonly epochs?: NumberLit;
  readonly reduceLr?: ReduceLrSpec;
  readonly earlyStop?: EarlyStopSpec;
  readonly span: Span;
}

/** `optimizer adam lr 1e-4 beta1 0.9 beta2 0.999` · `optimizer sgd lr 0.01 momentum 0.9` */
export interface OptimizerSpec {
  readonly kind: 'optimizer';
  /** adam | adamax | sgd | rmsprop */
  readonly name: Ident;
  readonly params: readonly NamedNumber[];
  readonly span: Span;
}

/** A `key number` pair such as `lr 1e-4`, `factor 0.1`, `min 1e-8`. */
export interface NamedNumber {
  readonly kind: 'named-number';
  readonly key: Ident;
  readonly value: NumberLit;
  readonly span: Span;
}

/**
 * `class_weights balanced` (N / (K·N_j)) · `class_weights max_over_count` (max_j N_j / N_j,
 * the authors' code) · `class_weights none` · `class_weights { NCV 1.0, CVP 4.5 }`.
 */
export interface ClassWeightsSpec {
  readonly kind: 'class-weights';
  readonly mode?: Ident;
  readonly explicit?: readonly ClassWeight[];
  readonly span: Span;
}

export interface ClassWeight {
  readonly kind: 'class-weight';
  readonly className: Ident;
  readonly weight: NumberLit;
  readonly span: Span;
}

/** `reduce_lr on val_loss factor 0.1 patience 12 [min 1e-8]` */
export interface ReduceLrSpec {
  readonly kind: 'reduce-lr';
  readonly metric: Ident;
  readonly params: readonly NamedNumber[];
  readonly span: Span;
}

/** `early_stop on val_loss patience 25 restore_best` */
export interface EarlyStopSpec {
  readonly kind: 'early-stop';
  readonly metric: Ident;
  readonly params: readonly NamedNumber[];
  readonly restoreBest: boolean;
  readonly span: Span;
}

// ---------------------------------------------------------------------------------------------
// Evaluation and engine

/** `evaluate { … }` or `evaluate NAME`. */
export interface EvaluateStmt {
  readonly kind: 'evaluate';
  readonly ref?: Ident;
  readonly block?: EvaluateBlock;
  readonly span: Span;
}

export interface EvaluateBlock {
  readonly kind: 'evaluate-block';
  /** accuracy, precision, recall, f1, auc */
  readonly metrics?: readonly Ident[];
  readonly confusion: boolean;
  readonly bySource: boolean;
  /** Where `confusion` and `by_source` were written (for the formatter's comment placement). */
  readonly confusionSpan?: Span;
  readonly bySourceSpan?: Span;
  /** `bootstrap 1000` — resamples for 95 % intervals on holdout designs. */
  readonly bootstrap?: NumberLit;
  readonly gradcam?: GradcamSpec;
  readonly span: Span;
}

/** `gradcam CVP top 3 threshold 0.6` */
export interface GradcamSpec {
  readonly kind: 'gradcam';
  readonly className: Ident;
  readonly top?: NumberLit;
  readonly threshold?: NumberLit;
  readonly span: Span;
}

/** `engine auto` or `engine native` … */
export interface EngineStmt {
  readonly kind: 'engine';
  readonly name: Ident;
  readonly span: Span;
}

// ---------------------------------------------------------------------------------------------
// Where the nodes run (docs/executors.md)

/** `executor slurm { partition "gpu"  gres "gpu:1"  time 4h  cpus 8  mem 32G }`; `--executor` and its flags override it. */
export interface ExecutorStmt {
  readonly kind: 'executor';
  readonly name: Ident;
  readonly settings: readonly ExecutorSetting[];
  readonly span: Span;
}

/** `time 4h`: a key and its value as written (`4h`, `32G`, `8`; `"gpu:1"` with `quoted`). */
export interface ExecutorSetting {
  readonly kind: 'executor-setting';
  readonly key: Ident;
  readonly value: { readonly kind: 'executor-value'; readonly text: string; readonly quoted: boolean; readonly span: Span };
  readonly span: Span;
}

// ---------------------------------------------------------------------------------------------
// Image-level evidence

/** `probes { source_probe  periphery_only { model resnet50 { width 0.125 } epochs 5 }  lung_only  gradcam_in_lungs }` */
export interface ProbesStmt {
  readonly kind: 'probes';
  readonly probes: readonly ProbeDecl[];
  readonly span: Span;
}

/** One probe with its settings in written order (`model …`, then `key value` pairs). */
export interface ProbeDecl {
  readonly kind: 'probe';
  readonly name: Ident;
  /** `model resnet50 { width 0.125 }`: a cheaper model than the pipeline's (masked-training probes). */
  readonly model?: ModelStmt;
  readonly settings: readonly ProbeSetting[];
  /** True when the probe was written with braces (`periphery_only { }` keeps them in `cvr fmt`). */
  readonly braces: boolean;
  readonly span: Span;
}

/** `dedupe near { threshold 0.95  keep first }` (docs/dedupe.md): settings in written order. */
export interface DedupeStmt {
  readonly kind: 'dedupe';
  readonly method: Ident;
  readonly settings: readonly DedupeSetting[];
  readonly span: Span;
}

export interface DedupeSetting {
  readonly kind: 'dedupe-setting';
  readonly key: Ident;
  readonly value: Ident | NumberLit;
  readonly span: Span;
}

/** `epochs 5`, `folds 5`, `thumbnail 16`: a key and one value; `ellipse 0.30 0.44 0.15 0.31` (in `lung_field`) has more numbers. */
export interface ProbeSetting {
  readonly kind: 'probe-setting';
  readonly key: Ident;
  readonly value: Ident | NumberLit | StringLit;
  /** The numbers after the first, in written order (absent when there are none). */
  readonly more?: readonly NumberLit[];
  readonly span: Span;
}
