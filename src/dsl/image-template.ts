/**
 * Image path templates: `image "{patientid}.*"`, `image "{folder}/{filename}"`. `{col}` is the
 * row's value in column `col`; `{{` and `}}` are literal braces; a final `.*` means "the one file
 * with this stem" (resolved from the folder listing). A string without `{` is a column name.
 */
export type TemplatePart = { readonly text: string } | { readonly column: string };

export interface ImageTemplate {
  readonly parts: readonly TemplatePart[];
  /** Ends in `.*`: the single file whose stem (name up to its last dot) is the rest. */
  readonly anyExtension: boolean;
}

export function isTemplate(image: string): boolean {
  return image.includes('{') || image.endsWith('.*');
}

export function parseTemplate(image: string): { template: ImageTemplate } | { error: string } {
  const anyExtension = image.endsWith('.*');
  const body = anyExtension ? image.slice(0, -2) : image;
  const parts: TemplatePart[] = [];
  let text = '';
  for (let i = 0; i < body.length; i++) {
    const c = body[i]!;
    if (c === '{' && body[i + 1] === '{') {
      text += '{';
      i++;
    } else if (c === '}' && body[i + 1] === '}') {
      text += '}';
      i++;
    } else if (c === '{') {
      const close = body.indexOf('}', i + 1);
      if (close < 0) return { error: `the \`{\` at character ${i + 1} is never closed (write \`{{\` for a literal brace)` };
      const column = body.slice(i + 1, close);
      if (column.trim() === '') return { error: `an empty \`{}\` at character ${i + 1}: name a column inside the braces` };
      if (text !== '') parts.push({ text });
      text = '';
      parts.push({ column });
      i = close;
    } else if (c === '}') return { error: `a lone \`}\` at character ${i + 1} (write \`}}\` for a literal brace)` };
    else text += c;
  }
  if (text !== '') parts.push({ text });
  if (body.includes('.*')) return { error: '`.*` may only end the template' };
  return { template: { parts, anyExtension } };
}

export function templateColumns(t: ImageTemplate): string[] {
  return t.parts.flatMap((p) => ('column' in p ? [p.column] : []));
}

/** The template filled from a row; `value(col)` gives the column's value. */
export function fillTemplate(t: ImageTemplate, value: (column: string) => string): string {
  let out = '';
  for (const p of t.parts) out += 'column' in p ? value(p.column) : p.text;
  return out;
}
