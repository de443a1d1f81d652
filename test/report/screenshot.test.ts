/**
 * The report's "Shortcut evidence" section as a browser draws it: headless Chromium renders the
 * section of report.html (the page's own styles, the section alone) to a PNG, which must hold
 * the table and the findings as ink on the page: rows of dark pixels from top to bottom. Skipped
 * where no Chromium is installed (CHROMIUM names one elsewhere).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { writeReport } from '../../src/report/index.ts';
import { writeFixtureRun } from './fixture-run.ts';

const chromium = [process.env['CHROMIUM'], '/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'].find((p) => p !== undefined && existsSync(p));

describe('report.html in Chromium', () => {
  it.skipIf(chromium === undefined)('draws the Shortcut evidence section: its table and its findings', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'cvr-screenshot-'));
    await writeFixtureRun(dir, { probes: true });
    expect((await writeReport(dir)).ok).toBe(true);
    const html = readFileSync(path.join(dir, 'report.html'), 'utf8');
    const start = html.search(/<h2[^>]*>Shortcut evidence/);
    expect(start).toBeGreaterThan(0);
    const end = html.indexOf('<h2', start + 3);
    const section = html.slice(start, end === -1 ? html.indexOf('</body>') : end);
    // The section's own table rows and findings, as the page writes them.
    expect(section).toContain('Lung field blanked (periphery only)');
    expect(section).toContain('CVR691');
    const page = path.join(dir, 'section.html');
    writeFileSync(page, `${html.slice(0, html.indexOf('<body>') + 6)}\n${section}\n</body></html>\n`);
    const png = path.join(dir, 'section.png');
    execFileSync(chromium!, ['--headless', '--no-sandbox', '--disable-gpu', '--hide-scrollbars', `--screenshot=${png}`, '--window-size=1000,1200', `file://${page}`], { stdio: 'ignore', timeout: 60_000 });
    const { data, info } = await sharp(png).greyscale().raw().toBuffer({ resolveWithObject: true });
    expect(info.width).toBe(1000);
    // Ink per row: the heading, ten table rows and four findings make many separate bands of text.
    const inked = Array.from({ length: info.height }, (_, y) => {
      let dark = 0;
      for (let x = 0; x < info.width; x++) if (data[y * info.width + x]! < 128) dark++;
      return dark > 0;
    });
    let bands = 0;
    inked.forEach((v, y) => (bands += v && !inked[y - 1] ? 1 : 0));
    expect(bands).toBeGreaterThanOrEqual(15);
    const share = inked.filter(Boolean).length / info.height;
    expect(share).toBeGreaterThan(0.1);
    expect(share).toBeLessThan(0.9);
    rmSync(dir, { recursive: true, force: true });
  }, 90_000);
});
