/**
 * The real node handlers: each plan node kind runs its stage's function (data scanning, labels,
 * split and audit from data/ and plan/; preprocessing, training, prediction and metrics from
 * data/, train/ and evaluate/) and returns a JSON output the cache stores. User problems (bad
 * files, an audit error, a diverging loss) become `NodeFailure`s with the stage's diagnostics.
 */
import { existsSync } from 'node:fs';
import { join, relative } from 'node:path';
import type { Diagnostic } from '../diag/diagnostic.ts';
import type { ResolvedPipeline } from '../dsl/resolved.ts';
import type { PlanNode } from '../plan/types.ts';
import type { AuditReport } from '../plan/audit.ts';
import { audit } from '../plan/audit.ts';
import { lockFileOf, pipelineLock } from '../plan/lock.ts';
import { scanSource } from '../data/scan.ts';
import { mapLabels } from '../data/labels.ts';
import { assignSplit, ROLE, type SplitResult } from '../data/split.ts';
import { hashFiles } from '../data/content-hash.ts';
import type { LabeledImage, ScannedImage } from '../data/types.ts';
import { openPrepared, prepareImages, type ImageSource, type PreparedImages } from '../data/prep-cache.ts';
import type { LabelledImage } from '../data/batches.ts';
import { fit, CHECKPOINT_FILE } from '../train/fit.ts';
import { predictProbabilitiesAsync } from '../train/predict.ts';
import { recalibrateBatchNorm } from '../train/recalibrate-bn.ts';
import { loadModelWeights, saveModelWeights } from '../train/model-weights.ts';
import { createStream, streamFactory } from '../train/random.ts';
import { buildModel, loadWeights } from '../models/index.ts';
import { evaluateFold, gradcam, summarizeFolds, type Prediction } from '../evaluate/index.ts';
import type { PredictionRow } from '../evaluate/predictions-csv.ts';
import type { FoldMetrics } from '../evaluate/types.ts';
import { writeReport } from '../report/index.ts';
import { NodeFailure, type Handlers, type NodeContext } from './executor.ts';
import { succeeded } from './node-result.ts';
import { preparedForCache, preparedFromCache, preparedReferences } from './relocate.ts';
import type * as tf from '@tensorflow/tfjs';

export interface StageOptions {
  /** The pipeline with `sources from manifest` expanded (the one the plan was built from). */
  readonly pipeline: ResolvedPipeline;
  readonly seed: number;
  /** The shared cache folder; preprocessed shards live under `<cache>/prep/`. */
  readonly cacheDir: string;
  /** Renders diagnostics for a failure message. */
  readonly render: (diagnostics: readonly Diagnostic[]) => string;
}

/** The split as stored in the cache: roles as plain arrays (JSON has no Uint8Array). */
interface StoredSplit {
  readonly form: SplitResult['form'];
  readonly images: readonly LabeledImage[];
  readonly folds: readonly { readonly index: number; readonly name: string; readonly roles: readonly number[]; readonly validationIsTest: boolean }[];
}

const WEIGHTS_FILE = 'weights.bin';

function restoreSplit(stored: StoredSplit): SplitResult {
  return { form: stored.form, images: stored.images, folds: stored.folds.map((f) => ({ ...f, roles: Uint8Array.from(f.roles) })), diagnostics: [] };
}

/** An image's id across sources (ids are only unique within their source). */
function imageKey(image: { readonly source: string; readonly id: string }): string {
  return `${image.source}:${image.id}`;
}

export function stageHandlers(options: StageOptions): Handlers {
  const { pipeline, seed } = options;
  const classes = pipeline.task.classes;

  function failOn(diagnostics: readonly Diagnostic[], what: string): void {
    const errors = diagnostics.filter((d) => d.severity === 'error');
    if (errors.length > 0) throw new NodeFailure(`${what}:\n${options.render(errors)}`, errors);
  }

  function splitOf(inputs: Readonly<Record<string, unknown>>): StoredSplit {
    return inputs['split'] as StoredSplit;
  }

  /** Every prep input of a node, opened as one image source. */
  function openImages(node: PlanNode, inputs: Readonly<Record<string, unknown>>): ImageSource & { close(): void } {
    const prepared = node.inputs.filter((id) => id.startsWith('prep:')).map((id) => preparedFromCache(inputs[id] as PreparedImages, options.cacheDir));
    const first = prepared[0];
    if (first === undefined) throw new Error(`Internal error: ${node.id} has no prep inputs`);
    const opened = openPrepared({ settings: first.settings, shards: prepared.flatMap((p) => p.shards) });
    if (!opened.ok) throw new NodeFailure(options.render(opened.diagnostics), opened.diagnostics);
    return opened.source;
  }

  function itemsOf(split: StoredSplit, fold: number, role: number): LabelledImage[] {
    const roles = split.folds[fold]?.roles ?? [];
    return split.images.flatMap((image, i) => (roles[i] === role ? [{ id: imageKey(image), classIndex: classes.indexOf(image.taskClass) }] : []));
  }

  function declaredModel(node: PlanNode): ResolvedPipeline['models'][number] {
    const declared = pipeline.models.find((m) => m.name === node.model);
    if (declared === undefined) throw new Error(`Internal error: ${node.id} names no declared model`);
    return declared;
  }

  async function createModel(node: PlanNode): Promise<tf.LayersModel> {
    const declared = declaredModel(node);
    const built = buildModel(declared.name, {
      size: pipeline.image.width,
      channels: pipeline.image.channels,
      classes: classes.length,
      width: declared.width,
      seed,
      nodeKey: node.key,
      ...(typeof declared.options['bn_momentum'] === 'number' && { bnMomentum: declared.options['bn_momentum'] }),
    });
    if (!built.ok) throw new NodeFailure(options.render(built.diagnostics));
    if (declared.weights !== 'none') {
      const loaded = await loadWeights(built.model, declared.weights);
      if (!loaded.ok) throw new NodeFailure(options.render(loaded.diagnostics));
    }
    return built.model;
  }

  return {
    scan: async (node) => {
      const source = pipeline.sources.find((s) => s.name === node.config['source']);
      if (source === undefined) throw new Error(`Internal error: ${node.id} names no declared source`);
      const result = await scanSource(pipeline, source, { metadataOnly: false });
      failOn(result.diagnostics, `scanning source ${source.name} failed`);
      return { images: result.images, diagnostics: result.diagnostics };
    },

    labels: async (node, inputs) => {
      const scanned = node.inputs.flatMap((id) => (inputs[id] as { images: ScannedImage[] }).images);
      const result = mapLabels(pipeline, scanned);
      failOn(result.diagnostics, 'mapping labels failed');
      return { images: result.images, mapping: result.mapping, diagnostics: result.diagnostics };
    },

    split: async (_node, inputs) => {
      const labels = inputs['labels'] as { images: LabeledImage[] };
      const result = assignSplit(pipeline, labels.images, { seed });
      failOn(result.diagnostics, 'assigning the split failed');
      const stored: StoredSplit = {
        form: result.form,
        images: result.images,
        folds: result.folds.map((f) => ({ index: f.index, name: f.name, roles: Array.from(f.roles), validationIsTest: f.validationIsTest })),
      };
      return stored;
    },

    audit: async (_node, inputs, ctx) => {
      const split = restoreSplit(splitOf(inputs));
      const hashed = await hashFiles(split.images.map((i) => i.absPath));
      if (hashed.failures.length > 0) {
        throw new NodeFailure(`${hashed.failures.length} image file(s) could not be read, e.g. ${hashed.failures.slice(0, 3).map((f) => f.path).join(', ')}`);
      }
      const report: AuditReport = audit({ pipeline, split, seed, contentHashes: hashed.hashes });
      const errors = report.findings.filter((f) => f.severity === 'error');
      if (errors.length > 0) {
        // Show the findings before stopping: the audit is why this run does not train.
        ctx.emit({
          type: 'audit',
          t: ctx.now(),
          sourceOnlyBaseline: report.sourceOnlyBaseline,
          cramersV: report.cramersV,
          independent: report.independent,
          findings: report.findings.map((f) => ({ code: f.code, severity: f.severity, message: f.message })),
        });
        throw new NodeFailure(`the audit found ${errors.length} error(s); fix the design before training:\n${options.render(errors)}`, errors);
      }
      // The data fingerprint, in `cvr lock`'s format, so `cvr diff` reads a run folder's lock.json.
      const lock = pipelineLock({ pipeline, seed, diagnostics: [], split, contentHashes: hashed.hashes, report });
      return { ...report, dataLock: lock === undefined ? undefined : lockFileOf({ [pipeline.name]: lock }) };
    },

    prep: async (node, inputs, ctx) => {
      const scanId = node.inputs[0] ?? '';
      const images = (inputs[scanId] as { images: ScannedImage[] }).images;
      const result = await prepareImages(
        images.map((i) => ({ id: imageKey(i), path: i.absPath })),
        pipeline.image,
        {
          // prepareImages files its shards under `<cacheDir>/prep/` itself.
          cacheDir: options.cacheDir,
          signal: ctx.signal,
          onProgress: (done, total) => ctx.emit({ type: 'progress', t: ctx.now(), id: node.id, done, total, unit: 'images' }),
        },
      );
      if (ctx.signal.aborted) throw new Error('cancelled');
      if (!result.ok) throw new NodeFailure(options.render(result.diagnostics), result.diagnostics);
      return succeeded(preparedForCache(result.prepared, options.cacheDir), { references: preparedReferences(result.prepared) });
    },

    train: async (node, inputs, ctx) => trainNode(node, inputs, ctx),

    predict: async (node, inputs, ctx) => {
      const fold = node.fold ?? 0;
      const split = splitOf(inputs);
      const images = openImages(node, inputs);
      const model = await trainedModel(node, fold, ctx);
      try {
        const partition = split.folds.length > 1 ? `test:${fold}` : 'test';
        const predictions: PredictionRow[] = (await predictTest(node, fold, split, model, images, ctx)).map((p) => ({ ...p, partition }));
        return { predictions };
      } finally {
        model.dispose();
        images.close();
      }
    },

    metrics: async (node, inputs) => {
      // Bootstrap intervals only for a single test set (holdout, given); folds already give a spread.
      const holdout = pipeline.split.form === 'holdout' || pipeline.split.form === 'given';
      const folds: FoldMetrics[] = node.inputs.map((id, fold) =>
        evaluateFold({
          fold,
          predictions: (inputs[id] as { predictions: Prediction[] }).predictions,
          classes,
          evaluate: pipeline.evaluate,
          holdout,
          random: createStream(seed, node.key, 'bootstrap'),
        }),
      );
      return summarizeFolds(folds);
    },

    // Writes into the run folder, so it runs every time (its inputs, the trained models, are cached).
    gradcam: { cache: false, run: async (node, inputs, ctx) => gradcamNode(node, inputs, ctx) },
    // After every metrics and gradcam node: metrics.json, predictions.csv and gradcam/ are in the run folder.
    report: {
      cache: false,
      run: async (_node, _inputs, ctx) => {
        const written = await writeReport(ctx.runDir, { pipeline });
        if (!written.ok) throw new NodeFailure(`writing the report failed: ${written.message}`);
        return { written: true, files: written.files };
      },
    },
  };

  /** The model of `train:<model>:<fold>` with its trained weights. The caller disposes it. */
  async function trainedModel(node: PlanNode, fold: number, ctx: NodeContext): Promise<tf.LayersModel> {
    const model = await createModel(node);
    const trainId = `train:${node.model}:${fold}`;
    if (!(await loadModelWeights(model, join(ctx.dirOf(trainId), WEIGHTS_FILE)))) {
      model.dispose();
      throw new Error(`Internal error: the weights of ${trainId} do not fit ${node.model}`);
    }
    return model;
  }

  /** Softmax outputs for the fold's test images, with what predictions.csv and GradCAM need. */
  async function predictTest(node: PlanNode, fold: number, split: StoredSplit, model: tf.LayersModel, images: ImageSource, ctx: NodeContext): Promise<(Prediction & { image: string })[]> {
    const roles = split.folds[fold]?.roles ?? [];
    const test = split.images.filter((_, i) => roles[i] === ROLE.test);
    // The async variant yields between batches: Ctrl-C and the live view keep working.
    const probabilities = await predictProbabilitiesAsync({
      model,
      images,
      ids: test.map(imageKey),
      normalize: pipeline.image.normalize,
      classes: classes.length,
      batch: pipeline.train.batch,
      signal: ctx.signal,
      onProgress: (done, total) => ctx.emit({ type: 'progress', t: ctx.now(), id: node.id, done, total, unit: 'images' }),
    });
    if (probabilities === undefined) throw new Error('cancelled');
    return test.map((image, i) => ({
      id: imageKey(image),
      image: image.id,
      source: image.source,
      trueIndex: classes.indexOf(image.taskClass),
      probabilities: probabilities[i] ?? [],
    }));
  }

  /**
   * `evaluate { gradcam CLASS top K threshold T }`: overlays of the K most confident correct test
   * predictions of CLASS, under `<run>/gradcam/<model>/<target>/` (where report/ looks for them);
   * with several folds one set per fold's model and test set, named `fold-<n>-NN-<image>.png`.
   */
  async function gradcamNode(node: PlanNode, inputs: Readonly<Record<string, unknown>>, ctx: NodeContext): Promise<unknown> {
    const declared = pipeline.evaluate.gradcam;
    if (declared === undefined) return { written: false, reason: 'the pipeline has no gradcam statement' };
    const split = splitOf(inputs);
    const foldCount = split.folds.length;
    const images = openImages(node, inputs);
    const written: { fold: number; target: string; image: string; rank: number; probability: number; file: string }[] = [];
    const warnings: string[] = [];
    try {
      for (let fold = 0; fold < foldCount; fold++) {
        const model = await trainedModel(node, fold, ctx);
        try {
          const predictions = await predictTest(node, fold, split, model, images, ctx);
          const result = await gradcam({
            model,
            modelName: node.model ?? '',
            images,
            normalize: pipeline.image.normalize,
            classes,
            predictions,
            className: declared.className,
            top: declared.top,
            threshold: declared.threshold,
            outDir: join(ctx.runDir, 'gradcam'),
            ...(foldCount > 1 ? { filePrefix: `fold-${fold}-` } : {}),
          });
          if (!result.ok) throw new NodeFailure(options.render(result.diagnostics));
          if (result.diagnostics.length > 0) warnings.push(options.render(result.diagnostics));
          for (const image of result.images) {
            written.push({ fold, target: image.target, image: image.id, rank: image.rank, probability: image.probability, file: relative(ctx.runDir, image.file) });
          }
        } finally {
          model.dispose();
        }
      }
    } finally {
      images.close();
    }
    return { written: written.length > 0, images: written, warnings };
  }

  async function trainNode(node: PlanNode, inputs: Readonly<Record<string, unknown>>, ctx: NodeContext): Promise<unknown> {
    const fold = node.fold ?? 0;
    const split = splitOf(inputs);
    const foldCount = split.folds.length;
    const images = openImages(node, inputs);
    try {
      if (existsSync(join(ctx.workDir, CHECKPOINT_FILE))) {
        ctx.emit({ type: 'node-resumed', t: ctx.now(), id: node.id, kind: node.kind, from: 'the checkpoint of an interrupted run' });
      }
      const result = await fit({
        nodeId: node.id,
        model: node.model ?? '',
        fold,
        classes,
        train: itemsOf(split, fold, ROLE.train),
        validation: itemsOf(split, fold, ROLE.val),
        images,
        image: pipeline.image,
        augment: pipeline.augment,
        config: pipeline.train,
        createModel: () => createModel(node),
        random: streamFactory(seed, node.key),
        checkpointDir: ctx.workDir,
        // Batch events carry the planned epochs and folds, so the view has an ETA from the first batch.
        emit: (event) => ctx.emit(event.type === 'batch' ? { epochs: pipeline.train.epochs, folds: foldCount, ...event } : event),
        signal: ctx.signal,
        now: ctx.now,
      });
      if (!result.ok) throw new NodeFailure(options.render(result.diagnostics));
      try {
        if (result.status === 'cancelled') throw new Error('cancelled');
        if (declaredModel(node).options['bn_momentum'] !== undefined) {
          recalibrateBatchNorm({
            model: result.model,
            items: itemsOf(split, fold, ROLE.train),
            images,
            normalize: pipeline.image.normalize,
            classes: classes.length,
            batch: pipeline.train.batch,
            signal: ctx.signal,
          });
          if (ctx.signal.aborted) throw new Error('cancelled');
        }
        await saveModelWeights(result.model, join(ctx.outDir, WEIGHTS_FILE), { node: node.id });
      } finally {
        result.model.dispose();
      }
      return {
        weights: WEIGHTS_FILE,
        status: result.status,
        epochs: result.history.length,
        history: result.history,
        bestEpoch: result.bestEpoch,
        resumedFrom: result.resumedFrom,
        classWeights: result.classWeights,
      };
    } finally {
      images.close();
    }
  }
}
