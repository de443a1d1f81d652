/**
 * CST → AST. One method per grammar rule (checked by `validateVisitor()` at start-up), each
 * called directly on its node's children so that return types stay precise.
 *
 * Error recovery may leave any token or subrule out of a node, or insert a token that has no
 * text and no position. A node missing a required part is dropped (its parse error has already
 * been reported); optional parts that are missing are simply absent.
 */
import { tokenMatcher } from 'chevrotain';
import type { CstNode, IToken } from 'chevrotain';
import type { Diagnostic, Span } from '../diag/index.ts';
import type * as A from './ast.ts';
import type * as C from './cst-types.ts';
import * as T from './lexer.ts';
import { cvrParser } from './parser-instance.ts';
import { splitRegexImage, unescapeSlashes } from './regex-literal.ts';

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

export interface BuildContext {
  readonly file: string;
  readonly diagnostics: Diagnostic[];
}

// ---------------------------------------------------------------------------------------------
// Leaves

/** A token the user wrote: not inserted by recovery, with a position. */
function real(tokens: readonly IToken[] | undefined, index = 0): IToken | undefined {
  const token = tokens?.[index];
  if (token === undefined || token.isInsertedInRecovery === true || !Number.isFinite(token.startOffset)) return undefined;
  return token;
}

function realAll(tokens: readonly IToken[] | undefined): IToken[] {
  return (tokens ?? []).filter((t) => t.isInsertedInRecovery !== true && Number.isFinite(t.startOffset));
}

export function tokenSpan(file: string, token: IToken): Span {
  return {
    file,
    start: token.startOffset,
    end: (token.endOffset ?? token.startOffset) + 1,
    line: token.startLine ?? 1,
    column: token.startColumn ?? 1,
  };
}

function joinSpans(first: Span, last: Span): Span {
  return { ...first, end: Math.max(first.end, last.end) };
}

/** The span of a CST node, from its first to its last real token. */
function nodeSpan(file: string, node: CstNode): Span | undefined {
  // chevrotain tracks each node's location; only a node that recovery touched needs the walk.
  const at = node.location;
  if (at !== undefined && Number.isFinite(at.startOffset) && Number.isFinite(at.endOffset) && node.recoveredNode !== true) {
    return { file, start: at.startOffset, end: (at.endOffset ?? at.startOffset) + 1, line: at.startLine ?? 1, column: at.startColumn ?? 1 };
  }
  const tokens: IToken[] = [];
  collectTokens(node, tokens);
  const first = tokens[0];
  const last = tokens[tokens.length - 1];
  if (first === undefined || last === undefined) return undefined;
  return joinSpans(tokenSpan(file, first), tokenSpan(file, last));
}

function collectTokens(node: CstNode, into: IToken[]): void {
  collectUnsorted(node, into);
  into.sort((a, b) => a.startOffset - b.startOffset);
}

function collectUnsorted(node: CstNode, into: IToken[]): void {
  for (const children of Object.values(node.children)) {
    for (const child of children) {
      if ('children' in child) collectUnsorted(child, into);
      else if (child.isInsertedInRecovery !== true && Number.isFinite(child.startOffset)) into.push(child);
    }
  }
}

function ident(ctx: BuildContext, token: IToken | undefined): A.Ident | undefined {
  if (token === undefined) return undefined;
  return { kind: 'ident', name: token.image, span: tokenSpan(ctx.file, token) };
}

function idents(ctx: BuildContext, tokens: readonly IToken[] | undefined): A.Ident[] {
  return realAll(tokens).map((t) => ({ kind: 'ident', name: t.image, span: tokenSpan(ctx.file, t) }));
}

/** The value of a string token: quotes removed, `\"` and `\\` unescaped (an unknown escape is kept as written). */
export function unquote(image: string): string {
  const body = image.length >= 2 && image.endsWith('"') && !isEscapedEnd(image) ? image.slice(1, -1) : image.slice(1);
  return body.replace(/\\(.)/g, (whole, c: string) => (c === '"' || c === '\\' ? c : whole));
}

/** Whether the final `"` of `image` is escaped (an unterminated `"abc\"`). */
function isEscapedEnd(image: string): boolean {
  let backslashes = 0;
  for (let i = image.length - 2; i >= 1 && image[i] === '\\'; i--) backslashes++;
  return backslashes % 2 === 1;
}

function stringLit(ctx: BuildContext, token: IToken | undefined): A.StringLit | undefined {
  if (token === undefined) return undefined;
  return { kind: 'string', value: unquote(token.image), span: tokenSpan(ctx.file, token) };
}

export function parseNumber(raw: string): { value: number; unit: A.NumberUnit } {
  if (raw.endsWith('%')) return { value: Number(raw.slice(0, -1)), unit: 'percent' };
  if (raw.endsWith('deg')) return { value: Number(raw.slice(0, -3)), unit: 'deg' };
  return { value: Number(raw), unit: 'none' };
}

function numberLit(ctx: BuildContext, token: IToken | undefined): A.NumberLit | undefined {
  if (token === undefined) return undefined;
  const { value, unit } = parseNumber(token.image);
  return { kind: 'number', value, unit, raw: token.image, span: tokenSpan(ctx.file, token) };
}

/** The pattern between the slashes, `\/` unescaped to `/`; other escapes stay as written. */
export function regexPattern(image: string): string {
  return unescapeSlashes(splitRegexImage(image).body);
}

function regexLit(ctx: BuildContext, token: IToken | undefined): A.RegexLit | undefined {
  if (token === undefined) return undefined;
  const { body, flags } = splitRegexImage(token.image);
  const lit: Mutable<A.RegexLit> = { kind: 'regex', pattern: unescapeSlashes(body), span: tokenSpan(ctx.file, token) };
  if (flags !== '') lit.flags = flags;
  return lit;
}

/** Where the i-th `keyword value` setting starts: at its keyword, or at the value when recovery lost the keyword. */
function keywordSpan(ctx: BuildContext, keywords: readonly IToken[] | undefined, index: number, value: IToken): Span {
  const keyword = real(keywords, index);
  return keyword !== undefined && keyword.startOffset < value.startOffset ? joinSpans(tokenSpan(ctx.file, keyword), tokenSpan(ctx.file, value)) : tokenSpan(ctx.file, value);
}

function duplicate(ctx: BuildContext, what: string, where: string, span: Span | undefined): void {
  ctx.diagnostics.push({
    code: 'CVR109',
    severity: 'error',
    message: `\`${what}\` is given twice in ${where}`,
    ...(span === undefined ? { file: ctx.file } : { span }),
    hint: 'keep one of them',
  });
}

/** Sets `target[key]` unless it is already set (then reports a duplicate). */
function setOnce<O extends object, K extends keyof O>(
  ctx: BuildContext,
  target: O,
  key: K,
  value: O[K] | undefined,
  what: string,
  where: string,
  span: Span | undefined,
): void {
  if (value === undefined) return;
  if (target[key] !== undefined) duplicate(ctx, what, where, span);
  else target[key] = value;
}

function flagOnce(ctx: BuildContext, already: boolean, what: string, where: string, token: IToken | undefined): boolean {
  if (already && token !== undefined) duplicate(ctx, what, where, tokenSpan(ctx.file, token));
  return already || token !== undefined;
}

/**
 * The children of a block's settings (one CST node each, so that recovery resumes at the next
 * setting) merged into one, as if the block held them directly; each key keeps source order.
 */
function mergeChildren<Children>(nodes: readonly { readonly children: Children }[] | undefined): Children {
  const merged: Record<string, unknown[]> = {};
  for (const node of nodes ?? []) {
    for (const [key, values] of Object.entries(node.children as Record<string, unknown[] | undefined>)) {
      (merged[key] ??= []).push(...(values ?? []));
    }
  }
  return merged as Children;
}

/** CST children of a node in source order, each with its key (a token label or a rule name). */
function ordered(children: Record<string, (CstNode | IToken)[] | undefined>): { key: string; element: CstNode | IToken }[] {
  const all: { key: string; element: CstNode | IToken; offset: number }[] = [];
  for (const [key, elements] of Object.entries(children)) {
    for (const element of elements ?? []) {
      const offset = 'children' in element ? (element.location?.startOffset ?? Number.NaN) : element.startOffset;
      all.push({ key, element, offset: Number.isFinite(offset) ? offset : Number.MAX_SAFE_INTEGER });
    }
  }
  return all.sort((a, b) => a.offset - b.offset);
}

// ---------------------------------------------------------------------------------------------

const BaseVisitor = cvrParser.getBaseCstVisitorConstructor<BuildContext, unknown>();

export class AstBuilder extends BaseVisitor implements C.CvrCstVisitor<BuildContext, unknown> {
  constructor() {
    super();
    this.validateVisitor();
  }

  file(children: C.FileCstChildren, ctx: BuildContext): { imports: A.Import[]; items: A.TopLevelItem[] } {
    const imports: A.Import[] = [];
    const items: A.TopLevelItem[] = [];
    for (const { key, element } of ordered(children as Record<string, (CstNode | IToken)[] | undefined>)) {
      if (!('children' in element)) continue;
      switch (key) {
        case 'importDecl': {
          const i = this.importDecl((element as C.ImportDeclCstNode).children, ctx);
          if (i !== undefined) imports.push(i);
          break;
        }
        case 'pipeline': {
          const p = this.pipeline((element as C.PipelineCstNode).children, ctx, element);
          if (p !== undefined) items.push(p);
          break;
        }
        case 'sourceDecl': {
          const s = this.sourceDecl((element as C.SourceDeclCstNode).children, ctx, element);
          if (s !== undefined) items.push(s);
          break;
        }
        case 'namedBlock': {
          const b = this.namedBlock((element as C.NamedBlockCstNode).children, ctx, element);
          if (b !== undefined) items.push(b);
          break;
        }
      }
    }
    return { imports, items };
  }

  importDecl(c: C.ImportDeclCstChildren, ctx: BuildContext): A.Import | undefined {
    const keyword = real(c.Import);
    const path = stringLit(ctx, real(c.path));
    if (keyword === undefined || path === undefined) return undefined;
    return { kind: 'import', path, span: joinSpans(tokenSpan(ctx.file, keyword), path.span) };
  }

  namedBlock(c: C.NamedBlockCstChildren, ctx: BuildContext, node?: CstNode): A.TopLevelItem | undefined {
    const name = ident(ctx, real(c.name));
    const span = node === undefined ? undefined : nodeSpan(ctx.file, node);
    if (name === undefined || span === undefined) return undefined;
    const wrap = <B extends { readonly kind: string }>(block: B | undefined): A.NamedBlock<B> | undefined =>
      block === undefined ? undefined : { kind: 'named-block', name, block, span };
    const classes = c.classesBlock?.[0];
    if (classes !== undefined) return wrap(this.classesBlock(classes.children, ctx, classes));
    const image = c.imageBlock?.[0];
    if (image !== undefined) return wrap(this.imageBlock(image.children, ctx, image));
    const augment = c.augmentBlock?.[0];
    if (augment !== undefined) return wrap(this.augmentBlock(augment.children, ctx, augment));
    const train = c.trainBlock?.[0];
    if (train !== undefined) return wrap(this.trainBlock(train.children, ctx, train));
    const evaluate = c.evaluateBlock?.[0];
    if (evaluate !== undefined) return wrap(this.evaluateBlock(evaluate.children, ctx, evaluate));
    return undefined;
  }

  pipeline(c: C.PipelineCstChildren, ctx: BuildContext, node?: CstNode): A.Pipeline | undefined {
    const name = ident(ctx, real(c.name));
    const span = node === undefined ? undefined : nodeSpan(ctx.file, node);
    if (name === undefined || span === undefined) return undefined;
    const base = ident(ctx, real(c.base));
    const statements: A.Statement[] = [];
    for (const s of c.statement ?? []) {
      const built = this.statement(s.children, ctx);
      if (built !== undefined) statements.push(built);
    }
    return { kind: 'pipeline', name, ...(base === undefined ? {} : { extends: base }), statements, span };
  }

  statement(c: C.StatementCstChildren, ctx: BuildContext): A.Statement | undefined {
    // Exactly one alternative is present (none when recovery left the statement empty).
    const title = c.titleStmt?.[0];
    if (title !== undefined) return this.titleStmt(title.children, ctx, title);
    const description = c.descriptionStmt?.[0];
    if (description !== undefined) return this.descriptionStmt(description.children, ctx, description);
    const seed = c.seedStmt?.[0];
    if (seed !== undefined) return this.seedStmt(seed.children, ctx, seed);
    const classes = c.classesStmt?.[0];
    if (classes !== undefined) return this.classesStmt(classes.children, ctx, classes);
    const source = c.sourceDecl?.[0];
    if (source !== undefined) return this.sourceDecl(source.children, ctx, source);
    const sources = c.sourcesFromManifest?.[0];
    if (sources !== undefined) return this.sourcesFromManifest(sources.children, ctx, sources);
    const task = c.taskStmt?.[0];
    if (task !== undefined) return this.taskStmt(task.children, ctx, task);
    const split = c.splitStmt?.[0];
    if (split !== undefined) return this.splitStmt(split.children, ctx, split);
    const image = c.imageStmt?.[0];
    if (image !== undefined) return this.imageStmt(image.children, ctx, image);
    const augment = c.augmentStmt?.[0];
    if (augment !== undefined) return this.augmentStmt(augment.children, ctx, augment);
    const model = c.modelStmt?.[0];
    if (model !== undefined) return this.modelStmt(model.children, ctx, model);
    const compare = c.compareModelsStmt?.[0];
    if (compare !== undefined) return this.compareModelsStmt(compare.children, ctx, compare);
    const train = c.trainStmt?.[0];
    if (train !== undefined) return this.trainStmt(train.children, ctx, train);
    const evaluate = c.evaluateStmt?.[0];
    if (evaluate !== undefined) return this.evaluateStmt(evaluate.children, ctx, evaluate);
    const engine = c.engineStmt?.[0];
    if (engine !== undefined) return this.engineStmt(engine.children, ctx, engine);
    const shared = c.patientsSharedStmt?.[0];
    if (shared !== undefined) return this.patientsSharedStmt(shared.children, ctx, shared);
    const probes = c.probesStmt?.[0];
    if (probes !== undefined) return this.probesStmt(probes.children, ctx, probes);
    const executor = c.executorStmt?.[0];
    if (executor !== undefined) return this.executorStmt(executor.children, ctx, executor);
    const dedupe = c.dedupeStmt?.[0];
    if (dedupe !== undefined) return this.dedupeStmt(dedupe.children, ctx, dedupe);
    return undefined;
  }

  titleStmt(c: C.TitleStmtCstChildren, ctx: BuildContext, node?: CstNode): A.TitleStmt | undefined {
    const text = stringLit(ctx, real(c.text));
    const span = node && nodeSpan(ctx.file, node);
    return text && span && { kind: 'title', text, span };
  }

  descriptionStmt(c: C.DescriptionStmtCstChildren, ctx: BuildContext, node?: CstNode): A.DescriptionStmt | undefined {
    const text = stringLit(ctx, real(c.text));
    const span = node && nodeSpan(ctx.file, node);
    return text && span && { kind: 'description', text, span };
  }

  seedStmt(c: C.SeedStmtCstChildren, ctx: BuildContext, node?: CstNode): A.SeedStmt | undefined {
    const value = numberLit(ctx, real(c.value));
    const span = node && nodeSpan(ctx.file, node);
    return value && span && { kind: 'seed', value, span };
  }

  // ---- classes

  classesStmt(c: C.ClassesStmtCstChildren, ctx: BuildContext, node?: CstNode): A.ClassesStmt | undefined {
    const span = node && nodeSpan(ctx.file, node);
    if (span === undefined) return undefined;
    const ref = ident(ctx, real(c.ref));
    if (ref !== undefined) return { kind: 'classes', ref, span };
    const blockNode = c.classesBlock?.[0];
    const block = blockNode && this.classesBlock(blockNode.children, ctx, blockNode);
    return block && { kind: 'classes', block, span };
  }

  classesBlock(c: C.ClassesBlockCstChildren, ctx: BuildContext, node?: CstNode): A.ClassesBlock | undefined {
    const span = node && nodeSpan(ctx.file, node);
    if (span === undefined) return undefined;
    const classes: A.ClassDecl[] = [];
    for (const d of c.classDecl ?? []) {
      const decl = this.classDecl(d.children, ctx, d);
      if (decl !== undefined) classes.push(decl);
    }
    return { kind: 'classes-block', classes, span };
  }

  classDecl(c: C.ClassDeclCstChildren, ctx: BuildContext, node?: CstNode): A.ClassDecl | undefined {
    const name = ident(ctx, real(c.name));
    const span = node && nodeSpan(ctx.file, node);
    if (name === undefined || span === undefined) return undefined;
    const description = stringLit(ctx, real(c.description));
    const isUnion = c.Equals !== undefined;
    return {
      kind: 'class-decl',
      name,
      ...(isUnion ? { members: idents(ctx, c.member) } : {}),
      ...(description === undefined ? {} : { description }),
      span,
    };
  }

  // ---- sources

  sourceDecl(c: C.SourceDeclCstChildren, ctx: BuildContext, node?: CstNode): A.SourceDecl | undefined {
    const name = ident(ctx, real(c.name));
    const span = node && nodeSpan(ctx.file, node);
    if (name === undefined || span === undefined) return undefined;
    const source: Mutable<A.SourceDecl> = {
      kind: 'source',
      name,
      isReference: c.LCurly === undefined,
      drop: real(c.Drop) !== undefined,
      span,
    };
    const where = `source ${name.name}`;
    for (const settingNode of c.sourceSetting ?? []) {
      const s = settingNode.children;
      const settingSpan = nodeSpan(ctx.file, settingNode);
      const folder = s.folderLocation?.[0];
      const manifest = s.manifestLocation?.[0];
      if (folder !== undefined || manifest !== undefined) {
        const location = folder !== undefined
          ? this.folderLocation(folder.children, ctx, folder)
          : manifest && this.manifestLocation(manifest.children, ctx, manifest);
        setOnce(ctx, source, 'location', location, 'folder/manifest', where, settingSpan);
      }
      const labels = s.labelsFromPath?.[0];
      if (labels !== undefined) setOnce(ctx, source, 'labelsFromPath', this.labelsFromPath(labels.children, ctx), 'labels from path', where, settingSpan);
      const patients = s.patientsFromPath?.[0];
      if (patients !== undefined) setOnce(ctx, source, 'patientsFromPath', this.patientsFromPath(patients.children, ctx), 'patients from path', where, settingSpan);
      const map = s.labelMap?.[0];
      if (map !== undefined) setOnce(ctx, source, 'map', this.labelMap(map.children, ctx, map), 'map', where, settingSpan);
      const coarse = s.coarsePolicy?.[0];
      if (coarse !== undefined) setOnce(ctx, source, 'coarse', this.coarsePolicy(coarse.children, ctx, coarse), 'coarse', where, settingSpan);
    }
    return source;
  }

  /** Dispatched from `sourceDecl`; exists for `validateVisitor()`. */
  sourceSetting(): undefined {
    return undefined;
  }

  /** Merged into their blocks by `mergeChildren`; exist for `validateVisitor()`. */
  imageSetting(): undefined {
    return undefined;
  }

  trainSetting(): undefined {
    return undefined;
  }

  evaluateSetting(): undefined {
    return undefined;
  }

  folderLocation(c: C.FolderLocationCstChildren, ctx: BuildContext, node?: CstNode): A.FolderLocation | undefined {
    const path = stringLit(ctx, real(c.path));
    const span = node && nodeSpan(ctx.file, node);
    return path && span && { kind: 'folder', path, span };
  }

  manifestLocation(c: C.ManifestLocationCstChildren, ctx: BuildContext, node?: CstNode): A.ManifestLocation | undefined {
    const path = stringLit(ctx, real(c.path));
    const span = node && nodeSpan(ctx.file, node);
    if (path === undefined || span === undefined) return undefined;
    const fields: Mutable<A.ManifestFields> = {};
    for (const f of c.manifestField ?? []) this.manifestField(f.children, ctx, f, fields);
    return { kind: 'manifest', path, fields, span };
  }

  labelsFromPath(c: C.LabelsFromPathCstChildren, ctx: BuildContext): A.RegexLit | undefined {
    return regexLit(ctx, real(c.regex));
  }

  patientsFromPath(c: C.PatientsFromPathCstChildren, ctx: BuildContext): A.RegexLit | undefined {
    return regexLit(ctx, real(c.regex));
  }

  coarsePolicy(c: C.CoarsePolicyCstChildren, ctx: BuildContext, node?: CstNode): A.CoarsePolicy | undefined {
    const action = real(c.action);
    const span = node && nodeSpan(ctx.file, node);
    if (action === undefined || span === undefined) return undefined;
    if (action.image !== 'drop' && action.image !== 'error') {
      ctx.diagnostics.push({
        code: 'CVR110',
        severity: 'error',
        message: `\`coarse\` takes \`drop\` or \`error\`, not \`${action.image}\``,
        span: tokenSpan(ctx.file, action),
        hint: 'write `coarse drop` to drop images too coarse for the task',
      });
      return undefined;
    }
    return { kind: 'coarse', action: action.image, span };
  }

  /** Applies one manifest setting to `fields` (shared by `manifest` and `sources from manifest`). */
  manifestField(c: C.ManifestFieldCstChildren, ctx: BuildContext, node?: CstNode, fields?: Mutable<A.ManifestFields>): undefined {
    if (fields === undefined) return undefined;
    const span = node && nodeSpan(ctx.file, node);
    const where = 'this manifest';
    const value = stringLit(ctx, real(c.value));
    if (c.Image !== undefined) setOnce(ctx, fields, 'image', value, 'image', where, span);
    else if (c.Label !== undefined) {
      setOnce(ctx, fields, 'label', value, 'label', where, span);
      const separator = stringLit(ctx, real(c.separator));
      if (separator !== undefined) {
        if (separator.value === '') {
          ctx.diagnostics.push({ code: 'CVR111', severity: 'error', message: '`split ""` needs a separator', span: separator.span, hint: 'write the character that joins the values, e.g. `split "|"`' });
        } else fields.labelSplit = separator;
      }
    } else if (c.Where !== undefined) {
      const expr = c.whereOr?.[0];
      const built = expr && this.whereOr(expr.children, ctx, expr);
      setOnce(ctx, fields, 'where', built, 'where', where, span);
    } else if (c.Encoding !== undefined) setOnce(ctx, fields, 'encoding', ident(ctx, real(c.encoding)), 'encoding', where, span);
    else if (c.Patient !== undefined) setOnce(ctx, fields, 'patient', value, 'patient', where, span);
    else if (c.Source !== undefined) setOnce(ctx, fields, 'source', value, 'source', where, span);
    else if (c.Partition !== undefined) setOnce(ctx, fields, 'partitionColumn', value, 'partition', where, span);
    else if (c.Root !== undefined) setOnce(ctx, fields, 'root', value, 'root', where, span);
    else if (c.Delimiter !== undefined) setOnce(ctx, fields, 'delimiter', ident(ctx, real(c.delimiter)), 'delimiter', where, span);
    else if (c.Columns !== undefined) {
      const columns = idents(ctx, c.column);
      setOnce(ctx, fields, 'columns', columns.length > 0 ? columns : undefined, 'columns', where, span);
    }
    return undefined;
  }

  sourcesFromManifest(c: C.SourcesFromManifestCstChildren, ctx: BuildContext, node?: CstNode): A.SourcesFromManifest | undefined {
    const path = stringLit(ctx, real(c.path));
    const span = node && nodeSpan(ctx.file, node);
    if (path === undefined || span === undefined) return undefined;
    const fields: Mutable<A.ManifestFields> = {};
    const result: Mutable<A.SourcesFromManifest> = { kind: 'sources-from-manifest', path, fields, span };
    const where = `sources from manifest "${path.value}"`;
    const settings = ordered(c as Record<string, (CstNode | IToken)[] | undefined>);
    for (const { key, element } of settings) {
      if (!('children' in element)) continue;
      const elementSpan = nodeSpan(ctx.file, element);
      switch (key) {
        case 'manifestField':
          this.manifestField((element as C.ManifestFieldCstNode).children, ctx, element, fields);
          break;
        case 'fixedPartition':
          setOnce(ctx, result, 'partition', this.fixedPartition((element as C.FixedPartitionCstNode).children, ctx), 'partition', where, elementSpan);
          break;
        case 'aliasBlock':
          setOnce(ctx, result, 'alias', this.aliasBlock((element as C.AliasBlockCstNode).children, ctx, element), 'alias', where, elementSpan);
          break;
        case 'onlySources':
          setOnce(ctx, result, 'only', this.onlySources((element as C.OnlySourcesCstNode).children, ctx), 'only', where, elementSpan);
          break;
        case 'labelMap':
          setOnce(ctx, result, 'map', this.labelMap((element as C.LabelMapCstNode).children, ctx, element), 'map', where, elementSpan);
          break;
        case 'coarsePolicy':
          setOnce(ctx, result, 'coarse', this.coarsePolicy((element as C.CoarsePolicyCstNode).children, ctx, element), 'coarse', where, elementSpan);
          break;
      }
    }
    return result;
  }

  fixedPartition(c: C.FixedPartitionCstChildren, ctx: BuildContext): A.Ident | undefined {
    return ident(ctx, real(c.partition));
  }

  onlySources(c: C.OnlySourcesCstChildren, ctx: BuildContext): A.Ident[] | undefined {
    const list = c.nameList?.[0];
    const names = list === undefined ? [] : this.nameList(list.children, ctx);
    return names.length > 0 ? names : undefined;
  }

  labelMap(c: C.LabelMapCstChildren, ctx: BuildContext, node?: CstNode): A.LabelMap | undefined {
    const span = node && nodeSpan(ctx.file, node);
    if (span === undefined) return undefined;
    const entries: A.MapEntry[] = [];
    for (const e of c.mapEntry ?? []) {
      const entry = this.mapEntry(e.children, ctx, e);
      if (entry !== undefined) entries.push(entry);
    }
    return { kind: 'map', entries, span };
  }

  mapEntry(c: C.MapEntryCstChildren, ctx: BuildContext, node?: CstNode): A.MapEntry | undefined {
    const otherToken = real(c.other);
    const key: A.MapKey | undefined =
      stringLit(ctx, real(c.from)) ?? regexLit(ctx, real(c.pattern)) ?? (otherToken === undefined ? undefined : { kind: 'other', span: tokenSpan(ctx.file, otherToken) });
    const targetToken = real(c.target);
    const span = node && nodeSpan(ctx.file, node);
    if (key === undefined || targetToken === undefined || span === undefined) return undefined;
    if (tokenMatcher(targetToken, T.Drop)) return { kind: 'map-entry', key, drop: true, span };
    const target = ident(ctx, targetToken);
    return target && { kind: 'map-entry', key, target, drop: false, span };
  }

  aliasBlock(c: C.AliasBlockCstChildren, ctx: BuildContext, node?: CstNode): A.AliasBlock | undefined {
    const span = node && nodeSpan(ctx.file, node);
    if (span === undefined) return undefined;
    const entries: A.AliasEntry[] = [];
    for (const e of c.aliasEntry ?? []) {
      const entry = this.aliasEntry(e.children, ctx, e);
      if (entry !== undefined) entries.push(entry);
    }
    return { kind: 'alias', entries, span };
  }

  aliasEntry(c: C.AliasEntryCstChildren, ctx: BuildContext, node?: CstNode): A.AliasEntry | undefined {
    const from = stringLit(ctx, real(c.from));
    const to = ident(ctx, real(c.target));
    const span = node && nodeSpan(ctx.file, node);
    return from && to && span && { kind: 'alias-entry', from, to, span };
  }

  // ---- where

  whereOr(c: C.WhereOrCstChildren, ctx: BuildContext, node?: CstNode): A.WhereExpr | undefined {
    const terms = (c.whereAnd ?? []).map((t) => this.whereAnd(t.children, ctx, t)).filter((t): t is A.WhereExpr => t !== undefined);
    const span = node && nodeSpan(ctx.file, node);
    if (terms.length === 0 || span === undefined) return undefined;
    return terms.length === 1 ? terms[0] : { kind: 'where-or', terms, span };
  }

  whereAnd(c: C.WhereAndCstChildren, ctx: BuildContext, node?: CstNode): A.WhereExpr | undefined {
    const terms = (c.whereNot ?? []).map((t) => this.whereNot(t.children, ctx, t)).filter((t): t is A.WhereExpr => t !== undefined);
    const span = node && nodeSpan(ctx.file, node);
    if (terms.length === 0 || span === undefined) return undefined;
    return terms.length === 1 ? terms[0] : { kind: 'where-and', terms, span };
  }

  whereNot(c: C.WhereNotCstChildren, ctx: BuildContext, node?: CstNode): A.WhereExpr | undefined {
    const span = node && nodeSpan(ctx.file, node);
    const inner = c.whereNot?.[0];
    if (real(c.Not) !== undefined && inner !== undefined) {
      const term = this.whereNot(inner.children, ctx, inner);
      return term && span && { kind: 'where-not' as const, term, span };
    }
    const atom = c.whereAtom?.[0];
    return atom && this.whereAtom(atom.children, ctx, atom);
  }

  whereAtom(c: C.WhereAtomCstChildren, ctx: BuildContext, _node?: CstNode): A.WhereExpr | undefined {
    const group = c.whereOr?.[0];
    if (group !== undefined) return this.whereOr(group.children, ctx, group);
    const cmp = c.whereComparison?.[0];
    return cmp && this.whereComparison(cmp.children, ctx, cmp);
  }

  whereComparison(c: C.WhereComparisonCstChildren, ctx: BuildContext, node?: CstNode): A.WhereExpr | undefined {
    const span = node && nodeSpan(ctx.file, node);
    const columnToken = real(c.column);
    const op = real(c.op);
    if (span === undefined || columnToken === undefined || op === undefined) return undefined;
    const quoted = tokenMatcher(columnToken, T.StringLit);
    const column: A.WhereColumn = { name: quoted ? unquote(columnToken.image) : columnToken.image, quoted, span: tokenSpan(ctx.file, columnToken) };
    const values = (c.whereValue ?? []).map((v) => this.whereValue(v.children, ctx)).filter((v): v is A.StringLit => v !== undefined);
    if (tokenMatcher(op, T.Matches)) {
      const regex = regexLit(ctx, real(c.regex));
      return regex && { kind: 'where-matches', column, regex, span };
    }
    if (tokenMatcher(op, T.In)) return values.length === 0 ? undefined : { kind: 'where-in', column, values, span };
    const value = values[0];
    return value && { kind: 'where-compare', column, op: tokenMatcher(op, T.EqEq) ? '==' : '!=', value, span };
  }

  /** A string, or a number compared as written (`age == 65`). */
  whereValue(c: C.WhereValueCstChildren, ctx: BuildContext): A.StringLit | undefined {
    const token = real(c.value);
    if (token === undefined) return undefined;
    if (tokenMatcher(token, T.StringLit)) return stringLit(ctx, token);
    return { kind: 'string', value: token.image, span: tokenSpan(ctx.file, token) };
  }

  patientsSharedStmt(_c: C.PatientsSharedStmtCstChildren, ctx: BuildContext, node?: CstNode): A.PatientsSharedStmt | undefined {
    const span = node && nodeSpan(ctx.file, node);
    return span && { kind: 'patients-shared', span };
  }

  nameList(c: C.NameListCstChildren, ctx: BuildContext): A.Ident[] {
    return idents(ctx, c.item);
  }

  // ---- task and split

  taskStmt(c: C.TaskStmtCstChildren, ctx: BuildContext, node?: CstNode): A.TaskStmt | undefined {
    const classes = idents(ctx, c.class);
    const span = node && nodeSpan(ctx.file, node);
    if (span === undefined || classes.length === 0) return undefined;
    return { kind: 'task', classes, span };
  }

  splitStmt(c: C.SplitStmtCstChildren, ctx: BuildContext, node?: CstNode): A.SplitStmt | undefined {
    const span = node && nodeSpan(ctx.file, node);
    if (span === undefined) return undefined;
    if (c.Kfold !== undefined) {
      const k = numberLit(ctx, real(c.k));
      if (k === undefined) return undefined;
      const body = c.kfoldBody?.[0];
      const settings = body === undefined ? { stratified: false } : this.kfoldBody(body.children, ctx);
      return { kind: 'split', form: 'kfold', k, ...settings, span };
    }
    if (c.Holdout !== undefined) {
      const body = c.holdoutBody?.[0];
      const settings = body === undefined ? { stratified: false } : this.holdoutBody(body.children, ctx);
      return { kind: 'split', form: 'holdout', ...settings, span };
    }
    const body = c.partitionedBody?.[0];
    const settings = body === undefined ? {} : this.partitionedBody(body.children, ctx);
    if (c.LeaveSourceOut !== undefined) return { kind: 'split', form: 'leave_source_out', ...settings, span };
    if (c.Given !== undefined) return { kind: 'split', form: 'given', ...settings, span };
    return undefined;
  }

  kfoldBody(c: C.KfoldBodyCstChildren, ctx: BuildContext): Omit<Mutable<A.KfoldSplit>, 'kind' | 'form' | 'k' | 'span'> {
    const out: Omit<Mutable<A.KfoldSplit>, 'kind' | 'form' | 'k' | 'span'> = { stratified: false };
    const first = real(c.Stratified);
    if (first !== undefined) out.stratifiedSpan = tokenSpan(ctx.file, first);
    for (const token of realAll(c.Stratified)) out.stratified = flagOnce(ctx, out.stratified, 'stratified', 'this split', token);
    this.groupAndValidation(c, ctx, out);
    return out;
  }

  private groupAndValidation(
    c: { groupedBy?: C.GroupedByCstNode[]; validationSpec?: C.ValidationSpecCstNode[] },
    ctx: BuildContext,
    out: { groupedBy?: A.Ident; validation?: A.ValidationSpec },
  ): void {
    for (const g of c.groupedBy ?? []) setOnce(ctx, out, 'groupedBy', this.groupedBy(g.children, ctx), 'grouped by', 'this split', nodeSpan(ctx.file, g));
    for (const v of c.validationSpec ?? []) setOnce(ctx, out, 'validation', this.validationSpec(v.children, ctx, v), 'validation', 'this split', nodeSpan(ctx.file, v));
  }

  holdoutBody(c: C.HoldoutBodyCstChildren, ctx: BuildContext): Omit<Mutable<A.HoldoutSplit>, 'kind' | 'form' | 'span'> {
    const out: Omit<Mutable<A.HoldoutSplit>, 'kind' | 'form' | 'span'> = { stratified: false };
    let sawTest = false;
    for (const t of c.testSpec ?? []) {
      const test = this.testSpec(t.children, ctx);
      if (test === undefined) continue;
      if (sawTest) {
        duplicate(ctx, 'test', 'this split', nodeSpan(ctx.file, t));
        continue;
      }
      sawTest = true;
      if (test.sources !== undefined) out.testSources = test.sources;
      if (test.fraction !== undefined) out.testFraction = test.fraction;
      out.stratified = test.stratified;
    }
    this.groupAndValidation(c, ctx, out);
    return out;
  }

  partitionedBody(c: C.PartitionedBodyCstChildren, ctx: BuildContext): { groupedBy?: A.Ident; validation?: A.ValidationSpec } {
    const out: { groupedBy?: A.Ident; validation?: A.ValidationSpec } = {};
    this.groupAndValidation(c, ctx, out);
    return out;
  }

  testSpec(c: C.TestSpecCstChildren, ctx: BuildContext): { sources?: A.Ident[]; fraction?: A.NumberLit; stratified: boolean } | undefined {
    if (c.Sources !== undefined) {
      const list = c.nameList?.[0];
      const sources = list === undefined ? [] : this.nameList(list.children, ctx);
      return sources.length > 0 ? { sources, stratified: false } : undefined;
    }
    const fraction = numberLit(ctx, real(c.fraction));
    return fraction && { fraction, stratified: real(c.Stratified) !== undefined };
  }

  groupedBy(c: C.GroupedByCstChildren, ctx: BuildContext): A.Ident | undefined {
    return ident(ctx, real(c.key));
  }

  validationSpec(c: C.ValidationSpecCstChildren, ctx: BuildContext, node?: CstNode): A.ValidationSpec | undefined {
    const span = node && nodeSpan(ctx.file, node);
    if (span === undefined) return undefined;
    if (real(c.Test) !== undefined) return { kind: 'validation', stratified: false, fromTest: true, span };
    const fraction = numberLit(ctx, real(c.fraction));
    return fraction && { kind: 'validation', fraction, stratified: real(c.Stratified) !== undefined, fromTest: false, span };
  }

  // ---- image and augmentation

  imageStmt(c: C.ImageStmtCstChildren, ctx: BuildContext, node?: CstNode): A.ImageStmt | undefined {
    const span = node && nodeSpan(ctx.file, node);
    if (span === undefined) return undefined;
    const ref = ident(ctx, real(c.ref));
    if (ref !== undefined) return { kind: 'image', ref, span };
    const b = c.imageBlock?.[0];
    const block = b && this.imageBlock(b.children, ctx, b);
    return block && { kind: 'image', block, span };
  }

  imageBlock(blockChildren: C.ImageBlockCstChildren, ctx: BuildContext, node?: CstNode): A.ImageBlock | undefined {
    const b = mergeChildren<C.ImageSettingCstChildren>(blockChildren.imageSetting);
    const span = node && nodeSpan(ctx.file, node);
    if (span === undefined) return undefined;
    const block: Mutable<A.ImageBlock> = { kind: 'image-block', span };
    const where = 'this image block';
    const sizes = realAll(b.Size);
    const widths = realAll(b.width);
    const heights = realAll(b.height);
    sizes.forEach((size, i) => {
      const width = numberLit(ctx, widths[i]);
      const height = numberLit(ctx, heights[i]);
      if (width === undefined || height === undefined) return;
      if (block.width !== undefined) duplicate(ctx, 'size', where, tokenSpan(ctx.file, size));
      else Object.assign(block, { width, height });
    });
    realAll(b.resize).forEach((t, i) => setOnce(ctx, block, 'resize', ident(ctx, t), 'resize', where, keywordSpan(ctx, b.Resize, i, t)));
    realAll(b.channels).forEach((t, i) => setOnce(ctx, block, 'channels', numberLit(ctx, t), 'channels', where, keywordSpan(ctx, b.Channels, i, t)));
    realAll(b.normalize).forEach((t, i) => setOnce(ctx, block, 'normalize', ident(ctx, t), 'normalize', where, keywordSpan(ctx, b.Normalize, i, t)));
    return block;
  }

  augmentStmt(c: C.AugmentStmtCstChildren, ctx: BuildContext, node?: CstNode): A.AugmentStmt | undefined {
    const span = node && nodeSpan(ctx.file, node);
    if (span === undefined) return undefined;
    const ref = ident(ctx, real(c.ref));
    if (ref !== undefined) return { kind: 'augment', ref, span };
    const b = c.augmentBlock?.[0];
    const block = b && this.augmentBlock(b.children, ctx, b);
    return block && { kind: 'augment', block, span };
  }

  augmentBlock(c: C.AugmentBlockCstChildren, ctx: BuildContext, node?: CstNode): A.AugmentBlock | undefined {
    const span = node && nodeSpan(ctx.file, node);
    if (span === undefined) return undefined;
    const ops: A.AugmentOp[] = [];
    for (const o of c.augmentOp ?? []) {
      const op = this.augmentOp(o.children, ctx, o);
      if (op !== undefined) ops.push(op);
    }
    return { kind: 'augment-block', ops, span };
  }

  augmentOp(c: C.AugmentOpCstChildren, ctx: BuildContext, node?: CstNode): A.AugmentOp | undefined {
    const op = ident(ctx, real(c.op));
    const span = node && nodeSpan(ctx.file, node);
    if (op === undefined || span === undefined) return undefined;
    const axis = ident(ctx, real(c.axis));
    const amount = numberLit(ctx, real(c.amount));
    const p = numberLit(ctx, real(c.p));
    return {
      kind: 'augment-op',
      op,
      ...(axis === undefined ? {} : { axis }),
      ...(amount === undefined ? {} : { amount }),
      ...(p === undefined ? {} : { p }),
      span,
    };
  }

  // ---- models

  modelStmt(c: C.ModelStmtCstChildren, ctx: BuildContext, node?: CstNode): A.ModelStmt | undefined {
    const name = ident(ctx, real(c.name));
    const span = node && nodeSpan(ctx.file, node);
    if (name === undefined || span === undefined) return undefined;
    const o = c.modelOptions?.[0];
    return { kind: 'model', name, options: o === undefined ? [] : this.modelOptions(o.children, ctx), span };
  }

  compareModelsStmt(c: C.CompareModelsStmtCstChildren, ctx: BuildContext, node?: CstNode): A.CompareModelsStmt | undefined {
    const list = c.nameList?.[0];
    const models = list === undefined ? [] : this.nameList(list.children, ctx);
    const span = node && nodeSpan(ctx.file, node);
    if (models.length === 0 || span === undefined) return undefined;
    const o = c.modelOptions?.[0];
    return { kind: 'compare-models', models, options: o === undefined ? [] : this.modelOptions(o.children, ctx), span };
  }

  modelOptions(c: C.ModelOptionsCstChildren, ctx: BuildContext): A.ModelOption[] {
    const options: A.ModelOption[] = [];
    for (const o of c.modelOption ?? []) {
      const option = this.modelOption(o.children, ctx, o);
      if (option === undefined) continue;
      if (options.some((x) => x.key.name === option.key.name)) duplicate(ctx, option.key.name, 'these model options', option.span);
      else options.push(option);
    }
    return options;
  }

  modelOption(c: C.ModelOptionCstChildren, ctx: BuildContext, node?: CstNode): A.ModelOption | undefined {
    const key = ident(ctx, real(c.key));
    const map = c.pathMap?.[0];
    const value = ident(ctx, real(c.word)) ?? numberLit(ctx, real(c.number)) ?? stringLit(ctx, real(c.text)) ?? (map && this.pathMap(map.children, ctx, map));
    const span = node && nodeSpan(ctx.file, node);
    return key && value && span && { kind: 'model-option', key, value, span };
  }

  pathMap(c: C.PathMapCstChildren, ctx: BuildContext, node?: CstNode): A.PathMap | undefined {
    const span = node && nodeSpan(ctx.file, node);
    if (span === undefined) return undefined;
    const keys = c.branch ?? [];
    const paths = c.path ?? [];
    const entries: { key: A.Ident; path: A.StringLit }[] = [];
    keys.forEach((_, i) => {
      const key = ident(ctx, real(keys, i));
      const path = stringLit(ctx, real(paths, i));
      if (key === undefined || path === undefined) return;
      if (entries.some((e) => e.key.name === key.name)) duplicate(ctx, key.name, 'these weights', key.span);
      else entries.push({ key, path });
    });
    return { kind: 'path-map', entries, span };
  }

  // ---- training

  trainStmt(c: C.TrainStmtCstChildren, ctx: BuildContext, node?: CstNode): A.TrainStmt | undefined {
    const span = node && nodeSpan(ctx.file, node);
    if (span === undefined) return undefined;
    const ref = ident(ctx, real(c.ref));
    if (ref !== undefined) return { kind: 'train', ref, span };
    const b = c.trainBlock?.[0];
    const block = b && this.trainBlock(b.children, ctx, b);
    return block && { kind: 'train', block, span };
  }

  trainBlock(blockChildren: C.TrainBlockCstChildren, ctx: BuildContext, node?: CstNode): A.TrainBlock | undefined {
    const b = mergeChildren<C.TrainSettingCstChildren>(blockChildren.trainSetting);
    const span = node && nodeSpan(ctx.file, node);
    if (span === undefined) return undefined;
    const block: Mutable<A.TrainBlock> = { kind: 'train-block', span };
    const where = 'this train block';
    for (const o of b.optimizerSpec ?? []) setOnce(ctx, block, 'optimizer', this.optimizerSpec(o.children, ctx, o), 'optimizer', where, nodeSpan(ctx.file, o));
    realAll(b.loss).forEach((t, i) => setOnce(ctx, block, 'loss', ident(ctx, t), 'loss', where, keywordSpan(ctx, b.Loss, i, t)));
    for (const w of b.classWeightsSpec ?? []) setOnce(ctx, block, 'classWeights', this.classWeightsSpec(w.children, ctx, w), 'class_weights', where, nodeSpan(ctx.file, w));
    realAll(b.batch).forEach((t, i) => setOnce(ctx, block, 'batch', numberLit(ctx, t), 'batch', where, keywordSpan(ctx, b.Batch, i, t)));
    realAll(b.epochs).forEach((t, i) => setOnce(ctx, block, 'epochs', numberLit(ctx, t), 'epochs', where, keywordSpan(ctx, b.Epochs, i, t)));
    for (const r of b.reduceLrSpec ?? []) setOnce(ctx, block, 'reduceLr', this.reduceLrSpec(r.children, ctx, r), 'reduce_lr', where, nodeSpan(ctx.file, r));
    for (const e of b.earlyStopSpec ?? []) setOnce(ctx, block, 'earlyStop', this.earlyStopSpec(e.children, ctx, e), 'early_stop', where, nodeSpan(ctx.file, e));
    return block;
  }

  optimizerSpec(c: C.OptimizerSpecCstChildren, ctx: BuildContext, node?: CstNode): A.OptimizerSpec | undefined {
    const name = ident(ctx, real(c.name));
    const span = node && nodeSpan(ctx.file, node);
    return name && span && { kind: 'optimizer', name, params: this.namedNumbers(c.namedNumber, ctx, 'optimizer'), span };
  }

  private namedNumbers(nodes: readonly C.NamedNumberCstNode[] | undefined, ctx: BuildContext, where: string): A.NamedNumber[] {
    const params: A.NamedNumber[] = [];
    for (const n of nodes ?? []) {
      const param = this.namedNumber(n.children, ctx, n);
      if (param === undefined) continue;
      if (params.some((p) => p.key.name === param.key.name)) duplicate(ctx, param.key.name, `this ${where}`, param.span);
      else params.push(param);
    }
    return params;
  }

  namedNumber(c: C.NamedNumberCstChildren, ctx: BuildContext, node?: CstNode): A.NamedNumber | undefined {
    const key = ident(ctx, real(c.key));
    const value = numberLit(ctx, real(c.value));
    const span = node && nodeSpan(ctx.file, node);
    return key && value && span && { kind: 'named-number', key, value, span };
  }

  classWeightsSpec(c: C.ClassWeightsSpecCstChildren, ctx: BuildContext, node?: CstNode): A.ClassWeightsSpec | undefined {
    const span = node && nodeSpan(ctx.file, node);
    if (span === undefined) return undefined;
    const mode = ident(ctx, real(c.mode));
    if (mode !== undefined) return { kind: 'class-weights', mode, span };
    const explicit: A.ClassWeight[] = [];
    for (const w of c.classWeight ?? []) {
      const weight = this.classWeight(w.children, ctx, w);
      if (weight === undefined) continue;
      if (explicit.some((x) => x.className.name === weight.className.name)) duplicate(ctx, weight.className.name, 'these class weights', weight.span);
      else explicit.push(weight);
    }
    return { kind: 'class-weights', explicit, span };
  }

  classWeight(c: C.ClassWeightCstChildren, ctx: BuildContext, node?: CstNode): A.ClassWeight | undefined {
    const className = ident(ctx, real(c.className));
    const weight = numberLit(ctx, real(c.weight));
    const span = node && nodeSpan(ctx.file, node);
    return className && weight && span && { kind: 'class-weight', className, weight, span };
  }

  reduceLrSpec(c: C.ReduceLrSpecCstChildren, ctx: BuildContext, node?: CstNode): A.ReduceLrSpec | undefined {
    const metric = ident(ctx, real(c.metric));
    const span = node && nodeSpan(ctx.file, node);
    return metric && span && { kind: 'reduce-lr', metric, params: this.namedNumbers(c.namedNumber, ctx, 'reduce_lr'), span };
  }

  earlyStopSpec(c: C.EarlyStopSpecCstChildren, ctx: BuildContext, node?: CstNode): A.EarlyStopSpec | undefined {
    const metric = ident(ctx, real(c.metric));
    const span = node && nodeSpan(ctx.file, node);
    if (metric === undefined || span === undefined) return undefined;
    let restoreBest = false;
    for (const t of realAll(c.RestoreBest)) restoreBest = flagOnce(ctx, restoreBest, 'restore_best', 'this early_stop', t);
    return { kind: 'early-stop', metric, params: this.namedNumbers(c.namedNumber, ctx, 'early_stop'), restoreBest, span };
  }

  // ---- evaluation and engine

  evaluateStmt(c: C.EvaluateStmtCstChildren, ctx: BuildContext, node?: CstNode): A.EvaluateStmt | undefined {
    const span = node && nodeSpan(ctx.file, node);
    if (span === undefined) return undefined;
    const ref = ident(ctx, real(c.ref));
    if (ref !== undefined) return { kind: 'evaluate', ref, span };
    const b = c.evaluateBlock?.[0];
    const block = b && this.evaluateBlock(b.children, ctx, b);
    return block && { kind: 'evaluate', block, span };
  }

  evaluateBlock(blockChildren: C.EvaluateBlockCstChildren, ctx: BuildContext, node?: CstNode): A.EvaluateBlock | undefined {
    const b = mergeChildren<C.EvaluateSettingCstChildren>(blockChildren.evaluateSetting);
    const span = node && nodeSpan(ctx.file, node);
    if (span === undefined) return undefined;
    const block: Mutable<A.EvaluateBlock> = { kind: 'evaluate-block', confusion: false, bySource: false, span };
    const where = 'this evaluate block';
    const metricTokens = realAll(b.Metrics);
    (b.nameList ?? []).forEach((list, i) => {
      const metrics = this.nameList(list.children, ctx);
      const at = metricTokens[i];
      setOnce(ctx, block, 'metrics', metrics.length > 0 ? metrics : undefined, 'metrics', where, at && tokenSpan(ctx.file, at));
    });
    for (const t of realAll(b.Confusion)) block.confusion = flagOnce(ctx, block.confusion, 'confusion', where, t);
    for (const t of realAll(b.BySource)) block.bySource = flagOnce(ctx, block.bySource, 'by_source', where, t);
    const confusion = real(b.Confusion);
    if (confusion !== undefined) block.confusionSpan = tokenSpan(ctx.file, confusion);
    const bySource = real(b.BySource);
    if (bySource !== undefined) block.bySourceSpan = tokenSpan(ctx.file, bySource);
    realAll(b.bootstrap).forEach((t, i) => setOnce(ctx, block, 'bootstrap', numberLit(ctx, t), 'bootstrap', where, keywordSpan(ctx, b.Bootstrap, i, t)));
    for (const g of b.gradcamSpec ?? []) setOnce(ctx, block, 'gradcam', this.gradcamSpec(g.children, ctx, g), 'gradcam', where, nodeSpan(ctx.file, g));
    return block;
  }

  gradcamSpec(c: C.GradcamSpecCstChildren, ctx: BuildContext, node?: CstNode): A.GradcamSpec | undefined {
    const className = ident(ctx, real(c.className));
    const span = node && nodeSpan(ctx.file, node);
    if (className === undefined || span === undefined) return undefined;
    const spec: Mutable<A.GradcamSpec> = { kind: 'gradcam', className, span };
    realAll(c.top).forEach((t, i) => setOnce(ctx, spec, 'top', numberLit(ctx, t), 'top', 'this gradcam', keywordSpan(ctx, c.Top, i, t)));
    realAll(c.threshold).forEach((t, i) => setOnce(ctx, spec, 'threshold', numberLit(ctx, t), 'threshold', 'this gradcam', keywordSpan(ctx, c.Threshold, i, t)));
    return spec;
  }

  // ---- image-level evidence

  probesStmt(c: C.ProbesStmtCstChildren, ctx: BuildContext, node?: CstNode): A.ProbesStmt | undefined {
    const span = node && nodeSpan(ctx.file, node);
    if (span === undefined) return undefined;
    const probes: A.ProbeDecl[] = [];
    for (const d of c.probeDecl ?? []) {
      const probe = this.probeDecl(d.children, ctx, d);
      if (probe === undefined) continue;
      if (probes.some((p) => p.name.name === probe.name.name)) duplicate(ctx, probe.name.name, 'this probes block', probe.span);
      else probes.push(probe);
    }
    return { kind: 'probes', probes, span };
  }

  probeDecl(c: C.ProbeDeclCstChildren, ctx: BuildContext, node?: CstNode): A.ProbeDecl | undefined {
    const name = ident(ctx, real(c.probe));
    const span = node && nodeSpan(ctx.file, node);
    if (name === undefined || span === undefined) return undefined;
    const probe: Mutable<A.ProbeDecl> = { kind: 'probe', name, settings: [], braces: real(c.LCurly) !== undefined, span };
    const settings: A.ProbeSetting[] = [];
    for (const s of c.probeSetting ?? []) {
      const sc = s.children;
      const at = nodeSpan(ctx.file, s);
      if (at === undefined) continue;
      const model = ident(ctx, real(sc.model));
      if (model !== undefined) {
        const o = sc.modelOptions?.[0];
        const stmt: A.ModelStmt = { kind: 'model', name: model, options: o === undefined ? [] : this.modelOptions(o.children, ctx), span: at };
        setOnce(ctx, probe, 'model', stmt, 'model', `this ${name.name}`, at);
        continue;
      }
      const key = ident(ctx, real(sc.key));
      const value = ident(ctx, real(sc.word)) ?? numberLit(ctx, real(sc.number)) ?? stringLit(ctx, real(sc.text));
      if (key === undefined || value === undefined) continue;
      const more = realAll(sc.more).flatMap((t) => numberLit(ctx, t) ?? []);
      // `lung_field { ellipse … ellipse … }`: one entry per ellipse; every other key once.
      const repeatable = name.name === 'lung_field' && key.name === 'ellipse';
      if (!repeatable && settings.some((x) => x.key.name === key.name)) duplicate(ctx, key.name, `this ${name.name}`, at);
      else settings.push({ kind: 'probe-setting', key, value, ...(more.length > 0 && { more }), span: at });
    }
    probe.settings = settings;
    return probe;
  }

  dedupeStmt(c: C.DedupeStmtCstChildren, ctx: BuildContext, node?: CstNode): A.DedupeStmt | undefined {
    const method = ident(ctx, real(c.method));
    const span = node && nodeSpan(ctx.file, node);
    if (method === undefined || span === undefined) return undefined;
    const settings: A.DedupeSetting[] = [];
    for (const s of c.dedupeSetting ?? []) {
      const at = nodeSpan(ctx.file, s);
      const key = ident(ctx, real(s.children.key));
      const value = ident(ctx, real(s.children.word)) ?? numberLit(ctx, real(s.children.number));
      if (at === undefined || key === undefined || value === undefined) continue;
      if (settings.some((x) => x.key.name === key.name)) duplicate(ctx, key.name, 'this dedupe block', at);
      else settings.push({ kind: 'dedupe-setting', key, value, span: at });
    }
    return { kind: 'dedupe', method, settings, span };
  }

  /** Read inside `dedupeStmt`. */
  dedupeSetting(): undefined {
    return undefined;
  }

  /** Read inside `probeDecl` (it needs the probe's name for its messages). */
  probeSetting(): undefined {
    return undefined;
  }

  // ---- where the nodes run

  executorStmt(c: C.ExecutorStmtCstChildren, ctx: BuildContext, node?: CstNode): A.ExecutorStmt | undefined {
    const name = ident(ctx, real(c.name));
    const span = node && nodeSpan(ctx.file, node);
    if (name === undefined || span === undefined) return undefined;
    const settings: A.ExecutorSetting[] = [];
    for (const s of c.executorSetting ?? []) {
      const setting = this.executorSetting(s.children, ctx, s);
      if (setting === undefined) continue;
      if (settings.some((x) => x.key.name === setting.key.name)) duplicate(ctx, setting.key.name, `this executor ${name.name}`, setting.span);
      else settings.push(setting);
    }
    return { kind: 'executor', name, settings, span };
  }

  executorSetting(c: C.ExecutorSettingCstChildren, ctx: BuildContext, node?: CstNode): A.ExecutorSetting | undefined {
    const key = ident(ctx, real(c.key));
    const span = node && nodeSpan(ctx.file, node);
    if (key === undefined || span === undefined) return undefined;
    const text = stringLit(ctx, real(c.text));
    if (text !== undefined) return { kind: 'executor-setting', key, value: { kind: 'executor-value', text: text.value, quoted: true, span: text.span }, span };
    const word = ident(ctx, real(c.word));
    if (word !== undefined) return { kind: 'executor-setting', key, value: { kind: 'executor-value', text: word.name, quoted: false, span: word.span }, span };
    const number = real(c.number);
    if (number === undefined) return undefined;
    // `4h`, `32G`: the number and the unit written against it are one value.
    const unit = real(c.unit);
    const last = unit ?? number;
    const value = { kind: 'executor-value' as const, text: number.image + (unit?.image ?? ''), quoted: false, span: joinSpans(tokenSpan(ctx.file, number), tokenSpan(ctx.file, last)) };
    return { kind: 'executor-setting', key, value, span };
  }

  engineStmt(c: C.EngineStmtCstChildren, ctx: BuildContext, node?: CstNode): A.EngineStmt | undefined {
    const name = ident(ctx, real(c.name));
    const span = node && nodeSpan(ctx.file, node);
    return name && span && { kind: 'engine', name, span };
  }
}
