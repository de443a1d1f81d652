/**
 * fast-check arbitraries for `.cvr` ASTs covering every statement form. A generated AST is in
 * the normal form the parser produces (what the parser cannot produce, it does not generate:
 * an empty union, a stratified holdout without a test fraction, …), so
 * `parse(format(ast))` must give back exactly `ast`, spans aside.
 */
import fc from 'fast-check';
import type * as A from '../../src/dsl/ast.ts';
import type { Span } from '../../src/diag/span.ts';

const span: Span = { file: 'generated.cvr', start: 0, end: 0, line: 1, column: 1 };

/** Words that start statements: never names. */
const RESERVED = new Set([
  'import', 'pipeline', 'extends', 'title', 'description', 'seed', 'classes', 'sources', 'source', 'task', 'split',
  'image', 'augment', 'model', 'compare', 'train', 'evaluate', 'engine',
]);

/** Names from the language's own vocabulary and soft keywords (`test`, `top`, `p`…), which are names too. */
const POOL = [
  'NOR', 'CVP', 'NCV', 'OBP', 'OVP', 'NCP', 'chexpert', 'cxri', 'padchest', 'cidc', 'adam', 'val_loss', 'lr', 'none',
  'imagenet', 'nearest', 'unit', 'balanced', 'flip', 'horizontal', 'rotate', 'accuracy', 'auc', 'test', 'validation',
  'stratified', 'patient', 'label', 'root', 'map', 'drop', 'coarse', 'from', 'path', 'vs', 'kfold', 'holdout', 'given',
  'x', 'p', 'top', 'threshold', 'confusion', 'by_source', 'metrics', 'only', 'columns', 'partition', 'models', 'on',
  'restore_best', 'batch', 'epochs', 'loss', 'optimizer', 'class_weights', 'reduce_lr', 'early_stop', 'size', 'resize',
  'channels', 'normalize', 'gradcam', 'bootstrap', 'delimiter', 'grouped', 'by', 'leave_source_out', 'folder',
  'manifest', 'labels', 'patients', '_', 'a-b', 'x_1', 'Model2',
];

const randomName = fc
  .stringMatching(/^[A-Za-z_][A-Za-z0-9_-]{0,8}$/)
  .filter((n) => !RESERVED.has(n));

const nameText = fc.oneof({ weight: 3, arbitrary: fc.constantFrom(...POOL) }, { weight: 1, arbitrary: randomName });

function ident(arb: fc.Arbitrary<string> = nameText): fc.Arbitrary<A.Ident> {
  return arb.map((name) => ({ kind: 'ident', name, span }));
}
const anyIdent = ident();
const identExcept = (...words: string[]): fc.Arbitrary<A.Ident> => ident(nameText.filter((n) => !words.includes(n)));

const stringLit: fc.Arbitrary<A.StringLit> = fc
  .oneof(
    fc.constantFrom('../data/chexpert', 'COVID-19', 'a "quoted" word', 'back\\slash', '', 'ünïcode ✓'),
    fc.string({ maxLength: 12 }).filter((s) => !/[\r\n]/.test(s)),
  )
  .map((value) => ({ kind: 'string', value, span }));

const numberLit: fc.Arbitrary<A.NumberLit> = fc
  .tuple(
    fc.oneof(
      fc.nat({ max: 100000 }).map(String),
      fc.tuple(fc.nat({ max: 999 }), fc.nat({ max: 9999 })).map(([a, b]) => `${a}.${b}`),
      fc.tuple(fc.integer({ min: 1, max: 9 }), fc.integer({ min: -12, max: 12 })).map(([m, e]) => `${m}e${e}`),
      fc.constantFrom('.5', '1E+3', '0.999'),
    ),
    fc.constantFrom<A.NumberUnit>('none', 'none', 'percent', 'deg'),
  )
  .map(([digits, unit]) => {
    const raw = digits + (unit === 'percent' ? '%' : unit === 'deg' ? 'deg' : '');
    return { kind: 'number', value: Number(digits), unit, raw, span };
  });

/** Well-formed patterns: literals, escapes, groups and character classes (an unclosed `[` would swallow the closing slash). */
const regexLit: fc.Arbitrary<A.RegexLit> = fc
  .array(fc.constantFrom('a', 'Z', '_', '.', '/', '\\d', '\\w', '\\.', '\\\\', '(', ')', '[^/]', '+', '*', '?', '|', '$', '^', '-', '[a-z/]'), {
    minLength: 1,
    maxLength: 10,
  })
  .map((parts) => ({ kind: 'regex', pattern: parts.join(''), span }));

const uniqueBy = <T>(arb: fc.Arbitrary<T>, key: (t: T) => string, min = 0, max = 4): fc.Arbitrary<T[]> =>
  fc.uniqueArray(arb, { selector: key, minLength: min, maxLength: max });

const opt = <T>(arb: fc.Arbitrary<T>): fc.Arbitrary<T | undefined> => fc.option(arb, { nil: undefined });

/** Drops undefined fields, as the parser never writes them. */
function clean<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}

const nameList = (min = 1): fc.Arbitrary<A.Ident[]> => fc.array(anyIdent, { minLength: min, maxLength: 4 });

// ---- classes

const classDecl: fc.Arbitrary<A.ClassDecl> = fc
  .record({ name: anyIdent, members: opt(nameList(1)), description: opt(stringLit) })
  .map((r) => clean({ kind: 'class-decl' as const, ...r, span }));

const classesBlock: fc.Arbitrary<A.ClassesBlock> = fc
  .array(classDecl, { maxLength: 5 })
  .map((classes) => ({ kind: 'classes-block', classes, span }));

// ---- sources

const mapEntry: fc.Arbitrary<A.MapEntry> = fc.oneof(
  fc.record({ key: stringLit, target: identExcept('drop') }).map((r) => ({ kind: 'map-entry' as const, ...r, drop: false, span })),
  stringLit.map((key) => ({ kind: 'map-entry' as const, key, drop: true, span })),
);
const labelMap: fc.Arbitrary<A.LabelMap> = fc.array(mapEntry, { maxLength: 5 }).map((entries) => ({ kind: 'map', entries, span }));
const coarse: fc.Arbitrary<A.CoarsePolicy> = fc.constantFrom<'drop' | 'error'>('drop', 'error').map((action) => ({ kind: 'coarse', action, span }));

/** Column names: not a word that starts the next manifest setting. */
const columnName = ident(
  fc.oneof(nameText, fc.constantFrom('image', 'source')).filter((n) => !['columns', 'root', 'only', 'map', 'coarse', 'delimiter', 'partition'].includes(n)),
);

const manifestFields: fc.Arbitrary<A.ManifestFields> = fc
  .record({
    image: opt(stringLit),
    label: opt(stringLit),
    patient: opt(stringLit),
    source: opt(stringLit),
    partitionColumn: opt(stringLit),
    columns: opt(fc.array(columnName, { minLength: 1, maxLength: 5 })),
    delimiter: opt(anyIdent),
    root: opt(stringLit),
  })
  .map(clean);

const location: fc.Arbitrary<A.FolderLocation | A.ManifestLocation> = fc.oneof(
  stringLit.map((path) => ({ kind: 'folder' as const, path, span })),
  fc.record({ path: stringLit, fields: manifestFields }).map((r) => ({ kind: 'manifest' as const, ...r, span })),
);

const sourceDecl: fc.Arbitrary<A.SourceDecl> = fc.oneof(
  anyIdent.map((name) => ({ kind: 'source' as const, name, isReference: true, drop: false, span })),
  anyIdent.map((name) => ({ kind: 'source' as const, name, isReference: false, drop: true, span })),
  fc
    .record({
      name: anyIdent,
      location: opt(location),
      labelsFromPath: opt(regexLit),
      patientsFromPath: opt(regexLit),
      map: opt(labelMap),
      coarse: opt(coarse),
    })
    .map((r) => clean({ kind: 'source' as const, ...r, isReference: false, drop: false, span })),
);

const sourcesFromManifest: fc.Arbitrary<A.SourcesFromManifest> = fc
  .record({
    path: stringLit,
    fields: manifestFields,
    partition: opt(fc.oneof(anyIdent, ident(fc.constant('train')))),
    only: opt(nameList(1)),
    map: opt(labelMap),
    coarse: opt(coarse),
  })
  .map((r) => clean({ kind: 'sources-from-manifest' as const, ...r, span }));

// ---- split

const validation: fc.Arbitrary<A.ValidationSpec> = fc.oneof(
  fc.constant({ kind: 'validation' as const, stratified: false, fromTest: true, span }),
  fc.record({ fraction: numberLit, stratified: fc.boolean() }).map((r) => ({ kind: 'validation' as const, ...r, fromTest: false, span })),
);

const split: fc.Arbitrary<A.SplitStmt> = fc.oneof(
  fc
    .record({ k: numberLit, stratified: fc.boolean(), groupedBy: opt(anyIdent), validation: opt(validation) })
    .map((r) => clean({ kind: 'split' as const, form: 'kfold' as const, ...r, span })),
  fc
    .record({
      test: fc.oneof(
        fc.constant({ stratified: false }),
        nameList(1).map((testSources) => ({ testSources, stratified: false })),
        fc.record({ testFraction: numberLit, stratified: fc.boolean() }),
      ),
      groupedBy: opt(anyIdent),
      validation: opt(validation),
    })
    .map(({ test, ...r }) => clean({ kind: 'split' as const, form: 'holdout' as const, ...test, ...r, span })),
  fc
    .record({ form: fc.constantFrom('leave_source_out' as const, 'given' as const), groupedBy: opt(anyIdent), validation: opt(validation) })
    .map((r) => clean({ kind: 'split' as const, ...r, span })),
);

// ---- image, augment, model

const imageBlock: fc.Arbitrary<A.ImageBlock> = fc
  .record({ size: opt(fc.tuple(numberLit, numberLit)), resize: opt(anyIdent), channels: opt(numberLit), normalize: opt(anyIdent) })
  .map(({ size, ...r }) => clean({ kind: 'image-block' as const, width: size?.[0], height: size?.[1], ...r, span }));

const augmentOp: fc.Arbitrary<A.AugmentOp> = fc
  .record({ op: identExcept('p'), axis: opt(identExcept('p')), amount: opt(numberLit), p: opt(numberLit) })
  .map((r) => clean({ kind: 'augment-op' as const, ...r, span }));
const augmentBlock: fc.Arbitrary<A.AugmentBlock> = fc.array(augmentOp, { maxLength: 5 }).map((ops) => ({ kind: 'augment-block', ops, span }));

const modelOption: fc.Arbitrary<A.ModelOption> = fc
  .record({ key: anyIdent, value: fc.oneof(anyIdent, numberLit, stringLit) })
  .map((r) => ({ kind: 'model-option' as const, ...r, span }));
const modelOptions = uniqueBy(modelOption, (o) => o.key.name);

// ---- train, evaluate

const namedNumber: fc.Arbitrary<A.NamedNumber> = fc
  .record({ key: identExcept('optimizer', 'loss', 'class_weights', 'batch', 'epochs', 'reduce_lr', 'early_stop'), value: numberLit })
  .map((r) => ({ kind: 'named-number' as const, ...r, span }));
const namedNumbers = uniqueBy(namedNumber, (n) => n.key.name);

const classWeights: fc.Arbitrary<A.ClassWeightsSpec> = fc.oneof(
  anyIdent.map((mode) => ({ kind: 'class-weights' as const, mode, span })),
  uniqueBy(
    fc.record({ className: anyIdent, weight: numberLit }).map((r) => ({ kind: 'class-weight' as const, ...r, span })),
    (w) => w.className.name,
  ).map((explicit) => ({ kind: 'class-weights' as const, explicit, span })),
);

const trainBlock: fc.Arbitrary<A.TrainBlock> = fc
  .record({
    optimizer: opt(fc.record({ name: anyIdent, params: namedNumbers }).map((r) => ({ kind: 'optimizer' as const, ...r, span }))),
    loss: opt(anyIdent),
    classWeights: opt(classWeights),
    batch: opt(numberLit),
    epochs: opt(numberLit),
    reduceLr: opt(fc.record({ metric: anyIdent, params: namedNumbers }).map((r) => ({ kind: 'reduce-lr' as const, ...r, span }))),
    earlyStop: opt(
      fc.record({ metric: anyIdent, params: namedNumbers, restoreBest: fc.boolean() }).map((r) => ({ kind: 'early-stop' as const, ...r, span })),
    ),
  })
  .map((r) => clean({ kind: 'train-block' as const, ...r, span }));

const evaluateBlock: fc.Arbitrary<A.EvaluateBlock> = fc
  .record({
    metrics: opt(nameList(1)),
    confusion: fc.boolean(),
    bySource: fc.boolean(),
    bootstrap: opt(numberLit),
    gradcam: opt(
      fc.record({ className: anyIdent, top: opt(numberLit), threshold: opt(numberLit) }).map((r) => clean({ kind: 'gradcam' as const, ...r, span })),
    ),
  })
  .map((r) => clean({ kind: 'evaluate-block' as const, ...r, span }));

/** `X NAME` (a reference) or `X { … }`. */
function refOr<K extends string, B>(kind: K, block: fc.Arbitrary<B>) {
  return fc.oneof(
    anyIdent.map((ref) => ({ kind, ref, span })),
    block.map((b) => ({ kind, block: b, span })),
  );
}

const statement: fc.Arbitrary<A.Statement> = fc.oneof(
  stringLit.map((text): A.Statement => ({ kind: 'title', text, span })),
  stringLit.map((text): A.Statement => ({ kind: 'description', text, span })),
  numberLit.map((value): A.Statement => ({ kind: 'seed', value, span })),
  refOr('classes', classesBlock),
  sourceDecl,
  sourcesFromManifest,
  fc.array(anyIdent, { minLength: 2, maxLength: 4 }).map((classes): A.Statement => ({ kind: 'task', classes, span })),
  split,
  refOr('image', imageBlock),
  refOr('augment', augmentBlock),
  fc.record({ name: anyIdent, options: modelOptions }).map((r): A.Statement => ({ kind: 'model', ...r, span })),
  fc.record({ models: nameList(1), options: modelOptions }).map((r): A.Statement => ({ kind: 'compare-models', ...r, span })),
  refOr('train', trainBlock),
  refOr('evaluate', evaluateBlock),
  anyIdent.map((name): A.Statement => ({ kind: 'engine', name, span })),
);

const pipeline: fc.Arbitrary<A.Pipeline> = fc
  .record({ name: anyIdent, extends: opt(anyIdent), statements: fc.array(statement, { maxLength: 8 }) })
  .map((r) => clean({ kind: 'pipeline' as const, ...r, span }));

function named<B extends { readonly kind: string }>(block: fc.Arbitrary<B>): fc.Arbitrary<A.NamedBlock<B>> {
  return fc.record({ name: anyIdent, block }).map((r) => ({ kind: 'named-block' as const, ...r, span }));
}

const topLevelItem: fc.Arbitrary<A.TopLevelItem> = fc.oneof(
  { weight: 3, arbitrary: pipeline },
  { weight: 1, arbitrary: sourceDecl },
  { weight: 1, arbitrary: named(classesBlock) },
  { weight: 1, arbitrary: named(imageBlock) },
  { weight: 1, arbitrary: named(augmentBlock) },
  { weight: 1, arbitrary: named(trainBlock) },
  { weight: 1, arbitrary: named(evaluateBlock) },
);

export const cvrFile: fc.Arbitrary<A.CvrFile> = fc
  .record({
    imports: fc.array(stringLit.map((path) => ({ kind: 'import' as const, path, span })), { maxLength: 2 }),
    items: fc.array(topLevelItem, { maxLength: 4 }),
  })
  .map((r) => ({ kind: 'file' as const, path: 'generated.cvr', ...r, comments: [], span }));

/** An AST without positions, for comparing two parses of differently laid-out text. */
export function withoutSpans(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutSpans);
  if (typeof value !== 'object' || value === null) return value;
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value)) {
    if (key === 'span' || key.endsWith('Span') || key === 'path' && typeof v === 'string' || key === 'comments' || v === undefined) continue;
    out[key] = withoutSpans(v);
  }
  return out;
}
