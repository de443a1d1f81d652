/**
 * What editors need from the front end beyond parsing (src/lsp): the tokens of a text with
 * their kinds (for completion by context, which must work on text that does not parse), and the
 * words of the lexer and of each block.
 */
import { tokenMatcher } from 'chevrotain';
import type { IToken } from 'chevrotain';
import { Comment, cvrLexer, Identifier, KEYWORDS, NumberLit, RegexLit, StringLit } from './lexer.ts';

export type LexedKind = 'keyword' | 'identifier' | 'string' | 'number' | 'regex' | 'comment' | 'punctuation';

export interface LexedToken {
  readonly kind: LexedKind;
  /** The token's text as written. */
  readonly image: string;
  /** 0-based offset of the first character. */
  readonly start: number;
  /** 0-based offset one past the last character. */
  readonly end: number;
}

function kindOf(token: IToken): LexedKind {
  if (tokenMatcher(token, Identifier)) return 'identifier';
  if (tokenMatcher(token, StringLit)) return 'string';
  if (tokenMatcher(token, NumberLit)) return 'number';
  if (tokenMatcher(token, RegexLit)) return 'regex';
  if (tokenMatcher(token, Comment)) return 'comment';
  if (KEYWORDS.includes(token.tokenType)) return 'keyword';
  return 'punctuation';
}

/** Every token of `text` (comments included) in order; characters the lexer rejects are skipped. */
export function lexCvr(text: string): LexedToken[] {
  const lexed = cvrLexer.tokenize(text);
  const all = [...lexed.tokens, ...(lexed.groups['comments'] ?? [])].sort((a, b) => a.startOffset - b.startOffset);
  return all.map((t) => ({ kind: kindOf(t), image: t.image, start: t.startOffset, end: t.startOffset + t.image.length }));
}

/** Every keyword of the language, as written. */
export const KEYWORD_WORDS: readonly string[] = KEYWORDS.map((k) => (k.PATTERN instanceof RegExp ? k.PATTERN.source : String(k.PATTERN)));
