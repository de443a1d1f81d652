/**
 * Randomly mutated pipelines never make resolution throw: every input ends in resolved
 * pipelines or in diagnostics, each with a known code and a span inside its file.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CODES } from '../../src/diag/index.ts';
import { loadPipelines } from '../../src/dsl/index.ts';

const dir = fileURLToPath(new URL('../../pipelines/', import.meta.url));
const common = readFileSync(path.join(dir, 'common.cvr'), 'utf8');
const cxr = readFileSync(path.join(dir, 'cxr.cvr'), 'utf8');
const WORDS = ['NCV', 'NOR', 'CVP', 'NCP', 'cxri', 'cidc', 'drop', 'extends', 'source', 'task', 'vs', 'split', 'kfold', '0', '1.5', '-', '{', '}', 'paper', 'import', '"x.cvr"', 'classes', 'covid', 'model', 'test', 'sources', '200%', 'validation'];

type Mutation = { kind: 'delete-line' | 'duplicate-line' | 'replace-word' | 'swap-lines'; at: number; other: number; word: number };

function mutate(text: string, mutations: readonly Mutation[]): string {
  let lines = text.split('\n');
  for (const m of mutations) {
    const i = m.at % lines.length;
    const j = m.other % lines.length;
    switch (m.kind) {
      case 'delete-line':
        lines = lines.filter((_, k) => k !== i);
        break;
      case 'duplicate-line':
        lines.splice(i, 0, lines[i] ?? '');
        break;
      case 'swap-lines': {
        const a = lines[i] ?? '';
        lines[i] = lines[j] ?? '';
        lines[j] = a;
        break;
      }
      case 'replace-word': {
        const words = (lines[i] ?? '').split(/(\s+)/);
        const w = (m.other % Math.max(1, words.length)) & ~1;
        words[w] = WORDS[m.word % WORDS.length] ?? '';
        lines[i] = words.join('');
        break;
      }
    }
    if (lines.length === 0) lines = [''];
  }
  return lines.join('\n');
}

const mutation = fc.record({
  kind: fc.constantFrom<Mutation['kind']>('delete-line', 'duplicate-line', 'replace-word', 'swap-lines'),
  at: fc.nat(),
  other: fc.nat(),
  word: fc.nat(),
});

describe('resolution under mutation', () => {
  it('never throws; pipelines only without errors; spans inside their files', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(mutation, { minLength: 1, maxLength: 4 }), fc.boolean(), async (mutations, mutateCommon) => {
        const files = new Map([
          ['/v/common.cvr', mutateCommon ? mutate(common, mutations) : common],
          ['/v/cxr.cvr', mutateCommon ? cxr : mutate(cxr, mutations)],
        ]);
        const result = await loadPipelines(['/v/cxr.cvr'], { cwd: '/v', readFile: async (p) => files.get(p) });
        const errors = result.diagnostics.filter((d) => d.severity === 'error');
        if (result.pipelines.length > 0) expect(errors).toEqual([]);
        for (const d of result.diagnostics) {
          expect(Object.keys(CODES)).toContain(d.code);
          if (d.span !== undefined) {
            const text = files.get(d.span.file);
            expect(text).toBeDefined();
            expect(d.span.start).toBeGreaterThanOrEqual(0);
            expect(d.span.end).toBeLessThanOrEqual(text?.length ?? 0);
          }
        }
      }),
      { numRuns: 150, seed: 20201107 },
    );
  });
});
