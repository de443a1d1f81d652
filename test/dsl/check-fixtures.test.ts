/**
 * Malformed pipelines, one problem area each. Every fixture states in `# expect:` lines the
 * diagnostics it must produce (code and position); the test requires exactly those, no more.
 * A directory is a multi-file fixture whose entry is `main.cvr`.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadPipelines } from '../../src/dsl/index.ts';

const dir = fileURLToPath(new URL('./check-fixtures/', import.meta.url));

const fixtures = readdirSync(dir)
  .sort()
  .map((name) => {
    const full = path.join(dir, name);
    const entry = statSync(full).isDirectory() ? path.join(full, 'main.cvr') : full;
    const expected = [...readFileSync(entry, 'utf8').matchAll(/^# expect: (CVR\d{3}) @ (?:(\S+):)?(\d+):(\d+)$/gm)].map(
      (m) => `${m[1]} ${path.resolve(path.dirname(entry), m[2] ?? path.basename(entry))}:${m[3]}:${m[4]}`,
    );
    return { name, entry, expected };
  });

describe('semantic fixtures', () => {
  it('there are enough of them, each expecting something', () => {
    expect(fixtures.length).toBeGreaterThanOrEqual(12);
    for (const f of fixtures) expect(f.expected, f.name).not.toEqual([]);
  });

  it.each(fixtures)('$name', async ({ entry, expected }) => {
    const result = await loadPipelines([entry]);
    const actual = result.diagnostics.map((d) => `${d.code} ${d.span?.file ?? d.file}:${d.span?.line}:${d.span?.column}`);
    expect(actual.sort()).toEqual([...expected].sort());
    if (result.diagnostics.some((d) => d.severity === 'error')) expect(result.pipelines).toEqual([]);
  });
});
