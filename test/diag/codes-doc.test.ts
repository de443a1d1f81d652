import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CODES } from '../../src/diag/index.ts';
import { diagnosticsMarkdown } from '../../src/diag/codes-doc.ts';

describe('docs/diagnostics.md', () => {
  it('is up to date with the code table (regenerate: npm run -s docs:diagnostics)', () => {
    const onDisk = readFileSync(new URL('../../docs/diagnostics.md', import.meta.url), 'utf8');
    expect(onDisk).toBe(diagnosticsMarkdown(CODES));
  });

  it('lists every code once, in numeric order', () => {
    const listed = [...diagnosticsMarkdown(CODES).matchAll(/^\| (CVR\d{3}) \|/gm)].map((m) => m[1]);
    expect(listed).toEqual(Object.keys(CODES).sort());
  });

  it('codes are well formed and every summary is a sentence', () => {
    for (const [code, info] of Object.entries(CODES)) {
      expect(code).toMatch(/^CVR[1-9]\d\d$/);
      expect(info.summary.length).toBeGreaterThan(10);
    }
  });
});
