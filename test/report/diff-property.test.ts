/** Property: reordering statements, re-spacing and commenting a pipeline never changes its diff. */
import { copyFileSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { diffCvrFiles } from '../../src/report/diff/index.ts';

const root = fileURLToPath(new URL('../../', import.meta.url));

/** cxr_single_cl2's statements, one string each (blocks included). */
const STATEMENTS = [
  'title "CXR-Single-CL2"',
  'seed 20201107',
  'classes covid',
  'source cxri',
  'source cidc',
  'task NCV vs CVP',
  'split kfold 5 { stratified  grouped by patient  validation 10% }',
  'image paper',
  'augment paper',
  'model cvrnet { weights imagenet }',
  'train paper',
  'evaluate paper',
];

function pipelineText(order: readonly number[], comments: readonly boolean[], indent: string, oneLine: boolean): string {
  const body = order.map((i, k) => `${indent}${STATEMENTS[i]}${comments[k] === true ? `  # note ${k}` : ''}`);
  return oneLine
    ? `pipeline cxr_single_cl2 { ${order.map((i) => STATEMENTS[i]).join('  ')} }\n`
    : `# reordered\nimport "common.cvr"\n\npipeline cxr_single_cl2 {\n${body.join('\n')}\n}\n`;
}

describe('diff is blind to form', () => {
  it('any statement order, comments and spacing: no changes against pipelines/cxr.cvr', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'cvr-diff-prop-'));
    copyFileSync(path.join(root, 'pipelines/common.cvr'), path.join(dir, 'common.cvr'));
    copyFileSync(path.join(root, 'pipelines/cxr.cvr'), path.join(dir, 'cxr.cvr'));
    let n = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.shuffledSubarray([...STATEMENTS.keys()], { minLength: STATEMENTS.length, maxLength: STATEMENTS.length }),
        fc.array(fc.boolean(), { minLength: STATEMENTS.length, maxLength: STATEMENTS.length }),
        fc.constantFrom('  ', '    ', '\t'),
        fc.boolean(),
        async (order, comments, indent, oneLine) => {
          const file = path.join(dir, `p${n++}.cvr`);
          const text = pipelineText(order, comments, indent, oneLine);
          writeFileSync(file, oneLine ? `import "common.cvr"\n${text}` : text);
          const result = await diffCvrFiles(path.join(dir, 'cxr.cvr'), file, { cwd: dir, pair: { a: 'cxr_single_cl2', b: 'cxr_single_cl2' } });
          expect(result.ok).toBe(true);
          if (result.ok) expect(result.changes).toEqual([]);
        },
      ),
      { numRuns: 25, seed: 20201107 },
    );
  });
});
