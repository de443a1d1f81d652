/**
 * The real stage handlers in process (`cvr run` with realRunDeps, plain output) on a tiny image
 * set: where the prep cache lives, what metrics.json holds for the pipeline's `evaluate` block,
 * and the GradCAM images in the run folder. One model, one fold, two epochs, 32 px.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runWith } from '../../src/cli/commands/run.ts';
import { realRunDeps } from '../../src/run/wiring.ts';
import { runPlan } from '../../src/run/runner.ts';
import type { RunEvent } from '../../src/run/events.ts';
import type { MetricsFile } from '../../src/evaluate/types.ts';
import { readJson, tempDir } from './helpers.ts';
import { tinyPipeline, writeTinyData } from './fixtures/tiny-data.ts';

let dir = '';
let dispose = (): void => undefined;

function pipeline(evaluate: string, batch = 8): string {
  return tinyPipeline(evaluate, undefined, { batch, epochs: 2, lr: '1e-2' });
}

async function cvrRun(evaluate: string, out: string): Promise<{ code: number; output: string }> {
  writeFileSync(join(dir, 'tiny.cvr'), pipeline(evaluate));
  let output = '';
  const io = { stdout: (t: string) => (output += t), stderr: (t: string) => (output += t), isTty: false, cwd: dir, env: {} };
  const code = await runWith(['tiny.cvr', '--cache', 'cache', '--out', out], io, realRunDeps());
  return { code, output };
}

/** Rows of predictions.csv as records. */
function predictionRows(runDir: string): Record<string, string>[] {
  const [header, ...lines] = readFileSync(join(runDir, 'predictions.csv'), 'utf8').trimEnd().split('\n');
  const columns = (header ?? '').split(',');
  return lines.map((line) => Object.fromEntries(line.split(',').map((cell, i) => [columns[i] ?? '', cell])));
}

let full: { code: number; output: string };
let plain: { code: number; output: string };
beforeAll(async () => {
  ({ dir, dispose } = tempDir('stages'));
  await writeTinyData(dir, 12);
  full = await cvrRun('metrics accuracy, f1, auc  confusion  by_source  bootstrap 50  gradcam NCV top 2 threshold 0.5', 'full');
  // An evaluate-only edit: everything up to prediction comes from the cache.
  plain = await cvrRun('metrics accuracy, f1  confusion', 'plain');
}, 600_000);
afterAll(() => dispose());

describe('the stage handlers in a real run', () => {
  it('keeps preprocessed shards one level under <cache>/prep/', () => {
    expect(full.code, full.output).toBe(0);
    const levels = readdirSync(join(dir, 'cache', 'prep'));
    expect(levels.length).toBeGreaterThan(0);
    for (const name of levels) expect(name).toMatch(/^[0-9a-f]{2}$/);
  });

  it('writes metrics.json as the evaluate block asks, with the audit baseline beside the accuracy', () => {
    expect(full.code, full.output).toBe(0);
    expect(plain.code, plain.output).toBe(0);
    const withAll = readJson(join(dir, 'full', 'metrics.json')) as MetricsFile;
    const fold = withAll.models['resnet50']!.folds[0]!;
    expect(Object.keys(fold.perClass)).toEqual(['NCV', 'CVP']);
    expect(fold.macro.f1).toBeGreaterThanOrEqual(0);
    expect(fold.weighted.f1).toBeGreaterThanOrEqual(0);
    expect(Object.keys(fold.auc ?? {})).toEqual(['NCV', 'CVP']);
    // Source a holds only NCV images, source b only CVP.
    expect(Object.keys(fold.bySource).sort()).toEqual(['a', 'b']);
    expect(fold.bySource['a']!.n + fold.bySource['b']!.n).toBe(predictionRows(join(dir, 'full')).length);
    const interval = fold.bootstrap?.['accuracy'];
    expect(interval !== undefined && interval.low <= fold.accuracy && fold.accuracy <= interval.high).toBe(true);
    const audit = readJson(join(dir, 'full', 'audit.json')) as { sourceOnlyBaseline: number };
    expect(withAll.audit.sourceOnlyBaseline).toBe(audit.sourceOnlyBaseline);
    expect(typeof withAll.audit.sourceOnlyBaseline).toBe('number');

    const without = readJson(join(dir, 'plain', 'metrics.json')) as MetricsFile;
    const plainFold = without.models['resnet50']!.folds[0]!;
    expect(plainFold.auc).toBeUndefined();
    expect(plainFold.bySource).toEqual({});
    expect(plainFold.accuracy).toBe(fold.accuracy);
    expect(plain.output).toMatch(/^\S+ cached +predict:resnet50:0$/m);
  });

  it('audit.json, lock.json and report.md of the run carry the ledger: each file written, used', () => {
    expect(full.code, full.output).toBe(0);
    // writeTinyData wrote 12 PNGs into each source's one label folder; the map keeps them all.
    const expected = ['a', 'b'].map((source) => ({ source, read: 12, lines: [{ line: 'used', count: 12 }] }));
    const strip = (ledger: { source: string; read: number; lines: { line: string; count: number }[] }[]) =>
      ledger.map((s) => ({ source: s.source, read: s.read, lines: s.lines.map((l) => ({ line: l.line, count: l.count })) }));
    const audit = readJson(join(dir, 'full', 'audit.json')) as { ledger: Parameters<typeof strip>[0] };
    expect(strip(audit.ledger)).toEqual(expected);
    const lock = readJson(join(dir, 'full', 'lock.json')) as { pipelines: { tiny: { ledger: Parameters<typeof strip>[0] } } };
    expect(strip(lock.pipelines.tiny.ledger)).toEqual(expected);
    // The second run took scan, labels and split from the cache: the ledger came along.
    expect(strip((readJson(join(dir, 'plain', 'audit.json')) as typeof audit).ledger)).toEqual(expected);
    const markdown = readFileSync(join(dir, 'full', 'report.md'), 'utf8');
    expect(markdown).toContain('### Ledger');
    expect(markdown).toContain('| a | read | 12 |');
  });

  it('writes the GradCAM overlays of the top correctly classified test images into the run folder', () => {
    expect(full.code, full.output).toBe(0);
    const rows = predictionRows(join(dir, 'full'));
    const correct = rows.filter((r) => r['true'] === 'NCV' && r['predicted'] === 'NCV').length;
    // Two epochs teach this narrow net little, but with seed 7 it gets NCV images right.
    expect(correct).toBeGreaterThan(0);
    const folder = join(dir, 'full', 'gradcam', 'resnet50', 'model');
    const pngs = existsSync(folder) ? readdirSync(folder).filter((f) => f.endsWith('.png')) : [];
    expect(pngs).toHaveLength(Math.min(2, correct));
    for (const png of pngs) expect(readFileSync(join(folder, png)).subarray(1, 4).toString('latin1')).toBe('PNG');
    // Named by rank and image, without the image's own extension (`01-a_normal_img6.png`).
    for (const png of pngs) expect(png).toMatch(/^0[12]-a_normal_img\d+\.png$/);
    // Without a gradcam statement there is no gradcam node and no folder.
    expect(plain.output).not.toMatch(/gradcam:/);
    expect(existsSync(join(dir, 'plain', 'gradcam'))).toBe(false);
  });

  it('writes report.md and report.html into the run folder, GradCAM images included', () => {
    expect(full.code, full.output).toBe(0);
    const markdown = readFileSync(join(dir, 'full', 'report.md'), 'utf8');
    expect(markdown).toContain('resnet50');
    const pngs = readdirSync(join(dir, 'full', 'gradcam', 'resnet50', 'model'));
    expect(pngs.length).toBeGreaterThan(0);
    for (const png of pngs) expect(markdown).toContain(`gradcam/resnet50/model/${png}`);
    expect(readFileSync(join(dir, 'full', 'report.html'), 'utf8')).toMatch(/^<!DOCTYPE html>/i);
    expect(existsSync(join(dir, 'plain', 'report.md'))).toBe(true);
  });

  it('stops a long prediction at a batch boundary when Ctrl-C arrives from the event loop', async () => {
    // Batch 2: the six test images take three prediction batches.
    writeFileSync(join(dir, 'tiny.cvr'), pipeline('metrics accuracy', 2));
    const deps = realRunDeps();
    const loaded = await deps.load(join(dir, 'tiny.cvr'), dir);
    const prepared = await deps.prepare(loaded.pipelines[0]!, { seed: 7, engine: 'cpu', cacheDir: join(dir, 'cache') });
    if (!prepared.ok) throw new Error('prepare failed');
    const controller = new AbortController();
    const events: RunEvent[] = [];
    const outcome = await runPlan({
      plan: prepared.plan,
      handlers: prepared.handlers,
      cacheDir: join(dir, 'cache'),
      runDir: join(dir, 'stopped'),
      seed: 7,
      engine: prepared.engine,
      classes: ['NCV', 'CVP'],
      signal: controller.signal,
      sink: (e) => {
        events.push(e);
        // As a SIGINT handler would: on a later turn of the event loop, not inside the batch.
        if (e.type === 'progress' && e.id.startsWith('predict:') && e.done === 2) setImmediate(() => controller.abort());
      },
    });
    expect(outcome.status).toBe('cancelled');
    const predictProgress = events.filter((e) => e.type === 'progress' && e.id.startsWith('predict:'));
    expect(predictProgress.map((e) => (e.type === 'progress' ? e.done : -1))).toEqual([2]);
    expect(events.some((e) => e.type === 'node-cancelled' && e.id === 'predict:resnet50:0')).toBe(true);
  });
});
