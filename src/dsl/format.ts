/**
 * `formatCvr`: the canonical text of a `.cvr` file. One statement a line, two-space indent, the
 * settings of a block in one fixed order (the AST does not keep theirs), the statements of a
 * pipeline and the entries of lists in source order (that order means something).
 *
 * The AST is first turned into a tree of `Unit`s, one printed line each (plus a closing `}` for
 * blocks). Comments are then attached to units by source position: a comment with code before
 * it on its line trails the last unit that starts before it; a comment on its own line leads the
 * next unit, or, when that unit lies outside the innermost block around the comment, stays at
 * the end of that block. Printing the result and attaching again gives the same placement, so
 * formatting is idempotent.
 */
import type * as A from './ast.ts';
import type { Span } from '../diag/index.ts';

interface Unit {
  /** The line's text, without indent; a block's text is followed by ` {`. */
  readonly text: string;
  /** Where the unit came from, for attaching comments; absent for units that have no span of their own. */
  readonly span?: Span;
  /** Present for blocks (possibly empty). */
  readonly children?: readonly Unit[];
  /** Blocks whose children are separated by blank lines when multi-line (the file, pipelines). */
  readonly spaced?: boolean;
  /** A short block of one-line entries that may print on one line: `map { "a" -> X, "b" -> Y }`. */
  readonly inline?: boolean;
}

/** An inline block holds at most this many entries and fits in this many columns. */
const INLINE_MAX_ENTRIES = 3;
const INLINE_MAX_WIDTH = 100;

interface Attached {
  leading: string[];
  trailing: string[];
  dangling: string[];
}

const INDENT = '  ';

export function formatCvr(file: A.CvrFile): string {
  const root = fileUnit(file);
  const attached = attachComments(root, file.comments);
  const lines: string[] = [];
  printChildren(root, '', attached, lines);
  while (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  return lines.length === 0 ? '' : lines.join('\n') + '\n';
}

// ---------------------------------------------------------------------------------------------
// Leaves

/** Map keys as text: how diagnostics and `cvr fmt` write them (`"No Finding"`, `/^Pneumonia\/Viral/`, `other`). */
export function mapKeyText(key: A.MapKey): string {
  if (key.kind === 'string') return quoteString(key.value);
  if (key.kind === 'regex') return regexLiteral(key.pattern) + (key.flags ?? '');
  return 'other';
}

export function quoteString(value: string): string {
  return `"${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

/** A regex literal: every `/` of the pattern not already escaped is written `\/`. */
export function regexLiteral(pattern: string): string {
  let out = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i] ?? '';
    if (c === '\\' && i + 1 < pattern.length) {
      out += c + (pattern[i + 1] ?? '');
      i++;
    } else if (c === '/') out += '\\/';
    else out += c;
  }
  return `/${out}/`;
}

const str = (s: A.StringLit): string => quoteString(s.value);
const num = (n: A.NumberLit): string => n.raw;
const names = (list: readonly A.Ident[]): string => list.map((i) => i.name).join(', ');

function leaf(text: string, span: Span | undefined): Unit {
  return span === undefined ? { text } : { text, span };
}

function block(text: string, span: Span | undefined, children: readonly Unit[]): Unit {
  return span === undefined ? { text, children } : { text, span, children };
}

// ---------------------------------------------------------------------------------------------
// AST → units

function fileUnit(file: A.CvrFile): Unit {
  const imports = file.imports.map((i) => leaf(`import ${str(i.path)}`, i.span));
  const items = file.items.map(topLevelUnit);
  return { text: '', children: [...imports, ...items], spaced: true };
}

function topLevelUnit(item: A.TopLevelItem): Unit {
  switch (item.kind) {
    case 'pipeline': {
      const head = `pipeline ${item.name.name}${item.extends === undefined ? '' : ` extends ${item.extends.name}`}`;
      return { text: head, span: item.span, children: item.statements.map(statementUnit), spaced: true };
    }
    case 'source':
      return sourceUnit(item);
    case 'named-block':
      return namedBlockUnit(item);
  }
}

function namedBlockUnit(item: A.TopLevelItem & { kind: 'named-block' }): Unit {
  const b = item.block;
  const name = item.name.name;
  switch (b.kind) {
    case 'classes-block': return block(`classes ${name}`, item.span, classDeclUnits(b));
    case 'image-block': return block(`image ${name}`, item.span, imageUnits(b));
    case 'augment-block': return block(`augment ${name}`, item.span, augmentUnits(b));
    case 'train-block': return block(`train ${name}`, item.span, trainUnits(b));
    case 'evaluate-block': return block(`evaluate ${name}`, item.span, evaluateUnits(b));
  }
}

function statementUnit(s: A.Statement): Unit {
  switch (s.kind) {
    case 'title': return leaf(`title ${str(s.text)}`, s.span);
    case 'description': return leaf(`description ${str(s.text)}`, s.span);
    case 'seed': return leaf(`seed ${num(s.value)}`, s.span);
    case 'classes':
      return s.block === undefined ? leaf(`classes ${s.ref?.name ?? ''}`, s.span) : block('classes', s.span, classDeclUnits(s.block));
    case 'source': return sourceUnit(s);
    case 'sources-from-manifest': return sourcesFromManifestUnit(s);
    case 'task': return leaf(`task ${s.classes.map((c) => c.name).join(' vs ')}`, s.span);
    case 'split': return splitUnit(s);
    case 'image':
      return s.block === undefined ? leaf(`image ${s.ref?.name ?? ''}`, s.span) : block('image', s.span, imageUnits(s.block));
    case 'augment':
      return s.block === undefined ? leaf(`augment ${s.ref?.name ?? ''}`, s.span) : block('augment', s.span, augmentUnits(s.block));
    case 'model': return optionsUnit(`model ${s.name.name}`, s.span, s.options);
    case 'compare-models': return optionsUnit(`compare models ${names(s.models)}`, s.span, s.options);
    case 'train':
      return s.block === undefined ? leaf(`train ${s.ref?.name ?? ''}`, s.span) : block('train', s.span, trainUnits(s.block));
    case 'evaluate':
      return s.block === undefined ? leaf(`evaluate ${s.ref?.name ?? ''}`, s.span) : block('evaluate', s.span, evaluateUnits(s.block));
    case 'engine': return leaf(`engine ${s.name.name}`, s.span);
    case 'patients-shared': return leaf('patients shared across sources', s.span);
    case 'probes': return block('probes', s.span, s.probes.map(probeUnit));
    case 'executor':
      return block(`executor ${s.name.name}`, s.span, s.settings.map((x) => leaf(`${x.key.name} ${x.value.quoted ? quoteString(x.value.text) : x.value.text}`, x.span)));
    case 'dedupe':
      return s.settings.length === 0 ? leaf(`dedupe ${s.method.name}`, s.span) : block(`dedupe ${s.method.name}`, s.span, s.settings.map((o) => leaf(`${o.key.name} ${optionValue(o.value)}`, o.span)));
  }
}

function classDeclUnits(b: A.ClassesBlock): Unit[] {
  return b.classes.map((c) => {
    const members = c.members === undefined ? '' : ` = ${c.members.map((m) => m.name).join(' | ')}`;
    const description = c.description === undefined ? '' : ` ${str(c.description)}`;
    return leaf(`${c.name.name}${members}${description}`, c.span);
  });
}

function sourceUnit(s: A.SourceDecl): Unit {
  const head = `source ${s.name.name}`;
  if (s.isReference) return leaf(head, s.span);
  if (s.drop) return leaf(`${head} { drop }`, s.span);
  const children: Unit[] = [];
  if (s.location?.kind === 'folder') children.push(leaf(`folder ${str(s.location.path)}`, s.location.span));
  if (s.location?.kind === 'manifest') {
    const fields = manifestFieldUnits(s.location.fields);
    const text = `manifest ${str(s.location.path)}`;
    children.push(fields.length === 0 ? leaf(text, s.location.span) : block(text, s.location.span, fields));
  }
  if (s.labelsFromPath !== undefined) children.push(leaf(`labels from path ${regexLiteral(s.labelsFromPath.pattern)}${s.labelsFromPath.flags ?? ''}`, s.labelsFromPath.span));
  if (s.patientsFromPath !== undefined) children.push(leaf(`patients from path ${regexLiteral(s.patientsFromPath.pattern)}${s.patientsFromPath.flags ?? ''}`, s.patientsFromPath.span));
  if (s.map !== undefined) children.push(mapUnit(s.map));
  if (s.coarse !== undefined) children.push(leaf(`coarse ${s.coarse.action}`, s.coarse.span));
  return block(head, s.span, children);
}

function manifestFieldUnits(f: A.ManifestFields): Unit[] {
  const out: Unit[] = [];
  if (f.columns !== undefined && f.columns.length > 0) out.push(leaf(`columns ${f.columns.map((c) => c.name).join(' ')}`, f.columns[0]?.span));
  const field = (key: string, value: A.StringLit | undefined): void => {
    if (value !== undefined) out.push(leaf(`${key} ${str(value)}`, value.span));
  };
  field('image', f.image);
  if (f.label !== undefined) out.push(leaf(`label ${str(f.label)}${f.labelSplit === undefined ? '' : ` split ${str(f.labelSplit)}`}`, f.label.span));
  field('patient', f.patient);
  field('source', f.source);
  field('partition', f.partitionColumn);
  if (f.delimiter !== undefined) out.push(leaf(`delimiter ${f.delimiter.name}`, f.delimiter.span));
  if (f.encoding !== undefined) out.push(leaf(`encoding ${f.encoding.name}`, f.encoding.span));
  field('root', f.root);
  if (f.where !== undefined) out.push(leaf(`where ${whereText(f.where)}`, f.where.span));
  return out;
}

/** A `where` expression with the fewest parentheses its precedence needs (or < and < not). */
export function whereText(e: A.WhereExpr): string {
  const column = (c: A.WhereColumn): string => (c.quoted ? quoteString(c.name) : c.name);
  const inner = (t: A.WhereExpr, parent: 'or' | 'and' | 'not'): string => {
    const text = whereText(t);
    const needs = (t.kind === 'where-or' && parent !== 'or') || (t.kind === 'where-and' && parent === 'not');
    return needs ? `(${text})` : text;
  };
  switch (e.kind) {
    case 'where-or': return e.terms.map((t) => inner(t, 'or')).join(' or ');
    case 'where-and': return e.terms.map((t) => inner(t, 'and')).join(' and ');
    case 'where-not': return `not ${inner(e.term, 'not')}`;
    case 'where-compare': return `${column(e.column)} ${e.op} ${quoteString(e.value.value)}`;
    case 'where-in': return `${column(e.column)} in (${e.values.map((v) => quoteString(v.value)).join(', ')})`;
    case 'where-matches': return `${column(e.column)} matches ${regexLiteral(e.regex.pattern)}${e.regex.flags ?? ''}`;
  }
}

function sourcesFromManifestUnit(s: A.SourcesFromManifest): Unit {
  const children = manifestFieldUnits(s.fields);
  if (s.alias !== undefined) {
    const entries = s.alias.entries.map((e) => leaf(`${str(e.from)} -> ${e.to.name}`, e.span));
    children.push({ text: 'alias', span: s.alias.span, children: entries, inline: true });
  }
  if (s.partition !== undefined) {
    const partition = leaf(`partition ${s.partition.name}`, s.partition.span);
    // Right after a `columns` list, `partition NAME` could read as two more columns: then it goes first.
    if (children[children.length - 1]?.text.startsWith('columns ') === true) children.unshift(partition);
    else children.push(partition);
  }
  if (s.only !== undefined && s.only.length > 0) children.push(leaf(`only ${names(s.only)}`, s.only[0]?.span));
  if (s.map !== undefined) children.push(mapUnit(s.map));
  if (s.coarse !== undefined) children.push(leaf(`coarse ${s.coarse.action}`, s.coarse.span));
  return block(`sources from manifest ${str(s.path)}`, s.span, children);
}

function mapUnit(m: A.LabelMap): Unit {
  // Entries keep their written order: regex keys are tried in it, so reordering changes meaning.
  const entries = m.entries.map((e) => leaf(`${mapKeyText(e.key)} -> ${e.drop || e.target === undefined ? 'drop' : e.target.name}`, e.span));
  return { text: 'map', span: m.span, children: entries, inline: true };
}

function splitUnit(s: A.SplitStmt): Unit {
  const children: Unit[] = [];
  let head = `split ${s.form}`;
  if (s.form === 'kfold') {
    head += ` ${num(s.k)}`;
    if (s.stratified) children.push(leaf('stratified', s.stratifiedSpan));
  }
  if (s.form === 'holdout') {
    if (s.testSources !== undefined && s.testSources.length > 0) children.push(leaf(`test sources ${names(s.testSources)}`, s.testSources[0]?.span));
    else if (s.testFraction !== undefined) children.push(leaf(`test ${num(s.testFraction)}${s.stratified ? ' stratified' : ''}`, s.testFraction.span));
  }
  if (s.groupedBy !== undefined) children.push(leaf(`grouped by ${s.groupedBy.name}`, s.groupedBy.span));
  const v = s.validation;
  if (v !== undefined) {
    if (v.fromTest) children.push(leaf('validation test', v.span));
    else if (v.fraction !== undefined) children.push(leaf(`validation ${num(v.fraction)}${v.stratified ? ' stratified' : ''}`, v.span));
  }
  return children.length === 0 ? leaf(head, s.span) : block(head, s.span, children);
}

function imageUnits(b: A.ImageBlock): Unit[] {
  const out: Unit[] = [];
  if (b.width !== undefined && b.height !== undefined) out.push(leaf(`size ${num(b.width)} x ${num(b.height)}`, b.width.span));
  if (b.resize !== undefined) out.push(leaf(`resize ${b.resize.name}`, b.resize.span));
  if (b.channels !== undefined) out.push(leaf(`channels ${num(b.channels)}`, b.channels.span));
  if (b.normalize !== undefined) out.push(leaf(`normalize ${b.normalize.name}`, b.normalize.span));
  return out;
}

function augmentUnits(b: A.AugmentBlock): Unit[] {
  return b.ops.map((o) => {
    const parts = [o.op.name];
    if (o.axis !== undefined) parts.push(o.axis.name);
    if (o.amount !== undefined) parts.push(num(o.amount));
    if (o.p !== undefined) parts.push(`p ${num(o.p)}`);
    return leaf(parts.join(' '), o.span);
  });
}

function optionsUnit(head: string, span: Span, options: readonly A.ModelOption[]): Unit {
  if (options.length === 0) return leaf(head, span);
  return block(
    head,
    span,
    options.map((o) => leaf(`${o.key.name} ${optionValue(o.value)}`, o.span)),
  );
}

function probeUnit(p: A.ProbeDecl): Unit {
  const settings: Unit[] = [];
  if (p.model !== undefined) settings.push(optionsUnit(`model ${p.model.name.name}`, p.model.span, p.model.options));
  for (const s of p.settings) settings.push(leaf([s.key.name, optionValue(s.value), ...(s.more ?? []).map(num)].join(' '), s.span));
  return p.braces || settings.length > 0 ? block(p.name.name, p.span, settings) : leaf(p.name.name, p.span);
}

function optionValue(v: A.ModelOption['value']): string {
  switch (v.kind) {
    case 'ident': return v.name;
    case 'number': return num(v);
    case 'string': return str(v);
    case 'path-map': return `{ ${v.entries.map((e) => `${e.key.name} ${str(e.path)}`).join('  ')} }`;
  }
}

function namedNumbers(params: readonly A.NamedNumber[]): string {
  return params.map((p) => ` ${p.key.name} ${num(p.value)}`).join('');
}

function trainUnits(b: A.TrainBlock): Unit[] {
  const out: Unit[] = [];
  if (b.optimizer !== undefined) out.push(leaf(`optimizer ${b.optimizer.name.name}${namedNumbers(b.optimizer.params)}`, b.optimizer.span));
  if (b.loss !== undefined) out.push(leaf(`loss ${b.loss.name}`, b.loss.span));
  const w = b.classWeights;
  if (w !== undefined) {
    if (w.mode !== undefined) out.push(leaf(`class_weights ${w.mode.name}`, w.span));
    else out.push(block('class_weights', w.span, (w.explicit ?? []).map((x) => leaf(`${x.className.name} ${num(x.weight)}`, x.span))));
  }
  if (b.batch !== undefined) out.push(leaf(`batch ${num(b.batch)}`, b.batch.span));
  if (b.epochs !== undefined) out.push(leaf(`epochs ${num(b.epochs)}`, b.epochs.span));
  if (b.reduceLr !== undefined) out.push(leaf(`reduce_lr on ${b.reduceLr.metric.name}${namedNumbers(b.reduceLr.params)}`, b.reduceLr.span));
  if (b.earlyStop !== undefined) {
    const e = b.earlyStop;
    out.push(leaf(`early_stop on ${e.metric.name}${namedNumbers(e.params)}${e.restoreBest ? ' restore_best' : ''}`, e.span));
  }
  return out;
}

function evaluateUnits(b: A.EvaluateBlock): Unit[] {
  const out: Unit[] = [];
  if (b.metrics !== undefined && b.metrics.length > 0) out.push(leaf(`metrics ${names(b.metrics)}`, b.metrics[0]?.span));
  if (b.confusion) out.push(leaf('confusion', b.confusionSpan));
  if (b.bySource) out.push(leaf('by_source', b.bySourceSpan));
  if (b.bootstrap !== undefined) out.push(leaf(`bootstrap ${num(b.bootstrap)}`, b.bootstrap.span));
  const g = b.gradcam;
  if (g !== undefined) {
    const top = g.top === undefined ? '' : ` top ${num(g.top)}`;
    const threshold = g.threshold === undefined ? '' : ` threshold ${num(g.threshold)}`;
    out.push(leaf(`gradcam ${g.className.name}${top}${threshold}`, g.span));
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Comments

function attachComments(root: Unit, comments: readonly A.Comment[]): Map<Unit, Attached> {
  const attached = new Map<Unit, Attached>();
  const slot = (u: Unit): Attached => {
    let a = attached.get(u);
    if (a === undefined) {
      a = { leading: [], trailing: [], dangling: [] };
      attached.set(u, a);
    }
    return a;
  };
  // Every unit with a span, in start order, and each one's innermost enclosing block.
  const placed: { unit: Unit; start: number; parent: Unit }[] = [];
  const walk = (u: Unit): void => {
    for (const child of u.children ?? []) {
      if (child.span !== undefined) placed.push({ unit: child, start: child.span.start, parent: u });
      walk(child);
    }
  };
  walk(root);
  placed.sort((a, b) => a.start - b.start);

  const blockAround = (offset: number): Unit => {
    let best = root;
    let bestSize = Number.POSITIVE_INFINITY;
    for (const { unit } of placed) {
      const span = unit.span;
      if (unit.children === undefined || span === undefined) continue;
      if (span.start < offset && offset < span.end && span.end - span.start < bestSize) {
        best = unit;
        bestSize = span.end - span.start;
      }
    }
    return best;
  };
  const inside = (u: Unit, container: Unit): boolean => {
    if (container === root) return true;
    const c = container.span;
    const s = u.span;
    return c !== undefined && s !== undefined && s.start > c.start && s.start < c.end;
  };

  for (const comment of [...comments].sort((a, b) => a.span.start - b.span.start)) {
    const text = `#${comment.text.trimEnd()}`;
    const at = comment.span.start;
    if (comment.trailing === true) {
      const before = placed.filter((p) => p.start < at).pop();
      if (before !== undefined) {
        slot(before.unit).trailing.push(text);
        continue;
      }
    }
    const next = placed.find((p) => p.start > at);
    const container = blockAround(at);
    if (next !== undefined && inside(next.unit, container)) slot(next.unit).leading.push(text);
    else slot(container).dangling.push(text);
  }
  return attached;
}

// ---------------------------------------------------------------------------------------------
// Printing

type Layout = 'line' | 'empty-block' | 'inline-block' | 'block';

/** How a unit prints: one line (a leaf, `x { }`, or an inline block) or a multi-line block. */
function layoutOf(u: Unit, indent: string, attached: Map<Unit, Attached>): Layout {
  if (u.children === undefined) return 'line';
  const a = attached.get(u);
  const extraComments = (a?.dangling.length ?? 0) > 0 || (a?.trailing.length ?? 0) > 1;
  if (u.children.length === 0 && !extraComments) return 'empty-block';
  const oneLine = inlineText(u, attached);
  if (oneLine !== undefined && indent.length + oneLine.length <= INLINE_MAX_WIDTH) return 'inline-block';
  return 'block';
}

function isMultiLine(u: Unit, indent: string, attached: Map<Unit, Attached>): boolean {
  return layoutOf(u, indent, attached) === 'block';
}

function printUnit(u: Unit, indent: string, attached: Map<Unit, Attached>, lines: string[]): void {
  const a = attached.get(u);
  for (const c of a?.leading ?? []) lines.push(indent + c);
  const [firstTrailing, ...moreTrailing] = a?.trailing ?? [];
  const trail = firstTrailing === undefined ? '' : `  ${firstTrailing}`;
  const layout = layoutOf(u, indent, attached);
  if (layout === 'line') {
    lines.push(indent + u.text + trail);
    for (const c of moreTrailing) lines.push(indent + c);
    return;
  }
  if (layout === 'empty-block') {
    lines.push(`${indent}${u.text} { }${trail}`);
    return;
  }
  if (layout === 'inline-block') {
    lines.push(indent + (inlineText(u, attached) ?? u.text));
    return;
  }
  lines.push(`${indent}${u.text} {${trail}`);
  // Further comments that trailed the header go first inside the block, where they lead the
  // first child (or stay dangling) when formatted again.
  for (const c of moreTrailing) lines.push(indent + INDENT + c);
  printChildren(u, indent + INDENT, attached, lines);
  lines.push(`${indent}}`);
}

/**
 * The one-line form of an inline block, when nothing forbids it: a comment on an entry, inside
 * the block, or trailing it would attach elsewhere once printed on one line.
 */
function inlineText(u: Unit, attached: Map<Unit, Attached>): string | undefined {
  const children = u.children ?? [];
  if (u.inline !== true || children.length > INLINE_MAX_ENTRIES) return undefined;
  const own = attached.get(u);
  if (own !== undefined && (own.trailing.length > 0 || own.dangling.length > 0)) return undefined;
  for (const child of children) {
    if (child.children !== undefined || attached.has(child)) return undefined;
  }
  return `${u.text} { ${children.map((c) => c.text).join(', ')} }`;
}

function printChildren(u: Unit, indent: string, attached: Map<Unit, Attached>, lines: string[]): void {
  const children = u.children ?? [];
  children.forEach((child, i) => {
    const previous = children[i - 1];
    if (previous !== undefined && u.spaced === true && needsBlankLine(u, previous, child, indent, attached)) lines.push('');
    printUnit(child, indent, attached, lines);
  });
  const dangling = attached.get(u)?.dangling ?? [];
  if (dangling.length > 0 && u.text === '' && children.length > 0) lines.push('');
  for (const c of dangling) lines.push(indent + c);
}

/**
 * At the top of the file every item is set apart by a blank line, except consecutive imports;
 * inside a pipeline, a multi-line statement is set apart from its neighbours.
 */
function needsBlankLine(parent: Unit, previous: Unit, next: Unit, indent: string, attached: Map<Unit, Attached>): boolean {
  if (parent.text === '') return !(previous.text.startsWith('import ') && next.text.startsWith('import ') && previous.children === undefined);
  return isMultiLine(previous, indent, attached) || isMultiLine(next, indent, attached);
}
