/** The report's "Ledger" section: from audit.json's `ledger`, in report.md (golden) and report.html. */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { writeReport } from '../../src/report/index.ts';
import { writeFixtureRun } from './fixture-run.ts';
import { expectGolden } from '../golden.ts';

const here = path.dirname(fileURLToPath(import.meta.url));

const LEDGER = [
  {
    source: 'cidc',
    read: 34,
    lines: [
      { line: 'used', count: 20, examples: ['row 2: images/a.jpeg'] },
      { line: 'filtered', count: 9, examples: ['row 7', 'row 8', 'row 12', 'row 13', 'row 20'] },
      { line: 'duplicate row', count: 1, examples: ['row 30: images/a.jpeg'] },
      { line: 'missing file', count: 1, examples: ['row 31: images/gone.png'] },
      { line: 'dropped', count: 3, examples: ['row 5: b.jpeg ("Pneumonia|Other")', 'row 9: `c`.png ("")'] },
    ],
  },
  { source: 'nih', read: 5, lines: [{ line: 'used', count: 4, examples: [] }, { line: 'not an image', count: 1, examples: ['x.nii.gz (a volume)'] }] },
];

async function runWithLedger(ledger: unknown): Promise<string> {
  const dir = mkdtempSync(path.join(tmpdir(), 'cvr-ledger-report-'));
  await writeFixtureRun(dir);
  const auditFile = path.join(dir, 'audit.json');
  const audit = JSON.parse(readFileSync(auditFile, 'utf8')) as Record<string, unknown>;
  writeFileSync(auditFile, JSON.stringify({ ...audit, ledger }));
  expect((await writeReport(dir)).ok).toBe(true);
  return dir;
}

function section(md: string): string {
  const start = md.indexOf('### Ledger');
  expect(start).toBeGreaterThanOrEqual(0);
  const end = md.indexOf('\n#', start + 1);
  return md.slice(start, end < 0 ? undefined : end + 1);
}

describe('report: Ledger section', () => {
  it('per source: read, each line with its count, a few examples (golden)', async () => {
    const dir = await runWithLedger(LEDGER);
    const md = section(readFileSync(path.join(dir, 'report.md'), 'utf8'));
    expectGolden(path.join(here, 'fixtures/report-ledger.golden.md'), md);
    // Each line's count stands in the table as written in audit.json.
    for (const s of LEDGER) {
      expect(md).toContain(`| ${s.source} | read | ${s.read} |`);
      for (const l of s.lines) expect(md).toContain(`| ${l.line} | ${l.count} |`);
    }
    expect(md).not.toContain('They do not');
    const html = readFileSync(path.join(dir, 'report.html'), 'utf8');
    expect(html).toContain('<h3>Ledger</h3>');
    expect(html).toContain('<code>row 31: images/gone.png</code>');
  });

  it('says so when the lines do not add up to what was read', async () => {
    const dir = await runWithLedger([{ source: 'a', read: 3, lines: [{ line: 'used', count: 2, examples: [] }] }]);
    expect(readFileSync(path.join(dir, 'report.md'), 'utf8')).toContain('They do not for a: a bug');
  });

  it('no section for an audit.json without a ledger, or with one of another shape', async () => {
    for (const bad of [undefined, 'x', [{ source: 1 }]]) {
      const dir = await runWithLedger(bad);
      expect(readFileSync(path.join(dir, 'report.md'), 'utf8')).not.toContain('### Ledger');
    }
  });
});
