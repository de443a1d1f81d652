/**
 * Error messages for the parser, in our words rather than chevrotain's defaults: what was
 * expected (by token label: `` `}` ``, "a name", "a string") and what was found.
 */
import { EOF, tokenLabel, tokenMatcher } from 'chevrotain';
import type { IParserErrorMessageProvider, IToken, TokenType } from 'chevrotain';

/** What a rule is, for "expected …" messages when no single token is expected. */
const RULE_DESCRIPTIONS: Readonly<Record<string, string>> = {
  file: '`import`, `pipeline`, `source` or a named block',
  namedBlock: 'a named block (`classes`, `image`, `augment`, `train` or `evaluate` NAME { … })',
  statement: 'a pipeline statement',
  sourceSetting: 'a source setting (`folder`, `manifest`, `labels from path`, `patients from path`, `map`, `coarse`)',
  manifestField: 'a manifest setting',
  splitStmt: '`kfold`, `holdout`, `leave_source_out` or `given`',
  trainBlock: 'a training setting',
  evaluateBlock: 'an evaluation setting',
  imageBlock: 'an image setting (`size`, `resize`, `channels`, `normalize`)',
};

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
  buildMismatchTokenMessage({ expected, actual }) {
    return `expected ${tokenLabel(expected)} but found ${describeToken(actual)}`;
  },
  buildNotAllInputParsedMessage({ firstRedundant }) {
    return `unexpected ${describeToken(firstRedundant)}: expected \`import\`, \`pipeline\`, \`source\` or a named block`;
  },
  buildNoViableAltMessage({ expectedPathsPerAlt, actual, ruleName }) {
    const found = actual[0] === undefined ? 'something else' : describeToken(actual[0]);
    const described = RULE_DESCRIPTIONS[ruleName];
    const expected = described ?? oneOf(firstTokens(expectedPathsPerAlt.flat()));
    return `expected ${expected} but found ${found}`;
  },
  buildEarlyExitMessage({ expectedIterationPaths, actual }) {
    const found = actual[0] === undefined ? 'something else' : describeToken(actual[0]);
    return `expected at least one ${oneOf(firstTokens(expectedIterationPaths))} but found ${found}`;
  },
};
