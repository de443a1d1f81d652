/**
 * The `.cvr` lexer: every token type, in the one order the lexer tries them.
 *
 * Keywords are "soft": each keyword token also belongs to the `Name` category, so wherever the
 * grammar expects a user-chosen name (a source, a class, an option value) a keyword is accepted
 * too (`source test { … }`, `weights none`). Only where a keyword starts a statement does the
 * parser ask for that keyword's own token type.
 */
import { createToken, Lexer } from 'chevrotain';
import type { TokenType } from 'chevrotain';
import { runsCompiled } from '../diag/index.ts';

/** Abstract category: an identifier or any keyword, wherever the grammar wants a name. */
export const Name = createToken({ name: 'Name', pattern: Lexer.NA, label: 'a name' });

export const Identifier = createToken({
  name: 'Identifier',
  pattern: /[A-Za-z_][A-Za-z0-9_-]*/,
  categories: [Name],
  label: 'a name',
});

/**
 * A keyword token; `longer_alt` makes `sources_all` or `test-a` lex as one identifier, not a
 * keyword and a tail. Soft keywords also count as names (`categories: [Name]`); reserved ones,
 * the words that start a statement, do not, so that a missing name before the next statement
 * (`task NCV vs` then `split …`) is reported there instead of swallowing the statement.
 */
function keyword(name: string, word: string, kind: 'soft' | 'reserved' = 'soft'): TokenType {
  return createToken({
    name,
    pattern: new RegExp(word),
    longer_alt: Identifier,
    ...(kind === 'soft' ? { categories: [Name] } : {}),
    label: `\`${word}\``,
  });
}

export const Import = keyword('Import', 'import', 'reserved');
export const Pipeline = keyword('Pipeline', 'pipeline', 'reserved');
export const Extends = keyword('Extends', 'extends', 'reserved');
export const Title = keyword('Title', 'title', 'reserved');
export const Description = keyword('Description', 'description', 'reserved');
export const Seed = keyword('Seed', 'seed', 'reserved');
export const Classes = keyword('Classes', 'classes', 'reserved');
export const Sources = keyword('Sources', 'sources', 'reserved');
export const Source = keyword('Source', 'source', 'reserved');
export const From = keyword('From', 'from');
export const Manifest = keyword('Manifest', 'manifest');
export const Folder = keyword('Folder', 'folder');
export const Map = keyword('Map', 'map');
export const Drop = keyword('Drop', 'drop');
export const Coarse = keyword('Coarse', 'coarse');
export const Labels = keyword('Labels', 'labels');
export const Patients = keyword('Patients', 'patients');
export const Path = keyword('Path', 'path');
export const Task = keyword('Task', 'task', 'reserved');
export const Vs = keyword('Vs', 'vs');
export const Split = keyword('Split', 'split', 'reserved');
export const Kfold = keyword('Kfold', 'kfold');
export const Holdout = keyword('Holdout', 'holdout');
export const LeaveSourceOut = keyword('LeaveSourceOut', 'leave_source_out');
export const Given = keyword('Given', 'given');
export const Test = keyword('Test', 'test');
export const Validation = keyword('Validation', 'validation');
export const Stratified = keyword('Stratified', 'stratified');
export const Grouped = keyword('Grouped', 'grouped');
export const By = keyword('By', 'by');
export const BySource = keyword('BySource', 'by_source');
export const Image = keyword('Image', 'image', 'reserved');
export const Size = keyword('Size', 'size');
export const X = keyword('X', 'x');
export const Resize = keyword('Resize', 'resize');
export const Channels = keyword('Channels', 'channels');
export const Normalize = keyword('Normalize', 'normalize');
export const Augment = keyword('Augment', 'augment', 'reserved');
export const P = keyword('P', 'p');
export const Models = keyword('Models', 'models');
export const Model = keyword('Model', 'model', 'reserved');
export const Compare = keyword('Compare', 'compare', 'reserved');
export const Train = keyword('Train', 'train', 'reserved');
export const Evaluate = keyword('Evaluate', 'evaluate', 'reserved');
export const Engine = keyword('Engine', 'engine', 'reserved');
export const Columns = keyword('Columns', 'columns');
export const Root = keyword('Root', 'root');
export const Partition = keyword('Partition', 'partition');
export const Only = keyword('Only', 'only');
export const Label = keyword('Label', 'label');
export const Patient = keyword('Patient', 'patient');
export const Delimiter = keyword('Delimiter', 'delimiter');
export const Optimizer = keyword('Optimizer', 'optimizer');
export const Loss = keyword('Loss', 'loss');
export const ClassWeights = keyword('ClassWeights', 'class_weights');
export const Batch = keyword('Batch', 'batch');
export const Epochs = keyword('Epochs', 'epochs');
export const ReduceLr = keyword('ReduceLr', 'reduce_lr');
export const EarlyStop = keyword('EarlyStop', 'early_stop');
export const On = keyword('On', 'on');
export const RestoreBest = keyword('RestoreBest', 'restore_best');
export const Metrics = keyword('Metrics', 'metrics');
export const Confusion = keyword('Confusion', 'confusion');
export const Bootstrap = keyword('Bootstrap', 'bootstrap');
export const Gradcam = keyword('Gradcam', 'gradcam');
export const Top = keyword('Top', 'top');
export const Threshold = keyword('Threshold', 'threshold');
// Real metadata (language.md "Real metadata"): filters, map keys, aliases, encodings.
export const Where = keyword('Where', 'where');
export const And = keyword('And', 'and');
export const Or = keyword('Or', 'or');
export const Not = keyword('Not', 'not');
export const In = keyword('In', 'in');
export const Matches = keyword('Matches', 'matches');
export const Other = keyword('Other', 'other');
export const Alias = keyword('Alias', 'alias');
export const Encoding = keyword('Encoding', 'encoding');
export const Shared = keyword('Shared', 'shared');
export const Across = keyword('Across', 'across');
// Image-level evidence (language.md "Image-level evidence"): `probes { source_probe … }`.
export const Probes = keyword('Probes', 'probes');
// Where the nodes run (docs/executors.md): `executor slurm { partition "gpu"  time 4h }`.
export const Executor = keyword('Executor', 'executor');
// `dedupe near { threshold 0.95  keep first }` (language.md "Image-level evidence", docs/dedupe.md).
export const Dedupe = keyword('Dedupe', 'dedupe');

function keywordWord(token: TokenType): string {
  return token.PATTERN instanceof RegExp ? token.PATTERN.source : '';
}

export const KEYWORDS: readonly TokenType[] = [
  Import, Pipeline, Extends, Title, Description, Seed, Classes, Sources, Source, From, Manifest,
  Folder, Map, Drop, Coarse, Labels, Patients, Path, Task, Vs, Split, Kfold, Holdout,
  LeaveSourceOut, Given, Test, Validation, Stratified, Grouped, BySource, By, Image, Size, X,
  Resize, Channels, Normalize, Augment, P, Models, Model, Compare, Train, Evaluate, Engine,
  Columns, Root, Partition, Only, Label, Patient, Delimiter, Optimizer, Loss, ClassWeights,
  Batch, Epochs, ReduceLr, EarlyStop, On, RestoreBest, Metrics, Confusion, Bootstrap, Gradcam,
  Top, Threshold, Where, And, Or, Not, In, Matches, Other, Alias, Encoding, Shared, Across,
  Probes, Executor, Dedupe,
];

/**
 * `42`, `0.1`, `1e-4`, `20%`, `15deg`. The closing quote of a string and the closing slash of a
 * regex are optional in the patterns below on purpose: an unterminated literal still becomes one
 * token (reported by `checkTokens`), so the parser goes on and later errors are still found.
 */
export const NumberLit = createToken({
  name: 'NumberLit',
  label: 'a number',
  pattern: /(?:\d+(?:\.\d+)?|\.\d+)(?:[eE][+-]?\d+)?(?:%|deg(?![A-Za-z0-9_]))?/,
});
// Both literals are written as unrolled loops (`a*(?:b a*)*`), not `(?:a|b)*`: the same
// language, but V8 matches them without a backtracking frame per character, so a string of
// 10 MB lexes instead of overflowing the regex stack.
export const StringLit = createToken({ name: 'StringLit', label: 'a string', pattern: /"[^"\\\r\n]*(?:\\.[^"\\\r\n]*)*"?/ });
export const RegexLit = createToken({
  name: 'RegexLit',
  label: 'a /regex/',
  pattern: /\/[^/\\\r\n[]*(?:(?:\\.|\[[^\]\\\r\n]*(?:\\.[^\]\\\r\n]*)*\]?)[^/\\\r\n[]*)*(?:\/[A-Za-z]*)?/,
});

export const Arrow = createToken({ name: 'Arrow', label: '`->`', pattern: /->/ });
export const LCurly = createToken({ name: 'LCurly', label: '`{`', pattern: /\{/ });
export const RCurly = createToken({ name: 'RCurly', label: '`}`', pattern: /\}/ });
export const Comma = createToken({ name: 'Comma', label: '`,`', pattern: /,/ });
export const Equals = createToken({ name: 'Equals', label: '`=`', pattern: /=/ });
export const Pipe = createToken({ name: 'Pipe', label: '`|`', pattern: /\|/ });
export const EqEq = createToken({ name: 'EqEq', label: '`==`', pattern: /==/ });
export const NotEq = createToken({ name: 'NotEq', label: '`!=`', pattern: /!=/ });
export const LParen = createToken({ name: 'LParen', label: '`(`', pattern: /\(/ });
export const RParen = createToken({ name: 'RParen', label: '`)`', pattern: /\)/ });

export const Comment = createToken({ name: 'Comment', pattern: /#[^\r\n]*/, group: 'comments' });
export const WhiteSpace = createToken({ name: 'WhiteSpace', pattern: /[ \t\r\n\f\uFEFF]+/, group: Lexer.SKIPPED });

/**
 * The order matters: the lexer takes the first pattern that matches. Keywords come before
 * `Identifier` so `source` lexes as the keyword; each keyword's `longer_alt: Identifier` then lets
 * a longer identifier that merely starts with a keyword (`sources_all`, `test-a`) win. Longer
 * keywords come first, so that one which is a prefix of another (`source`/`sources`,
 * `p`/`partition`, `by`/`by_source`) never shadows it.
 */
export const ALL_TOKENS: readonly TokenType[] = [
  WhiteSpace,
  Comment,
  Arrow,
  LCurly,
  RCurly,
  Comma,
  EqEq,
  NotEq,
  Equals,
  LParen,
  RParen,
  Pipe,
  NumberLit,
  StringLit,
  RegexLit,
  ...[...KEYWORDS].sort((a, b) => keywordWord(b).length - keywordWord(a).length),
  Identifier,
  Name,
];

/**
 * A run of characters that can start no token, lexed in one match into its own group and
 * reported by the parser as CVR101. Without it the lexer's error recovery tries every pattern at
 * every offset, which took minutes on a few megabytes of binary.
 */
const JUNK_RUN = /(?:[^A-Za-z0-9_"/{}=,|#. \t\r\n\f\uFEFF-]|-(?!>)|\.(?!\d))+/y;
const TOKEN_STARTS = new Set([...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_"/{}=,|# \t\r\n\f\uFEFF'].map((c) => c.charCodeAt(0)));
export const Junk = createToken({
  name: 'Junk',
  // A custom matcher with every first character it can take listed, so the lexer stays optimised.
  pattern: {
    exec: (text: string, offset: number): RegExpExecArray | null => {
      JUNK_RUN.lastIndex = offset;
      return JUNK_RUN.exec(text);
    },
  },
  start_chars_hint: Array.from({ length: 0x10000 }, (_, code) => code).filter((code) => !TOKEN_STARTS.has(code)),
  line_breaks: false,
  group: 'junk',
});

export const cvrLexer = new Lexer([...ALL_TOKENS, Junk], {
  positionTracking: 'full',
  ensureOptimizations: true,
  // The token definitions are validated whenever the sources run (every test does); the compiled
  // build skips that check at start-up, as chevrotain advises for production.
  skipValidations: runsCompiled(),
});
