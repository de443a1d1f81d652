/**
 * A pipeline's effective statements: `extends` applied (the child's statements replace the
 * parent's by key; `source X { drop }` removes one) and references to top-level blocks looked
 * up (`source X`, `train NAME`, `classes covid`, …). Still AST nodes with their spans, so the
 * checks can point at what the user wrote.
 */
import type { Span } from '../diag/index.ts';
import type {
  AugmentBlock,
  AugmentStmt,
  ClassesBlock,
  ClassesStmt,
  CompareModelsStmt,
  DescriptionStmt,
  EngineStmt,
  ProbesStmt,
  ExecutorStmt,
  DedupeStmt,
  PatientsSharedStmt,
  EvaluateBlock,
  EvaluateStmt,
  ImageBlock,
  ImageStmt,
  ModelStmt,
  Pipeline,
  SeedStmt,
  SourceDecl,
  SourcesFromManifest,
  SplitStmt,
  Statement,
  TaskStmt,
  TitleStmt,
  TrainBlock,
  TrainStmt,
} from './ast.ts';
import { builtinClasses } from './builtin.ts';
import { suggestion } from '../diag/index.ts';
import type { Accept } from './report.ts';
import type { ItemKind, Scope } from './scope.ts';

export interface EffectiveSource {
  /** The statement in the pipeline (a definition, or a bare reference). */
  readonly use: SourceDecl;
  /** The definition with its location: `use` itself, or the top-level source it names. */
  readonly def: SourceDecl;
}

export interface EffectivePipeline {
  readonly decl: Pipeline;
  readonly name: string;
  /** Absolute path of the declaring file. */
  readonly file: string;
  readonly title?: TitleStmt;
  readonly description?: DescriptionStmt;
  readonly seed?: SeedStmt;
  readonly classesStmt?: ClassesStmt;
  readonly classes?: ClassesBlock;
  readonly sources: readonly EffectiveSource[];
  readonly manifests: readonly SourcesFromManifest[];
  readonly task?: TaskStmt;
  readonly split?: SplitStmt;
  readonly imageStmt?: ImageStmt;
  readonly image?: ImageBlock;
  readonly augmentStmt?: AugmentStmt;
  /** Absent with `augment none` or no augment statement. */
  readonly augment?: AugmentBlock;
  readonly model?: ModelStmt | CompareModelsStmt;
  readonly trainStmt?: TrainStmt;
  readonly train?: TrainBlock;
  readonly evaluateStmt?: EvaluateStmt;
  readonly evaluate?: EvaluateBlock;
  readonly engine?: EngineStmt;
  /** `patients shared across sources`. */
  readonly patientsShared?: PatientsSharedStmt;
  /** `probes { … }`: a child's block replaces its parent's. */
  readonly probes?: ProbesStmt;
  /** `executor slurm { … }`: a child's block replaces its parent's (no merging of settings). */
  readonly executor?: ExecutorStmt;
  /** `dedupe near { … }`: a child's block replaces its parent's. */
  readonly dedupe?: DedupeStmt;
  /** Statement key → span of the statement that is in effect. */
  readonly spans: Readonly<Record<string, Span>>;
}

/**
 * The key by which `extends` replaces statements and `diff` compares them. `model` and
 * `compare models` share one key: a child may swap one for the other.
 */
export function statementKey(stmt: Statement): string {
  switch (stmt.kind) {
    case 'source':
      return `source:${stmt.name.name}`;
    case 'sources-from-manifest':
      return `sources:${stmt.path.value}${stmt.partition === undefined ? '' : `#${stmt.partition.name}`}`;
    case 'compare-models':
    case 'model':
      return 'model';
    case 'title':
    case 'description':
    case 'seed':
    case 'classes':
    case 'task':
    case 'split':
    case 'image':
    case 'augment':
    case 'train':
    case 'evaluate':
    case 'engine':
    case 'probes':
    case 'executor':
    case 'dedupe':
      return stmt.kind;
    case 'patients-shared':
      return 'patients';
    default: {
      const never: never = stmt;
      throw new Error(`Internal error: unknown statement ${JSON.stringify(never)}`);
    }
  }
}

export function pipelineId(p: Pipeline): string {
  return `${p.span.file}#${p.name.name}`;
}

export interface MergeContext {
  readonly scopes: ReadonlyMap<string, Scope>;
  /** Pipeline id → its parent, for pipelines whose `extends` resolved. */
  readonly parents: ReadonlyMap<string, Pipeline>;
  readonly accept: Accept;
  /** Memo: pipeline id → merged statements (each pipeline's own problems reported once). */
  readonly merged: Map<string, ReadonlyMap<string, Statement>>;
}

/** The statements in effect for a pipeline, by key, parents first (extends must be acyclic). */
export function mergeStatements(p: Pipeline, ctx: MergeContext): ReadonlyMap<string, Statement> {
  const id = pipelineId(p);
  const memo = ctx.merged.get(id);
  if (memo !== undefined) return memo;
  const parent = ctx.parents.get(id);
  const result = new Map<string, Statement>(parent === undefined ? [] : mergeStatements(parent, ctx));
  const own = new Map<string, Statement>();
  for (const stmt of p.statements) {
    const key = statementKey(stmt);
    const earlier = own.get(key);
    if (earlier !== undefined) {
      const isSource = stmt.kind === 'source';
      ctx.accept(isSource ? 'CVR304' : 'CVR308', stmt.span, isSource ? `source "${stmt.name.name}" is given twice in pipeline "${p.name.name}"` : `"${key}" is given twice in pipeline "${p.name.name}"`, {
        hint: 'keep one; a later statement does not override an earlier one in the same pipeline',
        related: [{ message: 'first given here', span: earlier.span }],
      });
      continue;
    }
    own.set(key, stmt);
    if (stmt.kind === 'source' && stmt.drop) {
      if (!result.has(key)) {
        ctx.accept(
          'CVR204',
          stmt.span,
          parent === undefined
            ? `source "${stmt.name.name}" { drop } removes nothing: pipeline "${p.name.name}" extends no pipeline`
            : `source "${stmt.name.name}" { drop } removes nothing: "${parent.name.name}" has no source "${stmt.name.name}"`,
          { hint: suggestionFor(stmt.name.name, [...result.keys()].filter((k) => k.startsWith('source:')).map((k) => k.slice(7))) },
        );
      }
      result.delete(key);
      continue;
    }
    result.set(key, stmt);
  }
  ctx.merged.set(id, result);
  return result;
}

function suggestionFor(name: string, candidates: readonly string[]): string | undefined {
  return suggestion(name, candidates);
}

/** Looks up a reference in the scope of the file the referring statement was written in. */
function lookup<K extends ItemKind>(scopes: ReadonlyMap<string, Scope>, kind: K, at: Span, name: string) {
  return scopes.get(at.file)?.lookup(kind, name);
}

function unknownRef(scopes: ReadonlyMap<string, Scope>, accept: Accept, kind: ItemKind, ref: { name: string; span: Span }, extra: readonly string[] = []): void {
  const candidates = [...(scopes.get(ref.span.file)?.names(kind) ?? []), ...extra];
  const word = kind === 'source' ? 'source' : `${kind} block`;
  const code = kind === 'source' ? 'CVR303' : 'CVR307';
  accept(code, ref.span, `unknown ${word} "${ref.name}"`, {
    hint: suggestion(ref.name, candidates) ?? `declare a top-level \`${kind} ${ref.name} { … }\` here or in an imported file`,
  });
}

/** Resolves references and assembles the effective pipeline. */
type MutableEffective = { -readonly [K in keyof EffectivePipeline]: EffectivePipeline[K] };

/** The statements a child takes whole from the last declaration (no merging, no references to resolve). */
function takeWhole(out: MutableEffective, stmt: Extract<Statement, { kind: 'engine' | 'patients-shared' | 'probes' | 'executor' | 'dedupe' }>): void {
  if (stmt.kind === 'engine') out.engine = stmt;
  else if (stmt.kind === 'patients-shared') out.patientsShared = stmt;
  else if (stmt.kind === 'probes') out.probes = stmt;
  else if (stmt.kind === 'executor') out.executor = stmt;
  else out.dedupe = stmt;
}

export function effectivePipeline(p: Pipeline, statements: ReadonlyMap<string, Statement>, scopes: ReadonlyMap<string, Scope>, accept: Accept): EffectivePipeline {
  const spans: Record<string, Span> = {};
  const sources: EffectiveSource[] = [];
  const manifests: SourcesFromManifest[] = [];
  const out: MutableEffective = {
    decl: p,
    name: p.name.name,
    file: p.span.file,
    sources,
    manifests,
    spans,
  };
  for (const [key, stmt] of statements) {
    spans[key] = stmt.span;
    switch (stmt.kind) {
      case 'title':
        out.title = stmt;
        break;
      case 'description':
        out.description = stmt;
        break;
      case 'seed':
        out.seed = stmt;
        break;
      case 'classes': {
        out.classesStmt = stmt;
        if (stmt.block !== undefined) out.classes = stmt.block;
        else if (stmt.ref !== undefined) {
          const named = lookup(scopes, 'classes', stmt.ref.span, stmt.ref.name);
          const block = named?.block ?? builtinClasses(stmt.ref.name, stmt.ref.span);
          if (block === undefined) unknownRef(scopes, accept, 'classes', stmt.ref, ['covid']);
          else out.classes = block;
        }
        break;
      }
      case 'source': {
        if (stmt.isReference) {
          const def = lookup(scopes, 'source', stmt.name.span, stmt.name.name);
          if (def === undefined) unknownRef(scopes, accept, 'source', stmt.name);
          else sources.push({ use: stmt, def });
        } else {
          sources.push({ use: stmt, def: stmt });
        }
        break;
      }
      case 'sources-from-manifest':
        manifests.push(stmt);
        break;
      case 'task':
        out.task = stmt;
        break;
      case 'split':
        out.split = stmt;
        break;
      case 'image': {
        out.imageStmt = stmt;
        if (stmt.block !== undefined) out.image = stmt.block;
        else if (stmt.ref !== undefined) {
          const named = lookup(scopes, 'image', stmt.ref.span, stmt.ref.name);
          if (named === undefined) unknownRef(scopes, accept, 'image', stmt.ref);
          else out.image = named.block;
        }
        break;
      }
      case 'augment': {
        out.augmentStmt = stmt;
        if (stmt.block !== undefined) out.augment = stmt.block;
        else if (stmt.ref !== undefined && stmt.ref.name !== 'none') {
          const named = lookup(scopes, 'augment', stmt.ref.span, stmt.ref.name);
          if (named === undefined) unknownRef(scopes, accept, 'augment', stmt.ref, ['none']);
          else out.augment = named.block;
        }
        break;
      }
      case 'model':
      case 'compare-models':
        out.model = stmt;
        break;
      case 'train': {
        out.trainStmt = stmt;
        if (stmt.block !== undefined) out.train = stmt.block;
        else if (stmt.ref !== undefined) {
          const named = lookup(scopes, 'train', stmt.ref.span, stmt.ref.name);
          if (named === undefined) unknownRef(scopes, accept, 'train', stmt.ref);
          else out.train = named.block;
        }
        break;
      }
      case 'evaluate': {
        out.evaluateStmt = stmt;
        if (stmt.block !== undefined) out.evaluate = stmt.block;
        else if (stmt.ref !== undefined) {
          const named = lookup(scopes, 'evaluate', stmt.ref.span, stmt.ref.name);
          if (named === undefined) unknownRef(scopes, accept, 'evaluate', stmt.ref);
          else out.evaluate = named.block;
        }
        break;
      }
      case 'engine':
      case 'patients-shared':
      case 'probes':
      case 'executor':
      case 'dedupe':
        takeWhole(out, stmt);
        break;
      default: {
        const never: never = stmt;
        throw new Error(`Internal error: unknown statement ${JSON.stringify(never)}`);
      }
    }
  }
  // Without a `classes` statement the built-in taxonomy applies: it is what every design of the paper uses.
  if (out.classesStmt === undefined) out.classes = builtinClasses('covid', p.name.span);
  return out;
}
