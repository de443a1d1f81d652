import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseCvr } from '../../src/dsl/parse.ts';

/**
 * Each fixture states on its first line the first diagnostic it must give:
 * `# expect CVR105 at 3:14` (line:column, 1-based).
 */
const dir = join(import.meta.dirname, 'malformed');
const cases = readdirSync(dir).filter((f) => f.endsWith('.cvr')).sort().map((name) => {
  const text = readFileSync(join(dir, name), 'utf8');
  const match = /^# expect (CVR\d{3}) at (\d+):(\d+)/.exec(text);
  if (match === null) throw new Error(`${name}: first line must be "# expect CVRnnn at line:column"`);
  return { name, text, code: match[1], line: Number(match[2]), column: Number(match[3]) };
});

describe('malformed syntax', () => {
  it('has at least 15 fixtures', () => {
    expect(cases.length).toBeGreaterThanOrEqual(15);
  });

  it.each(cases)('$name gives $code at $line:$column', ({ name, text, code, line, column }) => {
    const { diagnostics } = parseCvr(name, text);
    const first = diagnostics[0];
    expect(first, 'no diagnostic at all').toBeDefined();
    expect({ code: first?.code, line: first?.span?.line, column: first?.span?.column }).toEqual({ code, line, column });
    expect(first?.severity).toBe('error');
    expect(first?.span?.file).toBe(name);
  });
});
