/**
 * Regex literals as written: `/pattern/flags`. `\/` inside the pattern is a slash; the flags are
 * letters after the closing slash (`/covid/i`). An unterminated literal (no closing slash on its
 * line) is still one token; `closed` tells it apart so the lexer check can report it.
 */
export interface RegexImage {
  /** The text between the slashes, escapes as written. */
  readonly body: string;
  readonly flags: string;
  readonly closed: boolean;
}

export function splitRegexImage(image: string): RegexImage {
  // Walk the literal as the lexer does: escapes and character classes may hold a slash.
  let i = 1;
  let inClass = false;
  while (i < image.length) {
    const c = image[i];
    if (c === '\\') {
      i += 2;
      continue;
    }
    if (inClass) {
      if (c === ']') inClass = false;
    } else if (c === '[') inClass = true;
    else if (c === '/') return { body: image.slice(1, i), flags: image.slice(i + 1), closed: true };
    i++;
  }
  return { body: image.slice(1), flags: '', closed: false };
}

/** The pattern with `\/` unescaped to `/`; other escapes stay as written. */
export function unescapeSlashes(body: string): string {
  return body.replace(/\\(.)/g, (whole, c: string) => (c === '/' ? '/' : whole));
}
