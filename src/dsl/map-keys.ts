/** Map keys as text: how diagnostics and `cvr fmt` write them (`"No Finding"`, `/^Pneumonia\/Viral/`, `other`). */
import type { MapKey } from './ast.ts';
import { quoteString, regexLiteral } from './format.ts';

export function mapKeyText(key: MapKey): string {
  if (key.kind === 'string') return quoteString(key.value);
  if (key.kind === 'regex') return regexLiteral(key.pattern) + (key.flags ?? '');
  return 'other';
}
