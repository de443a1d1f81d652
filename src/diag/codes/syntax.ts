import type { CodeInfo } from './types.ts';

/**
 * CVR1xx — syntax. Codes are stable: never renumber or reuse one; retire by leaving it here
 * marked "(retired)".
 */
export const syntaxCodes = {
  CVR101: { severity: 'error', summary: 'unexpected character: no token starts here' },
  CVR102: { severity: 'error', summary: 'unterminated string: a `"` is missing before the end of the line' },
  CVR103: { severity: 'error', summary: 'unterminated regular expression: a `/` is missing before the end of the line' },
  CVR104: { severity: 'error', summary: 'unknown escape in a string: only \\" and \\\\ are escapes' },
  CVR105: { severity: 'error', summary: 'a token is missing or wrong: the grammar expected a specific token here' },
  CVR106: { severity: 'error', summary: 'no statement or form starts with this token here' },
  CVR107: { severity: 'error', summary: 'a list that needs at least one item is empty' },
  CVR108: { severity: 'error', summary: 'unexpected text after the last complete item of the file' },
  CVR109: { severity: 'error', summary: 'a setting is given twice in one block' },
  CVR110: { severity: 'error', summary: 'a word that the grammar restricts has a value it does not allow here' },
  CVR111: { severity: 'error', summary: '`split ""` in a label column needs a non-empty separator' },
  CVR112: { severity: 'error', summary: 'a regular expression is refused: it does not compile with linear-time (RE2) semantics, or has an unknown flag' },
  CVR114: { severity: 'error', summary: 'an image path template is malformed: an unclosed `{`, an empty `{}`, or `.*` not at its end' },
  CVR130: { severity: 'error', summary: 'a file to read is not a regular file (a FIFO, a device, a socket, a folder); refused before reading' },
  CVR131: { severity: 'error', summary: 'a file to read lies in a kernel pseudo-file system (/proc, /sys, /dev); refused before reading' },
  CVR132: { severity: 'error', summary: 'a file to read is larger than the size limit for .cvr files (1 MiB); refused before reading' },
  CVR133: { severity: 'error', summary: 'a file is not .cvr text (invalid UTF-8 or control characters); only a short escaped excerpt is shown' },
  CVR134: { severity: 'error', summary: 'a file does not start like .cvr text; only its first problem is shown, without its source lines' },
  CVR135: { severity: 'error', summary: 'too many syntax errors in one file; the rest are not shown' },
} as const satisfies Record<string, CodeInfo>;
