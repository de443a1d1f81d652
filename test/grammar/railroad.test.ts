import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CST_TYPES_PATH, cstTypes, RAILROAD_PATH, railroadHtml } from '../../scripts/grammar.ts';

describe('files generated from the parser', () => {
  it('grammar/railroad.html is up to date (run `npm run grammar`)', () => {
    expect(readFileSync(RAILROAD_PATH, 'utf8') === railroadHtml(), 'grammar/railroad.html is stale: run `npm run grammar`').toBe(true);
  });

  it('src/dsl/cst-types.ts is up to date (run `npm run grammar`)', () => {
    expect(readFileSync(CST_TYPES_PATH, 'utf8') === cstTypes(), 'src/dsl/cst-types.ts is stale: run `npm run grammar`').toBe(true);
  });

  it('the diagram shows every rule of the parser', () => {
    const html = readFileSync(RAILROAD_PATH, 'utf8');
    for (const rule of ['file', 'pipeline', 'sourcesFromManifest', 'splitStmt', 'augmentOp', 'trainBlock', 'evaluateBlock']) {
      expect(html).toContain(`"name": "${rule}"`);
    }
  });
});
