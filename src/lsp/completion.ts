/**
 * Completion by context. The text before the cursor rarely parses (it is being typed), so the
 * context comes from the tokens: the blocks open around the cursor (by the keyword that opened
 * each `{`) and the tokens of the statement being written. What may follow is then taken from
 * the language's own tables (the words each block holds, the closed sets of names) and from the
 * names the file sees (pipelines, sources, classes, named blocks).
 */
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { CompletionItemKind } from 'vscode-languageserver';
import type { CompletionItem } from 'vscode-languageserver';
import { BUILTIN_CLASSES, KEYWORD_WORDS, RULE_WORDS, SLURM_OPTION_KEYS, lexCvr, vocabulary } from '../dsl/index.ts';
import type { LexedToken, Pipeline } from '../dsl/index.ts';
import type { Names, NameKind } from './names.ts';
import { Positions } from './positions.ts';

/** The kind of block a `{` opens, from the keywords before it. */
type Frame = 'pipeline' | 'source' | 'manifest' | 'sources-from-manifest' | 'map' | 'split-kfold' | 'split-holdout' | 'split-other' | 'image' | 'augment' | 'model' | 'train' | 'evaluate' | 'classes' | 'class_weights' | 'executor' | 'other';

const OPENERS: Readonly<Record<string, Frame>> = {
  pipeline: 'pipeline',
  source: 'source',
  manifest: 'manifest',
  map: 'map',
  split: 'split-other',
  image: 'image',
  augment: 'augment',
  model: 'model',
  compare: 'model',
  train: 'train',
  evaluate: 'evaluate',
  classes: 'classes',
  class_weights: 'class_weights',
  executor: 'executor',
};

/** Words that may start what a block holds, from the parser's own tables where it has them. */
function frameWords(frame: Frame | undefined): readonly string[] {
  switch (frame) {
    case undefined:
      return RULE_WORDS['file'] ?? [];
    case 'pipeline':
      return RULE_WORDS['pipeline'] ?? [];
    case 'source':
      return RULE_WORDS['sourceSetting'] ?? [];
    case 'manifest':
      return RULE_WORDS['manifestField'] ?? [];
    case 'sources-from-manifest':
      return RULE_WORDS['sourcesFromManifest'] ?? [];
    case 'split-kfold':
      return RULE_WORDS['kfoldBody'] ?? [];
    case 'split-holdout':
      return RULE_WORDS['holdoutBody'] ?? [];
    case 'split-other':
      return RULE_WORDS['partitionedBody'] ?? [];
    case 'image':
      return RULE_WORDS['imageSetting'] ?? [];
    case 'augment':
      return vocabulary.AUGMENT_OPS;
    case 'model':
      return vocabulary.MODEL_OPTIONS;
    case 'train':
      return RULE_WORDS['trainSetting'] ?? [];
    case 'evaluate':
      return RULE_WORDS['evaluateSetting'] ?? [];
    case 'executor':
      return SLURM_OPTION_KEYS;
    case 'map':
    case 'classes':
    case 'class_weights':
      return [];
    case 'other':
      return KEYWORD_WORDS;
    default: {
      const never: never = frame;
      throw new Error(`Internal error: unknown frame ${String(never)}`);
    }
  }
}

/** The value sets that follow a keyword inside a statement (`optimizer adam`, `loss focal`, …). */
const VALUES_AFTER: Readonly<Record<string, readonly string[]>> = {
  optimizer: vocabulary.OPTIMIZERS,
  loss: vocabulary.LOSSES,
  class_weights: vocabulary.CLASS_WEIGHT_MODES,
  on: vocabulary.MONITORED,
  resize: vocabulary.RESIZE,
  normalize: vocabulary.NORMALIZE,
  flip: vocabulary.FLIP_AXES,
  weights: vocabulary.WEIGHTS,
  metrics: vocabulary.METRICS,
  partition: vocabulary.PARTITIONS,
  delimiter: vocabulary.DELIMITERS,
  by: vocabulary.GROUP_BY,
  grouped: ['by'],
  coarse: ['drop'],
  engine: ['auto'],
  executor: ['slurm'],
  split: RULE_WORDS['splitStmt'] ?? [],
  model: vocabulary.MODELS,
  models: vocabulary.MODELS,
};

/** Parameters that follow a statement's head once its first value is written. */
const PARAMS_OF: Readonly<Record<string, readonly string[]>> = {
  optimizer: vocabulary.OPTIMIZER_PARAMS,
  reduce_lr: vocabulary.REDUCE_LR_PARAMS,
  early_stop: [...vocabulary.EARLY_STOP_PARAMS, 'restore_best'],
  gradcam: ['top', 'threshold'],
};

interface Context {
  /** Innermost first. */
  readonly frames: Frame[];
  /** The tokens of the statement being written, before the cursor (the word under it left out). */
  readonly statement: LexedToken[];
  /** Nothing but blanks between the line's start and the word being typed. */
  readonly lineStart: boolean;
  /** Inside a string or a comment: no completion. */
  readonly inLiteral: boolean;
}

const isWord = (t: LexedToken | undefined): boolean => t !== undefined && (t.kind === 'identifier' || t.kind === 'keyword');

function contextAt(text: string, offset: number): Context {
  const all = lexCvr(text);
  const inLiteral = all.some((t) => (t.kind === 'string' || t.kind === 'comment' || t.kind === 'regex') && t.start < offset && (offset < t.end || (t.kind === 'comment' && offset === t.end)));
  // The word being typed (its end at the cursor) is the prefix, not context.
  const before = all.filter((t) => t.kind !== 'comment' && t.end <= offset && !(isWord(t) && t.end === offset));
  const stack: { frame: Frame; start: number }[] = [];
  let statementStart = 0;
  for (let i = 0; i < before.length; i++) {
    const t = before[i] as LexedToken;
    if (t.image === '{') {
      stack.push({ frame: opener(before, i), start: i });
      statementStart = i + 1;
    } else if (t.image === '}') {
      stack.pop();
      statementStart = i + 1;
    }
  }
  const frames = stack.map((s) => s.frame).reverse();
  const statement = before.slice(statementStart);
  let lineBegin = offset;
  while (lineBegin > 0 && text[lineBegin - 1] !== '\n') lineBegin--;
  const typed = text.slice(lineBegin, offset);
  const lineStart = /^\s*[A-Za-z_][A-Za-z0-9_-]*$|^\s*$/.test(typed);
  return { frames, statement: trimToCurrent(statement, frames[0], lineStart), lineStart, inLiteral };
}

/** The block kind of the `{` at `i`: the nearest opening keyword before it in its statement. */
function opener(tokens: readonly LexedToken[], i: number): Frame {
  for (let j = i - 1; j >= 0; j--) {
    const t = tokens[j] as LexedToken;
    if (t.image === '{' || t.image === '}') break;
    if (t.kind !== 'keyword') continue;
    if (t.image === 'manifest' && tokens[j - 1]?.image === 'from' && tokens[j - 2]?.image === 'sources') return 'sources-from-manifest';
    if (t.image === 'kfold') return 'split-kfold';
    if (t.image === 'holdout') return 'split-holdout';
    const frame = OPENERS[t.image];
    if (frame !== undefined) return frame;
  }
  return 'other';
}

/**
 * Blocks hold many statements with no separator, so the statement being written starts at the
 * last word that can start one in this block (a new line makes the word under the cursor one).
 */
function trimToCurrent(tokens: LexedToken[], frame: Frame | undefined, lineStart: boolean): LexedToken[] {
  if (lineStart) return [];
  const words = new Set(frameWords(frame));
  for (let i = tokens.length - 1; i >= 0; i--) {
    const t = tokens[i] as LexedToken;
    if (isWord(t) && words.has(t.image)) return tokens.slice(i);
  }
  return tokens;
}

function item(label: string, kind: CompletionItemKind, detail: string): CompletionItem {
  return { label, kind, detail };
}

const KIND_ITEM: Readonly<Record<NameKind, CompletionItemKind>> = {
  pipeline: CompletionItemKind.Module,
  source: CompletionItemKind.Folder,
  classes: CompletionItemKind.Struct,
  image: CompletionItemKind.Struct,
  augment: CompletionItemKind.Struct,
  train: CompletionItemKind.Struct,
  evaluate: CompletionItemKind.Struct,
  class: CompletionItemKind.Class,
  model: CompletionItemKind.Constructor,
  file: CompletionItemKind.File,
};

export interface CompletionInput {
  readonly file: string;
  readonly text: string;
  readonly offset: number;
  readonly names: Names;
  /** The pipeline around the cursor, if any (from the last AST that parsed). */
  readonly pipeline?: Pipeline;
}

export function complete(input: CompletionInput): CompletionItem[] {
  const imported = importPathItems(input);
  if (imported !== undefined) return imported;
  const ctx = contextAt(input.text, input.offset);
  if (ctx.inLiteral) return [];
  const frame = ctx.frames[0];
  const head = ctx.statement[0]?.image;
  const last = ctx.statement[ctx.statement.length - 1];
  const prev = last?.image;
  const { names } = input;

  const classes = (): CompletionItem[] => classItems(input);
  const sources = (): CompletionItem[] => {
    const own = input.pipeline === undefined ? [] : names.sourcesOf(input.pipeline);
    const top = names.visibleNames(input.file, 'source').map((o) => o.name);
    return [...new Set([...own, ...top])].map((n) => item(n, KIND_ITEM.source, 'source'));
  };
  const named = (kind: NameKind): CompletionItem[] => names.visibleNames(input.file, kind).map((o) => item(o.name, KIND_ITEM[kind], `${kind} block`));
  const words = (list: readonly string[], detail: string, kind: CompletionItemKind = CompletionItemKind.Keyword): CompletionItem[] => list.map((w) => item(w, kind, detail));

  if (!ctx.lineStart && last !== undefined) {
    if (prev === 'extends') return names.visibleNames(input.file, 'pipeline').filter((o) => o.name !== input.pipeline?.name.name).map((o) => item(o.name, KIND_ITEM.pipeline, 'pipeline'));
    if (prev === 'import') return [];
    if (head === 'task' && (prev === 'task' || prev === 'vs')) return classes();
    if (head === 'task' && isWord(last)) return words(['vs'], 'keyword');
    if (prev === '->' && frame === 'map') return [...classes(), ...words(['drop'], 'drop the images of this label')];
    if ((prev === '=' || prev === '|') && frame === 'classes') return classes();
    if (frame === 'class_weights' || prev === 'gradcam') return classes();
    if (head === 'test' && (prev === 'sources' || prev === ',')) return sources();
    if (prev === 'test' && (frame === 'split-holdout' || frame === 'split-other')) return words(['sources'], 'keyword');
    if (prev === 'only' || (head === 'only' && prev === ',')) return sources();
    if (head === 'metrics' && prev === ',') return words(vocabulary.METRICS, 'metric', CompletionItemKind.EnumMember);
    if (head === 'compare' && (prev === 'compare')) return words(['models'], 'keyword');
    if (head === 'compare' && prev === ',') return words(vocabulary.MODELS, 'model', KIND_ITEM.model);
    if (frame === 'pipeline' || frame === undefined) {
      if (prev === 'source' && head === 'source') return frame === undefined ? [] : sources();
      if (prev === 'classes' && head === 'classes') return [...named('classes'), ...words(BUILTIN_CLASSES, 'built-in taxonomy', CompletionItemKind.Struct)];
      if (head === prev && (prev === 'image' || prev === 'train' || prev === 'evaluate')) return frame === undefined ? [] : named(prev);
      if (head === prev && prev === 'augment') return frame === undefined ? [] : [...named('augment'), ...words(['none'], 'no augmentation')];
    }
    const values = prev === undefined ? undefined : VALUES_AFTER[prev];
    if (values !== undefined && !(prev === 'model' && frame !== 'pipeline')) return words(values, prev ?? '', prev === 'model' || prev === 'models' ? KIND_ITEM.model : CompletionItemKind.EnumMember);
    const params = head === undefined ? undefined : PARAMS_OF[head];
    if (params !== undefined && ctx.statement.length >= 2) return [...words(params, `${head} setting`, CompletionItemKind.Property), ...words(frameWords(frame), 'keyword')];
  }
  if (frame === 'map') return KEYWORD_WORDS.includes('other') ? words(['other'], 'every label no other key matches') : [];
  if (frame === 'classes' || frame === 'class_weights') return frame === 'class_weights' ? classes() : [];
  return words(frameWords(frame), frame === undefined ? 'top level' : 'keyword');
}

/**
 * Inside the string of an `import`: the .cvr files and folders of the folder typed so far,
 * relative to the file (as import paths are); each replaces what is typed inside the quotes.
 */
function importPathItems(input: CompletionInput): CompletionItem[] | undefined {
  const tokens = lexCvr(input.text).filter((t) => t.kind !== 'comment');
  const i = tokens.findIndex((t) => t.kind === 'string' && t.start < input.offset && input.offset <= t.end);
  const str = tokens[i];
  if (str === undefined || tokens[i - 1]?.image !== 'import') return undefined;
  const closed = str.image.length > 1 && str.image.endsWith('"');
  if (closed && input.offset === str.end) return undefined;
  const typed = input.text.slice(str.start + 1, input.offset);
  const folderPart = typed.includes('/') ? typed.slice(0, typed.lastIndexOf('/') + 1) : '';
  const folder = path.resolve(path.dirname(input.file), folderPart || '.');
  let entries;
  try {
    entries = readdirSync(folder, { withFileTypes: true });
  } catch {
    return [];
  }
  const positions = new Positions(input.text);
  const range = positions.range(str.start + 1, input.offset);
  return entries
    .filter((e) => !e.name.startsWith('.') && e.name !== 'node_modules' && (e.isDirectory() || (e.name.endsWith('.cvr') && path.join(folder, e.name) !== input.file)))
    .sort((a, b) => (a.name < b.name ? -1 : 1))
    .map((e) => {
      const newText = `${folderPart}${e.name}${e.isDirectory() ? '/' : ''}`;
      return { label: newText, kind: e.isDirectory() ? CompletionItemKind.Folder : CompletionItemKind.File, detail: e.isDirectory() ? 'folder' : '.cvr file', textEdit: { range, newText } };
    });
}

function classItems(input: CompletionInput): CompletionItem[] {
  const { names } = input;
  const seen = new Map<string, CompletionItem>();
  const add = (name: string, detail: string): void => {
    if (!seen.has(name)) seen.set(name, item(name, CompletionItemKind.Class, detail));
  };
  const tax = input.pipeline === undefined ? undefined : names.classesOf(input.pipeline);
  if (tax !== undefined) {
    for (const c of tax.block.classes) add(c.name.name, classDetail(c.name.name, c.members?.map((m) => m.name), c.description?.value));
    return [...seen.values()];
  }
  // Outside a pipeline, or no taxonomy yet: every class the file sees, then the built-in ones.
  for (const file of names.visibleFiles(input.file)) {
    for (const o of names.of(file)) if (o.kind === 'class' && o.role === 'def') add(o.name, 'class');
  }
  const builtin = names.builtinTaxonomy();
  for (const c of builtin?.classes ?? []) add(c.name.name, classDetail(c.name.name, c.members?.map((m) => m.name), c.description?.value));
  return [...seen.values()];
}

export function classDetail(name: string, members: readonly string[] | undefined, description: string | undefined): string {
  const algebra = members === undefined ? name : `${name} = ${members.join(' | ')}`;
  return description === undefined ? algebra : `${algebra}  "${description}"`;
}
