/**
 * Synthetic run folders for the report tests: predictions drawn from a seeded generator, and
 * metrics computed from them by evaluate/ (so the files agree with each other as a real run's
 * do), epoch events with a plateau LR schedule, an audit, GradCAM PNGs.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { predictionsCsv as runnerPredictionsCsv, type ModelPredictionRow } from '../../src/run/outputs.ts';
import { foldMetrics, predictionsCsv, summarizeFolds, bootstrapIntervals, type Prediction, type PredictionRow } from '../../src/evaluate/index.ts';
import type { MetricsFile, ModelMetrics } from '../../src/evaluate/types.ts';
import { randomStream } from '../../src/engine/index.ts';

export const TINY_PIPELINE = `# A synthetic run's pipeline: two sources, each one class, plus a mixed one.
pipeline tiny_report {
  title "Tiny report fixture"
  seed 7
  classes covid
  source alpha { folder "data/alpha" map { "normal" -> NOR } }
  source beta { folder "data/beta" map { "covid" -> CVP } }
  source gamma { folder "data/gamma" map { "normal" -> NOR, "covid" -> CVP } }
  task NCV vs CVP
  split kfold 3 { stratified validation 10% }
  augment { flip horizontal }
  model cvrnet { width 0.25 }
  train {
    batch 4
    epochs 6
    optimizer adam lr 1e-3
    reduce_lr on val_loss factor 0.5 patience 1
  }
  evaluate {
    metrics accuracy, auc
    confusion
    by_source
    gradcam CVP top 2 threshold 0.5
  }
}
`;

/** Park–Miller: tiny, seeded, the same numbers everywhere. */
function generator(seed: number): () => number {
  let s = seed % 2147483647 || 1;
  return () => {
    s = (s * 48271) % 2147483647;
    return (s - 1) / 2147483646;
  };
}

const CLASSES = ['NCV', 'CVP'] as const;
const SOURCES = [
  { name: 'alpha', classes: [0] },
  { name: 'beta', classes: [1] },
  { name: 'gamma', classes: [0, 1] },
] as const;

function predictions(seed: number, fold: number, n: number, skill: number): Prediction[] {
  const next = generator(seed * 1000 + fold + 1);
  return Array.from({ length: n }, (_, i) => {
    const source = SOURCES[i % SOURCES.length]!;
    const trueIndex = source.classes[Math.floor(next() * source.classes.length)] ?? 0;
    // A score that leans toward the true class by `skill`, with noise.
    const lean = Math.min(0.999, Math.max(0.001, 0.5 + (trueIndex === 1 ? 1 : -1) * skill * next() + (next() - 0.5) * 0.5));
    const p = Math.round(lean * 1000) / 1000;
    return { id: `${source.name}/img${fold}-${i}.png`, source: source.name, trueIndex, probabilities: [Math.round((1 - p) * 1000) / 1000, p] };
  });
}

export interface FixtureOptions {
  readonly models?: readonly string[];
  readonly folds?: number;
  readonly imagesPerFold?: number;
  /** Write predictions.csv as the runner does (src/run/outputs.ts: a leading `model` column). */
  readonly runnerCsv?: boolean;
  /** Add a `probes` entry to metrics.json (the numbers of a shortcut run, fixed here). */
  readonly probes?: boolean;
}

/** What the probes of a run on shortcut phantoms look like (docs/probes.md); fixed numbers. */
export const FIXTURE_PROBES: NonNullable<MetricsFile['probes']> = {
  source_probe: {
    accuracy: 0.9625,
    balancedAccuracy: 0.95,
    majorityRate: 0.55,
    sources: ['clean', 'marked'],
    withinClass: { NCV: { accuracy: 0.97, majorityRate: 0.6, sources: ['clean', 'marked'] }, CVP: { accuracy: 1, majorityRate: 1, sources: ['marked'] } },
    findings: [{ code: 'CVR690', severity: 'warning', message: 'inside class NCV a linear model on 16×16 thumbnails tells the source from the pixels in 97.0 % of images (majority source: 60.0 %; sources clean, marked)' }],
  },
  periphery_only: { accuracy: 0.88, prior: 0.5, fullModel: 0.9, findings: [{ code: 'CVR691', severity: 'warning', message: "trained without the lung field, cvrnet scores 88.0 %, close to the full model's 90.0 % (class prior 50.0 %)" }] },
  lung_only: { accuracy: 0.55, prior: 0.5, fullModel: 0.9, findings: [] },
  gradcam_in_lungs: {
    share: 0.12,
    areaShare: 0.291,
    low: 0.09,
    high: 0.15,
    groups: { 'clean/NCV': { share: 0.2, low: 0.15, high: 0.26, n: 20 }, 'marked/CVP': { share: 0.06, low: 0.04, high: 0.08, n: 20 } },
    findings: [{ code: 'CVR693', severity: 'warning', message: "12.0 % of the GradCAM heat of cvrnet lies inside the lung field (95 % interval 9.0 %–15.0 %), less than the lung field's 29.1 % of the image" }],
  },
};

export async function writeFixtureRun(dir: string, options: FixtureOptions = {}): Promise<MetricsFile> {
  const models = options.models ?? ['cvrnet'];
  const folds = options.folds ?? 3;
  const n = options.imagesPerFold ?? 30;
  mkdirSync(dir, { recursive: true });
  const modelMetrics: Record<string, ModelMetrics> = {};
  const rows: PredictionRow[] = [];
  const runnerRows: ModelPredictionRow[] = [];
  const events: object[] = [{ type: 'plan', t: 0, pipeline: 'tiny_report', engine: 'cpu', seed: 7, cacheDir: '.cvr-cache', runDir: dir, nodes: [] }];
  models.forEach((model, mi) => {
    const foldList = Array.from({ length: folds }, (_, fold) => {
      const preds = predictions(mi + 1, fold, n, 0.25 + 0.1 * (models.length - mi));
      for (const p of preds) {
        const partition = folds > 1 ? `test:${fold}` : 'test';
        rows.push({ ...p, image: p.id, partition });
        runnerRows.push({ ...p, image: p.id, partition, model });
      }
      const metrics = foldMetrics(fold, preds, CLASSES);
      return folds === 1 ? { ...metrics, bootstrap: bootstrapIntervals(preds, 2, 200, randomStream(7, `metrics:${model}`, 'bootstrap')) } : metrics;
    });
    modelMetrics[model] = summarizeFolds(foldList);
    for (let fold = 0; fold < folds; fold++) {
      let lr = 1e-3;
      for (let epoch = 1; epoch <= 6; epoch++) {
        const loss = 0.7 / epoch + 0.05 * fold + 0.01 * mi;
        const valLoss = loss + 0.05 + (epoch > 3 ? 0.02 * (epoch - 3) : 0);
        if (epoch > 4) lr = 5e-4;
        events.push({ type: 'epoch', t: epoch, id: `train:${model}:${fold}`, model, fold, epoch, epochs: 6, logs: { loss, accuracy: 1 - loss / 1.5, learning_rate: lr, val_loss: valLoss, val_accuracy: 1 - valLoss / 1.5 } });
      }
    }
  });
  const metrics: MetricsFile = { pipeline: 'tiny_report', engine: 'cpu', seed: 7, classes: [...CLASSES], models: modelMetrics, audit: { sourceOnlyBaseline: 0.8333, independent: false }, ...(options.probes === true && { probes: FIXTURE_PROBES }) };
  writeFileSync(join(dir, 'metrics.json'), `${JSON.stringify(metrics, null, 2)}\n`);
  writeFileSync(join(dir, 'predictions.csv'), options.runnerCsv === true ? runnerPredictionsCsv(runnerRows, CLASSES) : predictionsCsv(rows, CLASSES));
  writeFileSync(join(dir, 'events.ndjson'), `${events.map((e) => JSON.stringify(e)).join('\n')}\n`);
  let pipelineText = TINY_PIPELINE;
  if (models.length > 1) pipelineText = pipelineText.replace('model cvrnet { width 0.25 }', `compare models ${models.join(', ')} { width 0.25 }`);
  if (folds === 1) pipelineText = pipelineText.replace('split kfold 3 { stratified validation 10% }', 'split holdout { test sources gamma  validation 10% }');
  writeFileSync(join(dir, 'pipeline.cvr'), pipelineText);
  const counts = SOURCES.flatMap((s) => s.classes.flatMap((c) => Array.from({ length: folds }, (_, f) => ({ source: s.name, class: CLASSES[c]!, partition: `fold${f + 1}:test`, n: 5 + f }))));
  writeFileSync(
    join(dir, 'audit.json'),
    `${JSON.stringify(
      {
        pipeline: 'tiny_report',
        counts,
        sourceOnlyBaseline: 0.8333,
        cramersV: 0.7071,
        independent: false,
        classSources: { NCV: ['alpha', 'gamma'], CVP: ['beta', 'gamma'] },
        findings: [
          { code: 'CVR602', severity: 'warning', message: "strong association between source and class (Cramér's V 0.71)", hint: 'add sources that supply both classes' },
          { code: 'CVR611', severity: 'info', message: 'a random split of the same sources: the test set is not independent of training' },
        ],
      },
      null,
      2,
    )}\n`,
  );
  for (const model of models.slice(0, 1)) {
    mkdirSync(join(dir, 'gradcam', model, 'model'), { recursive: true });
    for (let i = 1; i <= 2; i++) {
      const size = 32;
      const pixels = Buffer.alloc(size * size * 3);
      for (let y = 0; y < size; y++) for (let x = 0; x < size; x++) {
        const heat = Math.max(0, 1 - Math.hypot(x - 10 * i, y - 16) / 12);
        pixels.set([Math.round(80 + 175 * heat), 80, Math.round(80 + 100 * (1 - heat))], (y * size + x) * 3);
      }
      const png = await sharp(pixels, { raw: { width: size, height: size, channels: 3 } }).png().toBuffer();
      writeFileSync(join(dir, 'gradcam', model, 'model', `0${i}-beta_img0-${i}.png`), png);
    }
  }
  return metrics;
}
