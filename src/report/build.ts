/** The report's content, from a run folder: blocks for report.md and report.html. */
import type { FoldMetrics, MeanStd, ModelMetrics } from '../evaluate/index.ts';
import type { ResolvedPipeline } from '../dsl/index.ts';
import {
  classSources,
  describeAugment,
  describeClassSources,
  describeClassWeights,
  describeOptimizer,
  describeSplit,
  num,
} from './describe.ts';
import type { Block } from './document.ts';
import { historyOf, learningRate } from './history.ts';
import { barChart, heatmap, lineChart, type Series } from './plot/svg.ts';
import { rocCurve } from './roc.ts';
import { accuracyInterval, baselineRow, modelEvidenceBlocks, oneClassBlocks, runFactsLine } from './evidence-blocks.ts';
import type { AuditJson, RunFolder } from './run-folder.ts';
import { shortcutEvidenceBlocks } from './shortcut-evidence.ts';
import { ledgerSection } from './ledger-section.ts';

const f4 = (x: number | undefined): string => (x === undefined || !Number.isFinite(x) ? 'n/a' : x.toFixed(4));
const ms = (m: MeanStd | undefined, folds: number): string => (m === undefined ? 'n/a' : folds > 1 ? `${f4(m.mean)} ± ${f4(m.std)}` : f4(m.mean));
const safe = (name: string): string => name.replace(/[^A-Za-z0-9_-]+/g, '_');

export interface ReportContext {
  readonly run: RunFolder;
  /** The run's pipeline, when pipeline.cvr could be resolved. */
  readonly pipeline?: ResolvedPipeline;
  /** Why it could not, when it could not. */
  readonly pipelineNote?: string;
  readonly cwd: string;
}

export function buildReport(ctx: ReportContext): { title: string; blocks: Block[] } {
  const { run, pipeline } = ctx;
  const m = run.metrics;
  const title = `${pipeline?.title ?? m.pipeline} — run report`;
  const models = Object.keys(m.models);
  const blocks: Block[] = [{ kind: 'heading', level: 1, text: title }];
  const folds = Math.max(0, ...Object.values(m.models).map((x) => x.folds.length));
  blocks.push({
    kind: 'paragraph',
    text: `Pipeline \`${m.pipeline}\` · seed ${m.seed} · engine \`${m.engine}\` · ${models.length} model${models.length === 1 ? '' : 's'} (${models.join(', ')}) · ${folds > 1 ? `${folds} folds` : 'one test set'} · classes ${m.classes.join(', ')}.`,
  });
  blocks.push({ kind: 'paragraph', text: runFactsLine(run) });

  blocks.push(...pipelineSection(ctx));
  blocks.push(...auditSection(ctx));
  blocks.push(...resultsSection(ctx));
  blocks.push(...shortcutEvidenceBlocks(m));
  for (const model of models) blocks.push(...modelSection(ctx, model, m.models[model]!));
  return { title, blocks };
}

function pipelineSection(ctx: ReportContext): Block[] {
  const out: Block[] = [{ kind: 'heading', level: 2, text: 'Pipeline' }];
  const p = ctx.pipeline;
  if (p !== undefined) {
    const supply = classSources(p);
    const rows: string[][] = [
      ['Task', p.task.classes.join(' vs ')],
      ...p.task.classes.map((c) => [`${c} from`, describeClassSources(supply[c] ?? { train: [], test: [] })]),
      ['Test design', describeSplit(p.split)],
      ['Image', `${p.image.width} x ${p.image.height}, resize ${p.image.resize}, ${p.image.channels} channel${p.image.channels === 1 ? '' : 's'}, normalize ${p.image.normalize}`],
      ['Augmentation', p.augment.map(describeAugment).join(', ') || 'none'],
      ['Models', p.models.map((x) => `${x.name} (weights ${x.weights}${x.width !== 1 ? `, width ${num(x.width)}` : ''})`).join(', ')],
      ['Optimizer', describeOptimizer(p.train)],
      ['Loss, class weights', `${p.train.loss}, ${describeClassWeights(p.train)}`],
      ['Batch, epochs', `${p.train.batch}, up to ${p.train.epochs}`],
      ['LR schedule', p.train.reduceLr !== undefined ? `× ${num(p.train.reduceLr.factor)} on ${p.train.reduceLr.metric} plateau (patience ${p.train.reduceLr.patience})` : 'constant'],
      ['Early stopping', p.train.earlyStop !== undefined ? `on ${p.train.earlyStop.metric}, patience ${p.train.earlyStop.patience}${p.train.earlyStop.restoreBest ? ', best weights restored' : ''}` : 'none'],
      ['Seed', String(p.seed)],
    ];
    out.push({ kind: 'table', header: ['Setting', 'Value'], rows });
  } else if (ctx.pipelineNote !== undefined) {
    out.push({ kind: 'paragraph', text: ctx.pipelineNote });
  }
  if (ctx.run.pipelineText !== undefined) out.push({ kind: 'code', summary: 'pipeline.cvr as run:', text: ctx.run.pipelineText });
  return out;
}

function auditSection(ctx: ReportContext): Block[] {
  const out: Block[] = [{ kind: 'heading', level: 2, text: 'Audit' }];
  const audit = ctx.run.audit;
  const base = audit?.sourceOnlyBaseline ?? ctx.run.metrics.audit.sourceOnlyBaseline;
  const independent = audit?.independent ?? ctx.run.metrics.audit.independent;
  out.push({
    kind: 'table',
    header: ['Source-only baseline', "Cramér's V (source, class)", 'Independent test'],
    rows: [[f4(base), f4(audit?.cramersV), independent ? 'yes' : 'no']],
    numeric: [true, true, false],
  });
  out.push({
    kind: 'paragraph',
    text: `The source-only baseline is the test accuracy of a rule that predicts each image's class from its source alone. ${base >= 0.9 ? '**It is high: the accuracy below may measure the source, not the disease.**' : 'A model has to beat it to show it learned more than the source.'}`,
  });
  if (audit === undefined) {
    out.push({ kind: 'paragraph', text: 'No audit.json in the run folder: count tables and findings are not available.' });
    return out;
  }
  const counts = audit.counts ?? [];
  if (counts.length > 0) {
    const partitions = [...new Set(counts.map((c) => c.partition))].sort(partitionOrder);
    const keys = [...new Map(counts.map((c) => [`${c.source}\u0000${c.class}`, [c.source, c.class] as const])).values()];
    const rows = keys.map(([source, cls]) => [
      source,
      cls,
      ...partitions.map((p) => String(counts.filter((c) => c.source === source && c.class === cls && c.partition === p).reduce((a, c) => a + c.n, 0))),
    ]);
    out.push({ kind: 'heading', level: 3, text: 'Images per source, class and partition' });
    out.push({ kind: 'table', header: ['Source', 'Class', ...partitions], rows, numeric: [false, false, ...partitions.map(() => true)] });
  }
  if (audit.classSources !== undefined) {
    out.push({ kind: 'list', items: Object.entries(audit.classSources).map(([cls, sources]) => `${cls}: ${sources.join(', ') || 'no source'}`) });
  }
  out.push(...ledgerSection(audit.ledger));
  const findings = audit.findings ?? [];
  out.push({ kind: 'heading', level: 3, text: 'Findings' });
  out.push(
    findings.length > 0
      ? { kind: 'list', items: findings.map((f) => `**${f.severity} ${f.code}** ${f.message}${f.hint !== undefined ? ` (hint: ${f.hint})` : ''}`) }
      : { kind: 'paragraph', text: 'No findings.' },
  );
  out.push(...nearDuplicateBlocks(audit));
  return out;
}

const NEAR_KIND: Readonly<Record<string, string>> = { 'test-training': 'test ↔ training', sources: 'across sources', partition: 'same partition' };

/** The top near-duplicate pairs (docs/dedupe.md): one line in markdown, the thumbnails side by side in HTML. */
function nearDuplicateBlocks(audit: AuditJson): Block[] {
  const pairs = audit.nearDuplicates ?? [];
  if (pairs.length === 0) return [];
  const caption = (p: (typeof pairs)[number]): string => `${p.a} ≈ ${p.b} (${p.similarity.toFixed(3)}, ${NEAR_KIND[p.kind] ?? p.kind})`;
  return [
    { kind: 'heading', level: 3, text: 'Near-duplicate pairs' },
    { kind: 'paragraph', text: `Top ${pairs.length} near-duplicate pair(s), test ↔ training first: ${pairs.map(caption).join('; ')}.` },
    { kind: 'gallery', htmlOnly: true, images: pairs.map((p) => ({ path: '', caption: caption(p), bytes: Buffer.from(p.png, 'base64') })) },
  ];
}

/** train, val, test, then folds in number order. */
function partitionOrder(a: string, b: string): number {
  const rank = (p: string): [number, number, string] => {
    const fold = /(\d+)/.exec(p);
    const role = ['train', 'val', 'validation', 'test'].findIndex((r) => p.endsWith(r));
    return [fold !== null ? Number(fold[1]) : -1, role, p];
  };
  const [fa, ra, pa] = rank(a);
  const [fb, rb, pb] = rank(b);
  return fa - fb || ra - rb || (pa < pb ? -1 : pa > pb ? 1 : 0);
}

function meanAuc(model: ModelMetrics): MeanStd | undefined {
  const entries = Object.entries(model.summary).filter(([k]) => k.startsWith('auc:'));
  if (entries.length === 0) return undefined;
  return { mean: entries.reduce((a, [, v]) => a + v.mean, 0) / entries.length, std: Math.max(...entries.map(([, v]) => v.std)) };
}

function resultsSection(ctx: ReportContext): Block[] {
  const m = ctx.run.metrics;
  const out: Block[] = [{ kind: 'heading', level: 2, text: 'Results' }];
  const names = Object.keys(m.models);
  const rows = names.map((name) => {
    const x = m.models[name]!;
    const k = x.folds.length;
    return [name, String(k), ms(x.summary.accuracy, k), accuracyInterval(x), ms(x.summary['macroPrecision'], k), ms(x.summary['macroRecall'], k), ms(x.summary.macroF1, k), ms(meanAuc(x), k)];
  });
  const header = ['Model', 'Folds', 'Accuracy', 'Accuracy 95 % interval', 'Macro precision', 'Macro recall', 'Macro F1', 'Mean AUC'];
  const numeric = [false, true, true, true, true, true, true, true];
  if (names.length > 1) {
    // Like the paper's Table 5: every model on one protocol, best first, the best value in bold.
    const order = names.map((n, i) => ({ n, i, acc: m.models[n]!.summary.accuracy.mean })).sort((a, b) => b.acc - a.acc || (a.n < b.n ? -1 : 1));
    const sorted = order.map((o) => rows[o.i]!);
    for (let c = 2; c < header.length; c++) {
      const values = sorted.map((r) => Number.parseFloat(r[c] ?? ''));
      const best = Math.max(...values.filter(Number.isFinite));
      sorted.forEach((r, i) => {
        if (values[i] === best) r[c] = `**${r[c]}**`;
      });
    }
    out.push({ kind: 'heading', level: 3, text: 'Model comparison (cf. the paper\'s Table 5)' });
    out.push({ kind: 'paragraph', text: `${names.length} models on the same data, split and protocol, ranked by accuracy${m.audit.independent ? ' on the independent test set' : ''}.` });
    out.push({ kind: 'table', header: ['Rank', ...header], rows: [...sorted.map((r, i) => [String(i + 1), ...r]), ['', ...baselineRow(ctx.run, header.length)]], numeric: [true, ...numeric] });
  } else {
    out.push({ kind: 'table', header, rows: [...rows, baselineRow(ctx.run, header.length)], numeric });
  }
  out.push(...oneClassBlocks(ctx.run));
  return out;
}

function modelSection(ctx: ReportContext, name: string, model: ModelMetrics): Block[] {
  return [
    { kind: 'heading', level: 2, text: `Model ${name}` },
    ...perFoldBlocks(ctx, name, model),
    ...perClassBlocks(ctx, name, model),
    ...confusionRocBlocks(ctx, name, model),
    ...trainingCurveBlocks(ctx, name, model),
    ...perSourceBlocks(ctx, name, model),
    ...gradcamBlocks(ctx, name, model),
  ];
}

function perFoldBlocks(ctx: ReportContext, name: string, model: ModelMetrics): Block[] {
  const classes = ctx.run.metrics.classes;
  const k = model.folds.length;
  const out: Block[] = [];
  // Per fold.
  out.push({ kind: 'heading', level: 3, text: k > 1 ? 'Per fold' : 'Test set' });
  const hasBootstrap = model.folds.some((f) => f.bootstrap?.['accuracy'] !== undefined);
  out.push({
    kind: 'table',
    header: ['Fold', 'Accuracy', ...(hasBootstrap ? ['95% interval'] : []), 'Macro F1', ...classes.map((c) => `Recall ${c}`), ...classes.map((c) => `AUC ${c}`)],
    rows: model.folds.map((f) => [
      String(f.fold),
      f4(f.accuracy),
      ...(hasBootstrap ? [interval(f)] : []),
      f4(f.macro.f1),
      ...classes.map((c) => f4(f.perClass[c]?.recall)),
      ...classes.map((c) => f4(f.auc?.[c])),
    ]),
    numeric: [true, true, ...(hasBootstrap ? [true] : []), true, ...classes.map(() => true), ...classes.map(() => true)],
  });
  return out;
}

function perClassBlocks(ctx: ReportContext, name: string, model: ModelMetrics): Block[] {
  const classes = ctx.run.metrics.classes;
  const k = model.folds.length;
  const out: Block[] = [];
  // Per class, mean over folds.
  const meanOf = (pick: (f: FoldMetrics) => number | undefined): number => {
    const v = model.folds.map(pick).filter((x): x is number => typeof x === 'number' && Number.isFinite(x));
    return v.length > 0 ? v.reduce((a, b) => a + b, 0) / v.length : Number.NaN;
  };
  out.push({ kind: 'heading', level: 3, text: `Per class${k > 1 ? ' (mean over folds)' : ''}` });
  out.push({
    kind: 'table',
    header: ['Class', 'Precision', 'Recall', 'F1', 'Support'],
    rows: classes.map((c) => [c, f4(meanOf((f) => f.perClass[c]?.precision)), f4(meanOf((f) => f.perClass[c]?.recall)), f4(meanOf((f) => f.perClass[c]?.f1)), String(model.folds.reduce((a, f) => a + (f.perClass[c]?.support ?? 0), 0))]),
    numeric: [false, true, true, true, true],
  });
  return out;
}

function confusionRocBlocks(ctx: ReportContext, name: string, model: ModelMetrics): Block[] {
  const classes = ctx.run.metrics.classes;
  const k = model.folds.length;
  const out: Block[] = [];
  // Confusion matrix (summed over folds) beside the ROC curves (from predictions.csv, pooled).
  const confusion = classes.map((_, r) => classes.map((_, c) => model.folds.reduce((a, f) => a + (f.confusion[r]?.[c] ?? 0), 0)));
  out.push({ kind: 'heading', level: 3, text: `Confusion matrix${k > 1 ? ' (summed over folds)' : ''} and ROC curves` });
  out.push({
    kind: 'table',
    header: ['true \\ predicted', ...classes],
    rows: classes.map((c, r) => [c, ...classes.map((_, j) => String(confusion[r]?.[j] ?? 0))]),
    numeric: [false, ...classes.map(() => true)],
  });
  const preds = ctx.run.predictions.filter((p) => p.model === name);
  const series: Series[] = [];
  const aucs: string[] = [];
  classes.forEach((c, i) => {
    // In a binary task the two one-vs-rest curves mirror each other: draw the positive class only.
    if (classes.length === 2 && i === 0) return;
    const roc = rocCurve(preds.map((p) => p.probabilities[i] ?? 0), preds.map((p) => p.trueClass === c));
    if (roc === undefined) return;
    series.push({ name: `${c} (AUC ${roc.auc.toFixed(3)})`, points: roc.points, color: i });
    aucs.push(`${c} ${f4(roc.auc)}`);
  });
  out.push({
    kind: 'paragraph',
    text:
      preds.length === 0
        ? 'No predictions for this model in predictions.csv: ROC curves need the scored test images.'
        : `ROC one-vs-rest from ${preds.length} scored test images${k > 1 ? ' pooled over folds' : ''}; AUC ${aucs.join(', ') || 'n/a (a class has no positives or negatives)'}.`,
  });
  out.push({
    kind: 'plot',
    file: `plots/confusion-${safe(name)}.png`,
    alt: `confusion matrix of ${name}`,
    svg: heatmap({ title: `Confusion matrix — ${name}`, rowLabels: classes, colLabels: classes, values: confusion, rowTitle: 'true class', colTitle: 'predicted class' }),
  });
  if (preds.length > 0) {
    out.push({
      kind: 'plot',
      file: `plots/roc-${safe(name)}.png`,
      alt: `ROC curves of ${name}`,
      svg: lineChart({ title: `ROC — ${name}`, xLabel: 'false positive rate', yLabel: 'true positive rate', series, x: [0, 1], y: [0, 1], diagonal: true }),
    });
  }
  out.push(...modelEvidenceBlocks(ctx.run, name, ctx.run.metrics.seed));
  return out;
}

function trainingCurveBlocks(ctx: ReportContext, name: string, model: ModelMetrics): Block[] {
  const k = model.folds.length;
  const out: Block[] = [];
  // Training curves.
  const history = historyOf(ctx.run.epochs, name);
  out.push({ kind: 'heading', level: 3, text: 'Training curves' });
  if (history.length === 0) {
    out.push({ kind: 'paragraph', text: 'No epoch events for this model in events.ndjson.' });
  } else {
    const curve = (key: string, label: string, dashed: boolean): Series[] =>
      history.flatMap((h) => {
        const ys = h.series[key];
        return ys === undefined ? [] : [{ name: `${label}${k > 1 ? ` fold ${h.fold}` : ''}`, points: h.epochs.map((e, i) => [e, ys[i] ?? Number.NaN] as [number, number]), dashed, color: h.fold }];
      });
    const lastEpochs = history.map((h) => `${k > 1 ? `fold ${h.fold}: ` : ''}${h.epochs.length} epochs`).join(', ');
    const validated = history.some((h) => h.series['val_loss'] !== undefined);
    out.push({ kind: 'paragraph', text: `${validated ? 'Solid: training; dashed: validation' : 'Training (no validation set)'}. ${lastEpochs}.` });
    out.push({
      kind: 'plot',
      file: `plots/loss-${safe(name)}.png`,
      alt: `loss per epoch of ${name}`,
      svg: lineChart({ title: `Loss — ${name}`, xLabel: 'epoch', integerX: true, yLabel: 'loss', series: [...curve('loss', 'train', false), ...curve('val_loss', 'val', true)] }),
    });
    out.push({
      kind: 'plot',
      file: `plots/accuracy-${safe(name)}.png`,
      alt: `accuracy per epoch of ${name}`,
      svg: lineChart({ title: `Accuracy — ${name}`, xLabel: 'epoch', integerX: true, yLabel: 'accuracy', y: [0, 1], series: [...curve('accuracy', 'train', false), ...curve('val_accuracy', 'val', true)] }),
    });
    const lrSeries: Series[] = history.flatMap((h) => {
      const lr = learningRate(h);
      return lr === undefined ? [] : [{ name: `lr${k > 1 ? ` fold ${h.fold}` : ''}`, points: h.epochs.map((e, i) => [e, lr[i] ?? Number.NaN] as [number, number]), color: h.fold }];
    });
    if (lrSeries.length > 0) {
      out.push({
        kind: 'plot',
        file: `plots/lr-${safe(name)}.png`,
        alt: `learning rate per epoch of ${name}`,
        svg: lineChart({ title: `Learning rate — ${name}`, xLabel: 'epoch', integerX: true, yLabel: 'learning rate (log)', logY: true, series: lrSeries }),
      });
    }
  }
  return out;
}

function perSourceBlocks(ctx: ReportContext, name: string, model: ModelMetrics): Block[] {
  const k = model.folds.length;
  const out: Block[] = [];
  // Per source.
  const sources = [...new Set(model.folds.flatMap((f) => Object.keys(f.bySource)))].sort();
  out.push({ kind: 'heading', level: 3, text: 'Accuracy per test source' });
  if (sources.length === 0) {
    out.push({ kind: 'paragraph', text: 'No per-source metrics (evaluate by_source).' });
  } else {
    const bySource = sources.map((s) => {
      const entries = model.folds.map((f) => f.bySource[s]).filter((e) => e !== undefined);
      const n = entries.reduce((a, e) => a + e.n, 0);
      const correct = entries.reduce((a, e) => a + e.accuracy * e.n, 0);
      return { source: s, n, accuracy: n > 0 ? correct / n : Number.NaN };
    });
    out.push({
      kind: 'table',
      header: ['Source', ...(k > 1 ? model.folds.map((f) => `Fold ${f.fold}`) : []), 'Accuracy', 'Images'],
      rows: bySource.map((b) => [b.source, ...(k > 1 ? model.folds.map((f) => f4(f.bySource[b.source]?.accuracy)) : []), f4(b.accuracy), String(b.n)]),
      numeric: [false, ...(k > 1 ? model.folds.map(() => true) : []), true, true],
    });
    out.push({
      kind: 'plot',
      file: `plots/by-source-${safe(name)}.png`,
      alt: `accuracy per source of ${name}`,
      svg: barChart({
        title: `Accuracy per test source — ${name}`,
        yLabel: 'accuracy',
        yMax: 1,
        bars: bySource.map((b) => ({ label: b.source, value: b.accuracy, note: `n ${b.n}` })),
        reference: { value: model.summary.accuracy.mean, label: `overall ${f4(model.summary.accuracy.mean)}` },
      }),
    });
  }
  return out;
}

function gradcamBlocks(ctx: ReportContext, name: string, model: ModelMetrics): Block[] {
  const m = ctx.run.metrics;
  const out: Block[] = [];
  // GradCAM.
  const cams = ctx.run.gradcam.filter((g) => g.model === name || (g.model === '' && Object.keys(m.models).length === 1));
  // Only when the pipeline asked for GradCAM (or the folder has images): no empty section otherwise.
  if (cams.length === 0 && ctx.pipeline?.evaluate.gradcam === undefined) return out;
  out.push({ kind: 'heading', level: 3, text: 'GradCAM' });
  if (cams.length === 0) {
    out.push({ kind: 'paragraph', text: 'No GradCAM images in gradcam/ for this model.' });
  } else {
    const targets = [...new Set(cams.map((c) => c.target))];
    for (const target of targets) {
      const images = cams.filter((c) => c.target === target);
      if (targets.length > 1 || target !== '') out.push({ kind: 'paragraph', text: `Target \`${target || 'model'}\` (${images.length} image${images.length === 1 ? '' : 's'}):` });
      out.push({ kind: 'gallery', images: images.map((i) => ({ path: i.path, caption: i.path.split(/[\\/]/).pop() ?? i.path, bytes: i.bytes })) });
    }
  }
  return out;
}

function interval(f: FoldMetrics): string {
  const b = f.bootstrap?.['accuracy'];
  return b === undefined ? 'n/a' : `${f4(b.low)} – ${f4(b.high)}`;
}
