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
    // Recovery resumes after the mistake: nothing after it is reported as a consequence.
    expect(diagnostics.map((d) => `${d.code} ${d.span?.line}:${d.span?.column}`)).toHaveLength(1);
  });

  it('reports every mistake of a file once, each where it is', () => {
    const text = [
      'pipeline a {',
      '  tilte "x"',
      '  seed 1',
      '  task NCV vs',
      '  split holdout { test sources a, b validation 20% }',
      '  image { size 224 224 }',
      '  train { batch "8" epochs 3 }',
      '  split random { validation 10% }',
      '}',
      'pipeline b {',
      '  seed x',
      '  source s { folder "a" map { "a" -> } }',
      '  split kfold 5 { test sources a }',
      '}',
      '',
    ].join('\n');
    const { file, diagnostics } = parseCvr('many.cvr', text);
    expect(diagnostics.map((d) => `${d.code} ${d.span?.line}:${d.span?.column}`)).toEqual([
      'CVR106 2:3',
      'CVR105 4:14',
      'CVR105 6:20',
      'CVR105 7:17',
      'CVR106 8:9',
      'CVR105 11:8',
      'CVR105 12:38',
      'CVR106 13:19',
    ]);
    // What parsed around the mistakes is kept.
    expect(file.items.map((i) => i.kind === 'pipeline' && i.statements.map((s) => s.kind))).toEqual([
      ['seed', 'task', 'split', 'image', 'train'],
      ['source', 'split'],
    ]);
  });

  it('hints at the usual slips', () => {
    const text = 'pipeline a {\n  tilte "x"\n  image { size 224x224 }\n  train { batchs 8 }\n  split kfodl 5\n}\npipelin b { }\n';
    const { diagnostics } = parseCvr('slips.cvr', text);
    expect(diagnostics.map((d) => [`${d.code} ${d.span?.line}:${d.span?.column}`, d.hint])).toEqual([
      ['CVR106 2:3', 'did you mean `title`?'],
      ['CVR105 3:19', 'write the size with spaces: `size 224 x 224`'],
      ['CVR106 4:11', 'did you mean `batch`?'],
      ['CVR106 5:9', 'did you mean `kfold`?'],
      ['CVR106 7:1', 'did you mean `pipeline`?'],
    ]);
  });
});
