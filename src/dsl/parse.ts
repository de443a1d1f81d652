/**
 * `parseCvr`: text → AST and syntax diagnostics (CVR1xx). Never throws: lexing errors, parse
 * errors and malformed literals all become diagnostics, and the AST holds whatever parsed.
 */
import { EarlyExitException, EOF, MismatchedTokenException, NoViableAltException, NotAllInputParsedException, tokenMatcher } from 'chevrotain';
import type { IRecognitionException, IToken } from 'chevrotain';
import type { Diagnostic, Span, Code } from '../diag/index.ts';
import type { Comment, CvrFile } from './ast.ts';
import { AstBuilder, tokenSpan } from './build-ast.ts';
import type { FileCstNode } from './cst-types.ts';
import { cvrLexer, Identifier, RegexLit, StringLit } from './lexer.ts';
import { splitRegexImage } from './regex-literal.ts';
import { cvrParser } from './parser-instance.ts';
import { RULE_WORDS, UNEXPECTED_IN_BLOCK } from './parse-messages.ts';
import { closestName } from '../diag/index.ts';
import { escapedExcerpt } from './read-source.ts';

const builder = new AstBuilder();

export interface ParseResult {
  readonly file: CvrFile;
  readonly diagnostics: Diagnostic[];
  /** The file does not start like .cvr text: only its first problem is reported, and its lines are not to be shown. */
  readonly notCvrText?: boolean;
}

/** At most this many syntax diagnostics per file; then one CVR135 says how many more there were. */
export const MAX_SYNTAX_DIAGNOSTICS = 50;

export function parseCvr(path: string, text: string): ParseResult {
  const diagnostics: Diagnostic[] = [];
  const lines = lineStarts(text);
  const lexed = cvrLexer.tokenize(text);
  // Runs of characters that start no token come as `junk` tokens (lexer.ts), other lexing errors as errors.
  const unexpected = [
    ...lexed.errors.map((error) => ({ offset: error.offset, length: error.length })),
    ...(lexed.groups['junk'] ?? []).map((t) => ({ offset: t.startOffset, length: t.image.length })),
  ].sort((a, b) => a.offset - b.offset);
  for (const error of unexpected.slice(0, MAX_SYNTAX_DIAGNOSTICS + 1)) {
    const span = spanAt(path, lines, error.offset, error.offset + error.length);
    diagnostics.push({
      code: 'CVR101',
      severity: 'error',
      message: `unexpected character \`${escapedExcerpt(text.slice(error.offset, error.offset + Math.min(error.length, 20)), 20)}\``,
      span,
      hint: /^-[\d.]/.test(text.slice(error.offset, error.offset + 2))
        ? 'numbers in .cvr files are never negative: remove the `-`'
        : 'names are letters, digits, `_` and `-`; strings are in double quotes; `#` starts a comment',
    });
  }
  for (const d of checkLiterals(path, lexed.tokens)) diagnostics.push(d);
  const comments: Comment[] = (lexed.groups['comments'] ?? []).map((t) => ({
    kind: 'comment',
    text: t.image.slice(1),
    trailing: text.slice(lines[(t.startLine ?? 1) - 1] ?? 0, t.startOffset).trim() !== '',
    span: tokenSpan(path, t),
  }));

  cvrParser.input = lexed.tokens;
  const cst = cvrParser.file() as FileCstNode;
  for (const error of cvrParser.errors) diagnostics.push(parseErrorDiagnostic(path, text, lines, error));

  const { imports, items } = builder.file(cst.children, { file: path, diagnostics });
  diagnostics.sort((a, b) => (a.span?.start ?? 0) - (b.span?.start ?? 0));
  const file: CvrFile = { kind: 'file', path, imports, items, comments, span: spanAt(path, lines, 0, text.length) };
  const bounded = diagnostics.map((d) => ({ ...d, message: boundedMessage(d.message) }));
  // The first problem is at the file's first token: this is not .cvr text (an import of
  // /etc/shadow, a log file). Its lines are kept out of the output; one diagnostic says so.
  const firstToken = Math.min(lexed.tokens[0]?.startOffset ?? text.length, unexpected[0]?.offset ?? text.length);
  const first = bounded[0];
  if (first !== undefined && first.severity === 'error' && (first.span?.start ?? 0) <= firstToken && looksForeign(text, lines, firstToken, lexed.tokens[0], unexpected)) {
    const start = text.slice(firstToken).trimStart();
    return {
      file,
      notCvrText: true,
      diagnostics: [{
        code: 'CVR134',
        severity: 'error',
        message: `the file does not start like .cvr text (it starts with \`${escapedExcerpt(start, 16)}\`): ${escapedExcerpt(first.message, 120)}`,
        span: spanAt(path, lines, firstToken, firstToken),
        hint: first.hint ?? 'a .cvr file starts with `import`, `pipeline`, `source` or `classes`; the rest of its problems are shown once the start is fixed',
      }],
    };
  }
  if (bounded.length > MAX_SYNTAX_DIAGNOSTICS) {
    const rest = bounded.length - MAX_SYNTAX_DIAGNOSTICS;
    const kept = bounded.slice(0, MAX_SYNTAX_DIAGNOSTICS);
    const last = kept[kept.length - 1]?.span ?? spanAt(path, lines, 0, 0);
    kept.push({ code: 'CVR135', severity: 'error', message: `${rest}${unexpected.length > MAX_SYNTAX_DIAGNOSTICS ? ' or more' : ''} more syntax errors in this file are not shown`, span: last, hint: 'fix the first ones and check again' });
    return { file, diagnostics: kept };
  }
  return { file, diagnostics: bounded };
}

/** Words a .cvr file starts with; a first word close to one of them is a typo, not a foreign file. */
const STARTING_WORDS = ['import', 'pipeline', 'source', 'sources', 'classes', 'train', 'model', 'image', 'split', 'evaluate', 'augment', 'task'];

/**
 * Whether a file whose first token is already wrong is some other kind of text: its first line
 * holds characters that start no .cvr token (`root:x:0:0`, `KEY=a:b`), or it starts with a plain
 * name that is no misspelling of a word a .cvr file starts with.
 */
function looksForeign(text: string, lines: readonly number[], firstToken: number, token: IToken | undefined, unexpected: readonly { offset: number }[]): boolean {
  const line = spanAt('', lines, firstToken, firstToken).line;
  const lineEnd = lines[line] ?? text.length;
  if (unexpected.some((u) => u.offset >= firstToken && u.offset < lineEnd)) return true;
  if (token === undefined || token.startOffset !== firstToken || !tokenMatcher(token, Identifier)) return false;
  return closestName(token.image.toLowerCase(), STARTING_WORDS) === undefined && !STARTING_WORDS.includes(token.image.toLowerCase());
}

/**
 * A message quotes pieces of the file (`unexpected \`…\``): each quoted piece at most 40
 * characters with control characters escaped, so a diagnostic never carries a file's contents.
 */
function boundedMessage(message: string): string {
  return message.replace(/`([^`]*)`/g, (_all, quoted: string) => `\`${escapedExcerpt(quoted, 40)}\``).slice(0, 2000);
}

/** Offsets at which each line starts, for turning an offset into line and column. */
function lineStarts(text: string): number[] {
  const starts = [0];
  for (let i = 0; i < text.length; i++) if (text[i] === '\n') starts.push(i + 1);
  return starts;
}

function spanAt(file: string, lines: readonly number[], start: number, end: number): Span {
  let lo = 0;
  let hi = lines.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if ((lines[mid] ?? 0) <= start) lo = mid;
    else hi = mid - 1;
  }
  return { file, start, end, line: lo + 1, column: start - (lines[lo] ?? 0) + 1 };
}

function isReal(token: IToken | undefined): token is IToken {
  return token !== undefined && token.isInsertedInRecovery !== true && !tokenMatcher(token, EOF) && Number.isFinite(token.startOffset);
}

/** An empty span just after `token`, where something is missing. */
function after(file: string, lines: readonly number[], token: IToken | undefined): Span {
  if (!isReal(token)) return spanAt(file, lines, 0, 0);
  const end = (token.endOffset ?? token.startOffset) + 1;
  return spanAt(file, lines, end, end);
}

function parseErrorDiagnostic(file: string, text: string, lines: readonly number[], error: IRecognitionException): Diagnostic {
  const previous = (error as { previousToken?: IToken }).previousToken;
  const token = error.token;
  let code: Code = 'CVR106';
  if (error instanceof MismatchedTokenException) code = 'CVR105';
  else if (error instanceof NoViableAltException) code = 'CVR106';
  else if (error instanceof EarlyExitException) code = 'CVR107';
  else if (error instanceof NotAllInputParsedException) code = 'CVR108';
  // Something missing (rather than something wrong) is shown where it should have been: just
  // after the previous token. That is also the only place for a token that recovery inserted
  // or for the end of the file, which have no position of their own.
  const missing = (code === 'CVR105' || code === 'CVR107') && !error.message.startsWith(UNEXPECTED_IN_BLOCK);
  if (code === 'CVR105' && !missing) code = 'CVR106';
  let span: Span;
  if (!isReal(token)) span = isReal(previous) ? after(file, lines, previous) : spanAt(file, lines, text.length, text.length);
  else if (missing && isReal(previous) && (previous.endLine ?? previous.startLine) !== token.startLine) span = after(file, lines, previous);
  else span = tokenSpan(file, token);
  const hint = parseErrorHint(code, error, token);
  return { code, severity: 'error', message: error.message, span, ...(hint === undefined ? {} : { hint }) };
}

/** A hint for the usual slips: a misspelt keyword, `224x224` written without spaces. */
function parseErrorHint(code: Code, error: IRecognitionException, token: IToken): string | undefined {
  if (!isReal(token)) return undefined;
  if (/^x\d/.test(token.image) && error.message.startsWith('expected `x`')) return 'write the size with spaces: `size 224 x 224`';
  if (code !== 'CVR106' && code !== 'CVR108') return undefined;
  const rule = error.context.ruleStack[error.context.ruleStack.length - 1] ?? 'file';
  const words = RULE_WORDS[rule];
  const closest = words === undefined || !/^[A-Za-z_]/.test(token.image) ? undefined : closestName(token.image, words);
  return closest === undefined ? undefined : `did you mean \`${closest}\`?`;
}

/** Unterminated strings and regexes, and unknown escapes: the lexer accepted them so parsing could go on. */
function checkLiterals(file: string, tokens: readonly IToken[]): Diagnostic[] {
  const out: Diagnostic[] = [];
  for (const token of tokens) {
    const image = token.image;
    if (tokenMatcher(token, StringLit)) {
      if (!isClosed(image, '"')) {
        out.push({ code: 'CVR102', severity: 'error', message: 'this string has no closing `"`', span: tokenSpan(file, token), hint: 'strings end on the line they start; write \\" for a quote inside' });
      }
      const at = unknownEscapeAt(image);
      if (at !== undefined) {
        const start = token.startOffset + at;
        out.push({
          code: 'CVR104',
          severity: 'error',
          message: `unknown escape \`${image.slice(at, at + 2)}\` in a string`,
          span: { file, start, end: start + 2, line: token.startLine ?? 1, column: (token.startColumn ?? 1) + at },
          hint: 'only \\" and \\\\ are escapes; paths use forward slashes',
        });
      }
    } else if (tokenMatcher(token, RegexLit) && !splitRegexImage(image).closed) {
      out.push({ code: 'CVR103', severity: 'error', message: 'this regular expression has no closing `/`', span: tokenSpan(file, token), hint: 'write \\/ for a slash inside the pattern' });
    }
  }
  return out;
}

/** Whether a literal ends with an unescaped closing `quote`. */
function isClosed(image: string, quote: string): boolean {
  if (image.length < 2 || !image.endsWith(quote)) return false;
  let backslashes = 0;
  for (let i = image.length - 2; i >= 1 && image[i] === '\\'; i--) backslashes++;
  return backslashes % 2 === 0;
}

/** The index of the first backslash in a string token that does not escape `"` or `\\`. */
function unknownEscapeAt(image: string): number | undefined {
  for (let i = 1; i < image.length; i++) {
    if (image[i] !== '\\') continue;
    const next = image[i + 1];
    if (next !== '"' && next !== '\\') return i;
    i++;
  }
  return undefined;
}
