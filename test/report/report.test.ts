/** report/: report.md (golden), report.html self-contained, plots as PNG, readers, cvr report. */
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.ts';
import { loadPipelines } from '../../src/dsl/index.ts';
import { rocAuc } from '../../src/evaluate/index.ts';
import { parseEpochs, parsePredictions, writeReport } from '../../src/report/index.ts';
import { historyOf } from '../../src/report/history.ts';
import { logTicks, niceTicks } from '../../src/report/plot/svg.ts';
import { rocCurve } from '../../src/report/roc.ts';
import { writeFixtureRun } from './fixture-run.ts';
import { expectGolden } from '../golden.ts';
import { captureIo } from '../cli/capture-io.ts';

const here = path.dirname(fileURLToPath(import.meta.url));
const fresh = (): string => mkdtempSync(path.join(tmpdir(), 'cvr-report-'));

describe('writeReport', () => {
  it('report.md of a 3-fold run (golden)', async () => {
    const dir = fresh();
    await writeFixtureRun(dir);
    const result = await writeReport(dir);
    expect(result.ok).toBe(true);
    expectGolden(path.join(here, 'fixtures/report-kfold.golden.md'), readFileSync(path.join(dir, 'report.md'), 'utf8'));
  });

  it('report.md shows the probes as "Shortcut evidence" after the results (golden)', async () => {
    const dir = fresh();
    await writeFixtureRun(dir, { probes: true });
    expect((await writeReport(dir)).ok).toBe(true);
    const md = readFileSync(path.join(dir, 'report.md'), 'utf8');
    const start = md.indexOf('## Shortcut evidence');
    expect(start).toBeGreaterThan(md.indexOf('## Results'));
    expect(start).toBeLessThan(md.indexOf('## Model cvrnet'));
    expectGolden(path.join(here, 'fixtures/report-shortcut-evidence.golden.md'), md.slice(start, md.indexOf('## Model cvrnet')));
    const html = readFileSync(path.join(dir, 'report.html'), 'utf8');
    expect(html).toContain('Shortcut evidence');
    // Without probes there is no section.
    const plain = fresh();
    await writeFixtureRun(plain);
    expect((await writeReport(plain)).ok).toBe(true);
    expect(readFileSync(path.join(plain, 'report.md'), 'utf8')).not.toContain('Shortcut evidence');
  });

  it('report.md of a compare-models holdout run with the runner\'s CSV layout (golden)', async () => {
    const dir = fresh();
    await writeFixtureRun(dir, { models: ['cvrnet', 'vgg19', 'resnet50'], folds: 1, runnerCsv: true });
    expect((await writeReport(dir)).ok).toBe(true);
    const md = readFileSync(path.join(dir, 'report.md'), 'utf8');
    expectGolden(path.join(here, 'fixtures/report-compare.golden.md'), md);
    expect(md).toContain("Model comparison (cf. the paper's Table 5)");
    expect(md).toContain('95% interval');
    // Every model's ROC came from the runner's CSV.
    for (const m of ['cvrnet', 'vgg19', 'resnet50']) expect(md).toContain(`![ROC curves of ${m}](plots/roc-${m}.png)`);
  });

  it('writes every linked plot as a PNG and a self-contained HTML page with each plot inline', async () => {
    const dir = fresh();
    await writeFixtureRun(dir, { models: ['cvrnet', 'vgg19'], runnerCsv: true });
    const result = await writeReport(dir);
    if (!result.ok) throw new Error(result.diagnostic.message);
    const md = readFileSync(path.join(dir, 'report.md'), 'utf8');
    const linked = [...md.matchAll(/\]\((plots\/[^)]+\.png)\)/g)].map((m) => m[1]!);
    expect(linked.length).toBe(16);
    expect(readdirSync(path.join(dir, 'plots')).sort()).toEqual(linked.map((l) => l.slice('plots/'.length)).sort());
    for (const file of linked) {
      const meta = await sharp(path.join(dir, file)).metadata();
      expect(meta.format).toBe('png');
      expect(meta.width).toBeGreaterThanOrEqual(560);
    }
    const html = readFileSync(path.join(dir, 'report.html'), 'utf8');
    expect(html.match(/<figure class="plot"/g)?.length).toBe(16);
    expect(html.match(/<svg /g)?.length).toBe(16);
    expect(html).toContain('src="data:image/png;base64,');
    // Nothing is fetched from elsewhere.
    expect(html).not.toMatch(/<link|<script|src="(?!data:)|url\(/);
  });

  it('a PNG plot is not blank: the ROC curve is drawn in its colour', async () => {
    const dir = fresh();
    await writeFixtureRun(dir);
    await writeReport(dir);
    const { data, info } = await sharp(path.join(dir, 'plots/roc-cvrnet.png')).raw().toBuffer({ resolveWithObject: true });
    let orange = 0;
    for (let i = 0; i < data.length; i += info.channels) if (data[i]! > 190 && data[i + 1]! < 120 && data[i + 2]! < 60) orange++;
    expect(orange).toBeGreaterThan(500);
  });

  it('says what is missing instead of failing on a run folder with metrics.json only', async () => {
    const dir = fresh();
    await writeFixtureRun(dir);
    for (const f of ['audit.json', 'predictions.csv', 'events.ndjson', 'pipeline.cvr']) rmSync(path.join(dir, f));
    rmSync(path.join(dir, 'gradcam'), { recursive: true });
    // The runner writes NaN (no audit) as null.
    const metrics = JSON.parse(readFileSync(path.join(dir, 'metrics.json'), 'utf8'));
    metrics.audit.sourceOnlyBaseline = null;
    writeFileSync(path.join(dir, 'metrics.json'), JSON.stringify(metrics));
    expect((await writeReport(dir)).ok).toBe(true);
    const md = readFileSync(path.join(dir, 'report.md'), 'utf8');
    expect(md).toContain('No audit.json in the run folder');
    expect(md).toContain('| n/a | n/a | no |');
    expect(md).toContain('No predictions for this model in predictions.csv');
    expect(md).toContain('No epoch events for this model');
    // GradCAM was not asked for (no pipeline says so) and there are no images: no section at all.
    expect(md).not.toContain('GradCAM');
    expect(md).not.toContain('## Pipeline\n\n|');
  });

  it('a pipeline.cvr that imports files not in the run folder: text shown, settings explained as missing', async () => {
    const dir = fresh();
    await writeFixtureRun(dir);
    writeFileSync(path.join(dir, 'pipeline.cvr'), 'import "common.cvr"\npipeline tiny_report extends base { seed 1 }\n');
    await writeReport(dir);
    const md = readFileSync(path.join(dir, 'report.md'), 'utf8');
    expect(md).toMatch(/pipeline.cvr of this run does not resolve on its own \(CVR2\d\d/);
    expect(md).toContain('import "common.cvr"');
  });

  it('uses the runner\'s resolved pipeline (pipeline.json or the pipeline passed in) when pipeline.cvr has imports', async () => {
    const dir = fresh();
    await writeFixtureRun(dir);
    const resolved = (await loadPipelines([path.join(dir, 'pipeline.cvr')])).pipelines[0]!;
    writeFileSync(path.join(dir, 'pipeline.cvr'), 'import "common.cvr"\npipeline tiny_report extends base { seed 1 }\n');
    writeFileSync(path.join(dir, 'pipeline.json'), JSON.stringify(resolved));
    await writeReport(dir, { png: false });
    expect(readFileSync(path.join(dir, 'report.md'), 'utf8')).toContain('| Test design | 3-fold cross-validation, stratified, validation 10% |');
    rmSync(path.join(dir, 'pipeline.json'));
    await writeReport(dir, { png: false, pipeline: { ...resolved, title: 'Passed in' } });
    expect(readFileSync(path.join(dir, 'report.md'), 'utf8')).toMatch(/^# Passed in — run report/);
  });

  it('fails with a coded diagnostic naming the file where there is no metrics.json, or a broken one', async () => {
    const dir = fresh();
    const codeOf = async (): Promise<[string, string | undefined, string]> => {
      const r = await writeReport(dir);
      if (r.ok) return ['ok', undefined, ''];
      return [r.diagnostic.code, r.diagnostic.file, r.diagnostic.message];
    };
    expect(await codeOf()).toEqual(['CVR901', dir, expect.stringContaining('has no metrics.json')]);
    const metricsPath = path.join(dir, 'metrics.json');
    writeFileSync(metricsPath, JSON.stringify({ pipeline: 'p', classes: ['A', 'B'], models: { m: { folds: [] } } }));
    expect(await codeOf()).toEqual(['CVR903', metricsPath, expect.stringContaining('model "m" has no folds or summary')]);
    writeFileSync(metricsPath, '{ not json');
    expect(await codeOf()).toEqual(['CVR902', metricsPath, expect.stringContaining('not valid JSON')]);
    writeFileSync(metricsPath, JSON.stringify({ pipeline: 'p' }));
    expect(await codeOf()).toEqual(['CVR902', metricsPath, expect.stringContaining('no "classes" and "models"')]);
  });
});

describe('cvr report', () => {
  it('writes the files and names them; exit 1 for a folder that is not a run', async () => {
    const dir = fresh();
    await writeFixtureRun(path.join(dir, 'run'));
    const io = captureIo({ cwd: dir });
    expect(await main(['report', 'run'], io)).toBe(0);
    expect(io.out()).toBe('run: wrote report.md, report.html and 8 plots\n');
    expect(existsSync(path.join(dir, 'run/report.html'))).toBe(true);
    const bad = captureIo({ cwd: dir });
    expect(await main(['report', '.'], bad)).toBe(1);
    expect(bad.err()).toMatch(/^error\[CVR901\] \/\S+ has no metrics\.json: it is not a finished run folder\n/);
    expect(bad.err()).toContain('hint: `cvr run` writes metrics.json when the run ends');
    expect(await main(['report'], captureIo({ cwd: dir }))).toBe(2);
  });
});

describe('readers and plotting helpers', () => {
  it('parses both predictions.csv layouts to the same records', () => {
    const evaluateCsv = 'image,source,partition,true,predicted,p_NCV,p_CVP\na.png,x,test:1,CVP,CVP,0.2,0.8\n"b,1.png",y,test:0,NCV,NCV,0.9,0.1\n';
    // The runner's: evaluate's columns after a leading model column (src/run/outputs.ts).
    const runnerCsv = 'model,image,source,partition,true,predicted,p_NCV,p_CVP\nm,a.png,x,test:1,CVP,CVP,0.2,0.8\nm,"b,1.png",y,test:0,NCV,NCV,0.9,0.1\n';
    const a = parsePredictions(evaluateCsv, ['NCV', 'CVP'], 'm');
    expect(a).toEqual(parsePredictions(runnerCsv, ['NCV', 'CVP'], 'other'));
    expect(a[0]).toEqual({ model: 'm', fold: 1, source: 'x', trueClass: 'CVP', probabilities: [0.2, 0.8] });
  });

  it('epoch history: events of other types ignored, a repeated epoch (resume) keeps the later logs', () => {
    const lines = [
      { type: 'batch', model: 'm', fold: 0, epoch: 1 },
      { type: 'epoch', model: 'm', fold: 0, epoch: 1, logs: { loss: 1, lr: 0.1 } },
      { type: 'epoch', model: 'm', fold: 0, epoch: 2, logs: { loss: 0.9, lr: 0.1 } },
      { type: 'epoch', model: 'm', fold: 0, epoch: 2, logs: { loss: 0.8, lr: 0.05 } },
      { type: 'epoch', model: 'n', fold: 0, epoch: 1, logs: { loss: 5 } },
    ];
    const h = historyOf(parseEpochs(`${lines.map((l) => JSON.stringify(l)).join('\n')}\nnot json\n`), 'm');
    expect(h).toEqual([{ fold: 0, epochs: [1, 2], series: { loss: [1, 0.8], lr: [0.1, 0.05] } }]);
  });

  it('ROC area equals evaluate\'s AUC, ties included', () => {
    const scores = [0.9, 0.8, 0.8, 0.7, 0.5, 0.5, 0.3, 0.2, 0.1, 0.8];
    const truth = [1, 1, 0, 1, 0, 1, 0, 0, 1, 0].map((t) => t === 1);
    const roc = rocCurve(scores, truth)!;
    expect(roc.auc).toBeCloseTo(rocAuc(truth, scores)!, 12);
    expect(roc.points[0]).toEqual([0, 0]);
    expect(roc.points.at(-1)).toEqual([1, 1]);
    expect(rocCurve([0.1, 0.2], [true, true])).toBeUndefined();
  });

  it('ticks read naturally', () => {
    expect(niceTicks(0, 1, 5)).toEqual([0, 0.2, 0.4, 0.6, 0.8, 1]);
    expect(niceTicks(1, 6, 6)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(logTicks(5e-4, 1e-3)).toEqual([5e-4, 1e-3]);
    expect(logTicks(1e-6, 1e-2)).toEqual([1e-6, 1e-5, 1e-4, 1e-3, 1e-2]);
  });
});
