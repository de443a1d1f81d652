/**
 * The report's "Near-duplicate pairs": from audit.json's `nearDuplicates` (what the run's audit
 * node stores), one line in report.md (golden) and the thumbnails side by side in report.html.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { writeReport } from '../../src/report/index.ts';
import { pairImage } from '../../src/data/index.ts';
import { writeFixtureRun } from './fixture-run.ts';
import { expectGolden } from '../golden.ts';

const here = path.dirname(fileURLToPath(import.meta.url));

async function runWith(near: unknown): Promise<string> {
  const dir = mkdtempSync(path.join(tmpdir(), 'cvr-near-report-'));
  await writeFixtureRun(dir);
  const auditFile = path.join(dir, 'audit.json');
  const audit = JSON.parse(readFileSync(auditFile, 'utf8')) as Record<string, unknown>;
  writeFileSync(auditFile, JSON.stringify({ ...audit, ...(near === undefined ? {} : { nearDuplicates: near }) }));
  expect((await writeReport(dir)).ok).toBe(true);
  return dir;
}

describe('report: near-duplicate pairs', () => {
  it('one line in report.md, both thumbnails side by side in report.html', async () => {
    const a = Uint8Array.from({ length: 64 * 64 }, (_, i) => i % 256);
    const b = Uint8Array.from({ length: 64 * 64 }, (_, i) => 255 - (i % 256));
    const png = (await pairImage(a, b)).toString('base64');
    const pairs = [
      { a: 'gamma/x.png', b: 'alpha/y.png', similarity: 0.987, kind: 'test-training', png },
      { a: 'beta/z.png', b: 'gamma/w.png', similarity: 0.961, kind: 'sources', png },
    ];
    const dir = await runWith(pairs);
    const md = readFileSync(path.join(dir, 'report.md'), 'utf8');
    const start = md.indexOf('### Near-duplicate pairs');
    expect(start).toBeGreaterThanOrEqual(0);
    const end = md.indexOf('\n#', start + 1);
    expectGolden(path.join(here, 'fixtures/report-near-duplicates.golden.md'), md.slice(start, end < 0 ? undefined : end + 1));
    expect(md).not.toContain('data:image');
    const html = readFileSync(path.join(dir, 'report.html'), 'utf8');
    expect(html).toContain('<h3>Near-duplicate pairs</h3>');
    expect(html.split(`src="data:image/png;base64,${png}"`).length - 1).toBe(2);
    expect(html).toContain('gamma/x.png ≈ alpha/y.png (0.987, test ↔ training)');
  });

  it('no section without pairs', async () => {
    const dir = await runWith(undefined);
    expect(readFileSync(path.join(dir, 'report.md'), 'utf8')).not.toContain('Near-duplicate pairs');
  });
});
