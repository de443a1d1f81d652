/**
 * Names in `.cvr` files, as an editor sees them: every place a pipeline, source, named block,
 * class, model or imported file is declared or used ("occurrences"), and which declaration each
 * use means, by the resolver's rules (language.md): top-level names through imports, `extends`
 * chains for a pipeline's sources and classes, `classes covid` built in.
 *
 * The walk is generic over the AST: a table says which field of which node holds a name of
 * which kind, and fields it does not know are walked through, so new forms of the language keep
 * working here (their names are simply not offered until the table knows them).
 */
import type { Span } from '../diag/index.ts';
import type { ClassDecl, ClassesBlock, CvrFile, Ident, Pipeline, SourceDecl, TopLevelItem } from '../dsl/index.ts';
import { builtinClasses } from '../dsl/index.ts';
import type { Workspace } from './workspace.ts';

export type NameKind = 'pipeline' | 'source' | 'classes' | 'image' | 'augment' | 'train' | 'evaluate' | 'class' | 'model' | 'file';

/** Named blocks: their kind by the block's node kind. */
export const BLOCK_KINDS: Readonly<Record<string, NameKind>> = {
  'classes-block': 'classes',
  'image-block': 'image',
  'augment-block': 'augment',
  'train-block': 'train',
  'evaluate-block': 'evaluate',
};

export interface Occurrence {
  readonly kind: NameKind;
  /** The name; for `file`, the absolute path imported. */
  readonly name: string;
  readonly span: Span;
  readonly role: 'def' | 'ref';
  /** The AST node the name belongs to (a pipeline, source, named block, class declaration, statement). */
  readonly node: { readonly kind: string; readonly span: Span };
  /** The pipeline around it, if any. */
  readonly pipeline?: Pipeline;
  /** The classes block around it (class declarations and union members). */
  readonly classesBlock?: ClassesBlock;
}

interface Ctx {
  readonly pipeline?: Pipeline;
  readonly classesBlock?: ClassesBlock;
}

type AnyNode = { readonly kind: string; readonly span: Span } & Readonly<Record<string, unknown>>;

/** Which field of which node holds a name, and of what kind; `role` may depend on the node. */
const NAME_FIELDS: Readonly<Record<string, Readonly<Record<string, (node: AnyNode) => { kind: NameKind; role: 'def' | 'ref' }>>>> = {
  pipeline: { name: () => ({ kind: 'pipeline', role: 'def' }), extends: () => ({ kind: 'pipeline', role: 'ref' }) },
  'named-block': { name: (n) => ({ kind: BLOCK_KINDS[(n['block'] as AnyNode).kind] ?? 'classes', role: 'def' }) },
  source: { name: (n) => ({ kind: 'source', role: n['location'] !== undefined ? 'def' : 'ref' }) },
  'class-decl': { name: () => ({ kind: 'class', role: 'def' }), members: () => ({ kind: 'class', role: 'ref' }) },
  task: { classes: () => ({ kind: 'class', role: 'ref' }) },
  'map-entry': { target: () => ({ kind: 'class', role: 'ref' }) },
  gradcam: { className: () => ({ kind: 'class', role: 'ref' }) },
  'class-weight': { className: () => ({ kind: 'class', role: 'ref' }) },
  split: { testSources: () => ({ kind: 'source', role: 'ref' }) },
  'sources-from-manifest': { only: () => ({ kind: 'source', role: 'ref' }) },
  classes: { ref: () => ({ kind: 'classes', role: 'ref' }) },
  image: { ref: () => ({ kind: 'image', role: 'ref' }) },
  augment: { ref: () => ({ kind: 'augment', role: 'ref' }) },
  train: { ref: () => ({ kind: 'train', role: 'ref' }) },
  evaluate: { ref: () => ({ kind: 'evaluate', role: 'ref' }) },
  model: { name: () => ({ kind: 'model', role: 'ref' }) },
  'compare-models': { models: () => ({ kind: 'model', role: 'ref' }) },
};

function isNode(value: unknown): value is AnyNode {
  return typeof value === 'object' && value !== null && typeof (value as { kind?: unknown }).kind === 'string';
}

function identsIn(value: unknown): Ident[] {
  if (Array.isArray(value)) return value.filter((v): v is Ident => isNode(v) && v.kind === 'ident');
  return isNode(value) && value.kind === 'ident' ? [value as unknown as Ident] : [];
}

/** Every occurrence of a name in the file, in source order. */
export function occurrences(file: CvrFile, importTarget: (imp: CvrFile['imports'][number]) => string): Occurrence[] {
  const out: Occurrence[] = [];
  for (const imp of file.imports) out.push({ kind: 'file', name: importTarget(imp), span: imp.path.span, role: 'ref', node: imp });
  const walk = (value: unknown, ctx: Ctx): void => {
    if (Array.isArray(value)) {
      for (const v of value) walk(v, ctx);
      return;
    }
    if (!isNode(value) || value.kind === 'ident') return;
    let here = ctx;
    if (value.kind === 'pipeline') here = { pipeline: value as unknown as Pipeline };
    if (value.kind === 'classes-block') here = { ...here, classesBlock: value as unknown as ClassesBlock };
    const fields = NAME_FIELDS[value.kind];
    for (const [field, child] of Object.entries(value)) {
      if (field === 'span' || field === 'kind' || field === 'comments' || field === 'imports') continue;
      const role = fields?.[field];
      if (role !== undefined) {
        const { kind, role: r } = role(value);
        for (const id of identsIn(child)) {
          // A node's own names take the context around the node: a pipeline's name is not inside it.
          out.push({ kind, name: id.name, span: id.span, role: r, node: value, ...(ctx.pipeline === undefined ? {} : { pipeline: ctx.pipeline }), ...(ctx.classesBlock === undefined ? {} : { classesBlock: ctx.classesBlock }) });
        }
      }
      walk(child, here);
    }
  };
  walk(file.items, {});
  return out.sort((a, b) => a.span.start - b.span.start);
}

/** A declaration: an occurrence with role `def`, or a class of the built-in taxonomy. */
export type Declaration =
  | { readonly builtin: false; readonly occurrence: Occurrence }
  | { readonly builtin: true; readonly kind: 'class' | 'classes'; readonly name: string; readonly decl?: ClassDecl; readonly block?: ClassesBlock };

export function declarationKey(d: Declaration): string {
  return d.builtin ? `builtin:${d.kind}:${d.name}` : `${d.occurrence.span.file}:${d.occurrence.span.start}:${d.occurrence.kind}`;
}

/** Resolution over one workspace; caches the occurrences of each file for one request. */
export class Names {
  private readonly byFile = new Map<string, Occurrence[]>();

  constructor(
    private readonly workspace: Workspace,
    private readonly importTarget: (file: string, imp: CvrFile['imports'][number]) => string,
  ) {}

  of(file: string): Occurrence[] {
    let list = this.byFile.get(file);
    if (list === undefined) {
      const ast = this.workspace.bestAst(file);
      list = ast === undefined ? [] : occurrences(ast, (imp) => this.importTarget(file, imp));
      this.byFile.set(file, list);
    }
    return list;
  }

  /** The file itself and what it imports, transitively. */
  visibleFiles(file: string): string[] {
    return this.workspace.visible(file);
  }

  /** The built-in taxonomy (`classes covid`). */
  builtinTaxonomy(): ClassesBlock | undefined {
    return builtinClasses('covid', { file: '', start: 0, end: 0, line: 1, column: 1 });
  }

  /** The occurrence whose name covers `offset` (its end included, where the cursor sits after typing). */
  at(file: string, offset: number): Occurrence | undefined {
    return this.of(file).find((o) => o.span.start <= offset && offset <= o.span.end);
  }

  /** A top-level declaration of that kind and name that `fromFile` sees, nearest first. */
  topLevel(fromFile: string, kind: NameKind, name: string): Occurrence | undefined {
    for (const file of this.workspace.visible(fromFile)) {
      const hit = this.of(file).find((o) => o.role === 'def' && o.kind === kind && o.name === name && o.pipeline === undefined);
      if (hit !== undefined) return hit;
    }
    return undefined;
  }

  /** Top-level names of a kind that `fromFile` sees, with their declarations. */
  visibleNames(fromFile: string, kind: NameKind): Occurrence[] {
    const seen = new Map<string, Occurrence>();
    for (const file of this.workspace.visible(fromFile)) {
      for (const o of this.of(file)) if (o.role === 'def' && o.kind === kind && o.pipeline === undefined && !seen.has(o.name)) seen.set(o.name, o);
    }
    return [...seen.values()];
  }

  parent(p: Pipeline): Pipeline | undefined {
    if (p.extends === undefined) return undefined;
    const hit = this.topLevel(p.span.file, 'pipeline', p.extends.name);
    return hit?.node.kind === 'pipeline' ? (hit.node as unknown as Pipeline) : undefined;
  }

  /** The pipeline and its ancestors, nearest first, stopping at a cycle. */
  lineage(p: Pipeline): Pipeline[] {
    const out: Pipeline[] = [];
    for (let at: Pipeline | undefined = p; at !== undefined && !out.includes(at); at = this.parent(at)) out.push(at);
    return out;
  }

  /** The source `name` in effect in pipeline `p`: its own, inherited, or the top-level one a bare reference names. */
  sourceIn(p: Pipeline, name: string, skipOwn = false): Occurrence | undefined {
    for (const [i, at] of this.lineage(p).entries()) {
      if (i === 0 && skipOwn) continue;
      const stmt = at.statements.find((s): s is SourceDecl => s.kind === 'source' && s.name.name === name && !s.drop);
      if (stmt === undefined) continue;
      if (stmt.location !== undefined) return this.defOf(stmt.name.span, 'source');
      return this.topLevel(at.span.file, 'source', name);
    }
    return undefined;
  }

  /** The sources in effect in pipeline `p` (own, inherited, referenced), by name. */
  sourcesOf(p: Pipeline): string[] {
    const names = new Set<string>();
    const dropped = new Set<string>();
    for (const at of this.lineage(p)) {
      for (const s of at.statements) {
        if (s.kind !== 'source') continue;
        if (s.drop) dropped.add(s.name.name);
        else if (!dropped.has(s.name.name)) names.add(s.name.name);
      }
    }
    return [...names];
  }

  /** The taxonomy in effect in pipeline `p`: its own `classes` statement or the nearest ancestor's. */
  classesOf(p: Pipeline): { block: ClassesBlock; builtin?: string } | undefined {
    for (const at of this.lineage(p)) {
      const stmt = at.statements.find((s) => s.kind === 'classes');
      if (stmt === undefined || stmt.kind !== 'classes') continue;
      if (stmt.block !== undefined) return { block: stmt.block };
      if (stmt.ref === undefined) return undefined;
      const named = this.topLevel(at.span.file, 'classes', stmt.ref.name);
      if (named !== undefined) return { block: (named.node as unknown as { block: ClassesBlock }).block };
      const builtin = builtinClasses(stmt.ref.name, stmt.ref.span);
      return builtin === undefined ? undefined : { block: builtin, builtin: stmt.ref.name };
    }
    return undefined;
  }

  private defOf(span: Span, kind: NameKind): Occurrence | undefined {
    return this.of(span.file).find((o) => o.role === 'def' && o.kind === kind && o.span.start === span.start);
  }

  private classIn(block: ClassesBlock, builtin: string | undefined, name: string): Declaration | undefined {
    const decl = block.classes.find((c) => c.name.name === name);
    if (decl === undefined) return undefined;
    if (builtin !== undefined) return { builtin: true, kind: 'class', name, decl, block };
    const occ = this.defOf(decl.name.span, 'class');
    return occ === undefined ? undefined : { builtin: false, occurrence: occ };
  }

  /** The declaration an occurrence means; a declaration means itself. */
  resolve(o: Occurrence): Declaration | undefined {
    if (o.role === 'def') return { builtin: false, occurrence: o };
    switch (o.kind) {
      case 'pipeline':
      case 'image':
      case 'augment':
      case 'train':
      case 'evaluate': {
        const hit = this.topLevel(o.span.file, o.kind, o.name);
        return hit === undefined ? undefined : { builtin: false, occurrence: hit };
      }
      case 'classes': {
        const hit = this.topLevel(o.span.file, 'classes', o.name);
        if (hit !== undefined) return { builtin: false, occurrence: hit };
        const block = builtinClasses(o.name, o.span);
        return block === undefined ? undefined : { builtin: true, kind: 'classes', name: o.name, block };
      }
      case 'source': {
        const decl = o.node as unknown as SourceDecl;
        let hit: Occurrence | undefined;
        // `source X { drop }` means the inherited X; a bare `source X` the top-level X; a use in a
        // statement (`test sources X`, `only X`) the X in effect in the pipeline.
        if (o.pipeline === undefined) hit = this.topLevel(o.span.file, 'source', o.name);
        else if (decl.kind === 'source') hit = decl.drop ? this.sourceIn(o.pipeline, o.name, true) : this.topLevel(o.span.file, 'source', o.name);
        else hit = this.sourceIn(o.pipeline, o.name);
        return hit === undefined ? undefined : { builtin: false, occurrence: hit };
      }
      case 'class':
        return this.resolveClass(o);
      case 'model':
      case 'file':
        return undefined;
      default: {
        const never: never = o.kind;
        throw new Error(`Internal error: unknown name kind ${String(never)}`);
      }
    }
  }

  private resolveClass(o: Occurrence): Declaration | undefined {
    if (o.classesBlock !== undefined) {
      const local = this.classIn(o.classesBlock, undefined, o.name);
      if (local !== undefined) return local;
    }
    if (o.pipeline !== undefined) {
      const tax = this.classesOf(o.pipeline);
      return tax === undefined ? undefined : this.classIn(tax.block, tax.builtin, o.name);
    }
    // Outside a pipeline (a top-level source's map, a named protocol): the first class of that
    // name that the file sees, else the built-in one.
    for (const file of this.workspace.visible(o.span.file)) {
      const hit = this.of(file).find((x) => x.role === 'def' && x.kind === 'class' && x.name === o.name);
      if (hit !== undefined) return { builtin: false, occurrence: hit };
    }
    const builtin = builtinClasses('covid', o.span);
    return builtin === undefined ? undefined : this.classIn(builtin, 'covid', o.name);
  }

  /** Every occurrence in `files` that means the same declaration as `d`. */
  referencesTo(d: Declaration, files: readonly string[]): Occurrence[] {
    const key = declarationKey(d);
    const kind = d.builtin ? d.kind : d.occurrence.kind;
    const name = d.builtin ? d.name : d.occurrence.name;
    const out: Occurrence[] = [];
    for (const file of files) {
      for (const o of this.of(file)) {
        if (o.kind !== kind || o.name !== name) continue;
        const r = this.resolve(o);
        if (r !== undefined && declarationKey(r) === key) out.push(o);
      }
    }
    return out;
  }
}

/** The top-level item whose declaration an occurrence is, when it is one. */
export function topLevelItem(o: Occurrence): TopLevelItem | undefined {
  return o.role === 'def' && o.pipeline === undefined && ['pipeline', 'source', 'named-block'].includes(o.node.kind) ? (o.node as unknown as TopLevelItem) : undefined;
}
