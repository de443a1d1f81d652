/**
 * For scripts/screenshot-report.sh: a synthetic run folder (the report tests' fixture, two
 * compared models so every kind of plot appears), its report, and report-check.html — the same
 * page with a script that counts the plots and images the browser actually laid out.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { writeReport } from '../src/report/index.ts';
import { writeFixtureRun } from '../test/report/fixture-run.ts';

// `report-fixture.ts DIR` makes a synthetic run in DIR; `report-fixture.ts --existing DIR` reports on a real one.
const existing = process.argv[2] === '--existing';
const dir = process.argv[existing ? 3 : 2];
if (dir === undefined) throw new Error('usage: report-fixture.ts [--existing] RUN_DIR');
if (!existing) await writeFixtureRun(dir, { models: ['cvrnet', 'vgg19'], folds: 3, runnerCsv: true, probes: true });
const result = await writeReport(dir);
if (!result.ok) throw new Error(result.diagnostic.message);
const html = await readFile(join(dir, 'report.html'), 'utf8');
const check = `<script>
window.addEventListener('load', () => {
  const plots = [...document.querySelectorAll('figure.plot svg'), ...document.querySelectorAll('figure img')];
  const drawn = plots.filter((el) => {
    const box = el.getBoundingClientRect();
    const loaded = el.tagName.toLowerCase() !== 'img' || (el.complete && el.naturalWidth > 0);
    return box.width > 20 && box.height > 20 && loaded;
  });
  const p = document.createElement('p');
  p.textContent = 'plots-drawn:' + drawn.length + '/' + plots.length + ' page-height:' + Math.ceil(document.documentElement.scrollHeight);
  document.body.appendChild(p);
});
</script>`;
await writeFile(join(dir, 'report-check.html'), html.replace('</body>', `${check}</body>`));
console.log(`report written: ${join(dir, 'report.html')} (${result.files.filter((f) => f.startsWith('plots/')).length} plots)`);
