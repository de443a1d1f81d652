/**
 * Error messages for the parser, in our words rather than chevrotain's defaults: what was
 * expected (by token label: `` `}` ``, "a name", "a string") and what was found.
 */
import { EOF, tokenLabel, tokenMatcher } from 'chevrotain';
import type { IParserErrorMessageProvider, IToken, TokenType } from 'chevrotain';
import { RCurly } from './lexer.ts';

const TOP_LEVEL = '`import`, `pipeline`, `source` or a named block';

/** What may appear in a rule (inside a block: what the block holds), for "expected …" messages. */
const RULE_DESCRIPTIONS: Readonly<Record<string, string>> = {
  file: TOP_LEVEL,
  namedBlock: 'a named block (`classes`, `image`, `augment`, `train` or `evaluate` NAME { … })',
  pipeline: 'a pipeline statement',
  statement: 'a pipeline statement',
  classesBlock: 'a class (`NOR "Normal"` or `NCV = NOR | NCP`)',
  sourceDecl: 'a source setting (`folder`, `manifest`, `labels from path`, `patients from path`, `map`, `coarse`)',
  sourceSetting: 'a source setting (`folder`, `manifest`, `labels from path`, `patients from path`, `map`, `coarse`)',
  manifestLocation: 'a manifest setting (`image`, `label`, `patient`, `source`, `partition`, `root`, `columns`, `delimiter`)',
  manifestField: 'a manifest setting (`image`, `label`, `patient`, `source`, `partition`, `root`, `columns`, `delimiter`)',
  sourcesFromManifest: 'a manifest setting (`columns`, `root`, `partition`, `only`, `map`, `coarse`, …)',
  labelMap: 'a map entry (`"label" -> CLASS` or `"label" -> drop`)',
  splitStmt: '`kfold`, `holdout`, `leave_source_out` or `given`',
  kfoldBody: 'a kfold setting (`stratified`, `grouped by`, `validation`)',
  holdoutBody: 'a holdout setting (`test`, `grouped by`, `validation`)',
  partitionedBody: 'a split setting (`grouped by`, `validation`)',
  imageBlock: 'an image setting (`size`, `resize`, `channels`, `normalize`)',
  imageSetting: 'an image setting (`size`, `resize`, `channels`, `normalize`)',
  augmentBlock: 'an augmentation (`rotate 15deg p 0.5`, `flip horizontal`, …)',
  modelOptions: 'a model option (`weights none`, `width 0.25`, …)',
  trainBlock: 'a training setting (`optimizer`, `loss`, `class_weights`, `batch`, `epochs`, `reduce_lr`, `early_stop`)',
  trainSetting: 'a training setting (`optimizer`, `loss`, `class_weights`, `batch`, `epochs`, `reduce_lr`, `early_stop`)',
  classWeightsSpec: 'a class weight (`CVP 4.5`)',
  evaluateBlock: 'an evaluation setting (`metrics`, `confusion`, `by_source`, `bootstrap`, `gradcam`)',
  evaluateSetting: 'an evaluation setting (`metrics`, `confusion`, `by_source`, `bootstrap`, `gradcam`)',
};

const STATEMENT_WORDS = ['title', 'description', 'seed', 'classes', 'source', 'sources', 'task', 'split', 'image', 'augment', 'model', 'compare', 'train', 'evaluate', 'engine'];
const SOURCE_WORDS = ['folder', 'manifest', 'labels', 'patients', 'map', 'coarse', 'drop'];
const MANIFEST_WORDS = ['image', 'label', 'patient', 'source', 'partition', 'root', 'delimiter', 'columns'];

/** The words that can start what a rule holds, for "did you mean" hints on a misspelt one. */
export const RULE_WORDS: Readonly<Record<string, readonly string[]>> = {
  file: ['import', 'pipeline', 'source', 'classes', 'image', 'augment', 'train', 'evaluate'],
  pipeline: STATEMENT_WORDS,
  statement: STATEMENT_WORDS,
  sourceDecl: SOURCE_WORDS,
  sourceSetting: SOURCE_WORDS,
  manifestLocation: MANIFEST_WORDS,
  manifestField: MANIFEST_WORDS,
  sourcesFromManifest: [...MANIFEST_WORDS, 'only', 'map', 'coarse'],
  splitStmt: ['kfold', 'holdout', 'leave_source_out', 'given'],
  kfoldBody: ['stratified', 'grouped', 'validation'],
  holdoutBody: ['test', 'grouped', 'validation'],
  partitionedBody: ['grouped', 'validation'],
  imageBlock: ['size', 'resize', 'channels', 'normalize'],
  imageSetting: ['size', 'resize', 'channels', 'normalize'],
  trainBlock: ['optimizer', 'loss', 'class_weights', 'batch', 'epochs', 'reduce_lr', 'early_stop'],
  trainSetting: ['optimizer', 'loss', 'class_weights', 'batch', 'epochs', 'reduce_lr', 'early_stop'],
  evaluateBlock: ['metrics', 'confusion', 'by_source', 'bootstrap', 'gradcam'],
  evaluateSetting: ['metrics', 'confusion', 'by_source', 'bootstrap', 'gradcam'],
};

/**
 * Marks a message about a token where a block had to end: the token is wrong (an unknown
 * setting), not missing, so the diagnostic points at the token itself.
 */
export const UNEXPECTED_IN_BLOCK = 'unexpected ';

export function describeToken(token: IToken): string {
  if (tokenMatcher(token, EOF)) return 'the end of the file';
  return `\`${token.image}\``;
}

function firstTokens(paths: readonly (readonly TokenType[])[]): string[] {
  const labels = new Set<string>();
  for (const path of paths) {
    const first = path[0];
    if (first !== undefined) labels.add(tokenLabel(first));
  }
  return [...labels];
}

function oneOf(labels: readonly string[]): string {
  if (labels.length <= 1) return labels[0] ?? 'something else';
  if (labels.length > 6) return `one of ${labels.slice(0, 6).join(', ')}, …`;
  return `one of ${labels.join(', ')}`;
}

export const cvrErrorMessages: IParserErrorMessageProvider = {
  buildMismatchTokenMessage({ expected, actual, ruleName }) {
    // Expecting the end of a block (or of the file) means the repetition inside it stopped at a
    // token that starts nothing it holds: say what it can hold.
    if (tokenMatcher(actual, EOF) === false && (expected === RCurly || expected === EOF)) {
      const holds = RULE_DESCRIPTIONS[ruleName];
      const end = expected === EOF ? '' : ' or `}`';
      if (holds !== undefined) return `${UNEXPECTED_IN_BLOCK}${describeToken(actual)}: expected ${holds}${end}`;
    }
    return `expected ${tokenLabel(expected)} but found ${describeToken(actual)}`;
  },
  buildNotAllInputParsedMessage({ firstRedundant }) {
    return `${UNEXPECTED_IN_BLOCK}${describeToken(firstRedundant)}: expected ${TOP_LEVEL}`;
  },
  buildNoViableAltMessage({ expectedPathsPerAlt, actual, ruleName }) {
    const found = actual[0] === undefined ? 'something else' : describeToken(actual[0]);
    const described = RULE_DESCRIPTIONS[ruleName];
    const expected = described ?? oneOf(firstTokens(expectedPathsPerAlt.flat()));
    return `expected ${expected} but found ${found}`;
  },
  buildEarlyExitMessage({ expectedIterationPaths, actual }) {
    const found = actual[0] === undefined ? 'something else' : describeToken(actual[0]);
    return `expected at least one item (${firstTokens(expectedIterationPaths).join(', ')}) but found ${found}`;
  },
};
