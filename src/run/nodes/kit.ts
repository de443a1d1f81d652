/**
 * What every node handler of a run shares: the pipeline, the seed, the task's classes, and the
 * helpers that open a node's inputs (the prepared images, a trained model). Each kind's contract
 * (its inputs, output type and version) is in its own module, defined with contract.ts.
 */
import { join } from 'node:path';
import type * as tf from '@tensorflow/tfjs';
import type { Diagnostic } from '../../diag/index.ts';
import type { ResolvedPipeline } from '../../dsl/index.ts';
import type { PlanNode } from '../../plan/index.ts';
import { ROLE, openPrepared, type SplitResult, type ImageSource, type PreparedImages, type LabeledImage, type LabelledImage } from '../../data/index.ts';
import { predictProbabilitiesAsync, loadModelWeights } from '../../train/index.ts';
import { branchPaths, buildModel, loadWeights, weightsSource } from '../../models/index.ts';
import type { Prediction } from '../../evaluate/index.ts';
import { preparedFromCache } from '../relocate.ts';
import { NodeFailure, type NodeContext } from '../executor.ts';

export interface StageOptions {
  /** The pipeline with `sources from manifest` expanded (the one the plan was built from). */
  readonly pipeline: ResolvedPipeline;
  readonly seed: number;
  /** The shared cache folder; preprocessed shards live under `<cache>/prep/`. */
  readonly cacheDir: string;
  /** Renders diagnostics for a failure message. */
  readonly render: (diagnostics: readonly Diagnostic[]) => string;
  /** Where `weights imagenet` looks (CVR_WEIGHTS_DIR); default process.env. */
  readonly env?: Readonly<Record<string, string | undefined>>;
}

/** The split as stored in the cache: roles as plain arrays (JSON has no Uint8Array). */
export interface StoredSplit {
  readonly form: SplitResult['form'];
  readonly images: readonly LabeledImage[];
  readonly folds: readonly { readonly index: number; readonly name: string; readonly roles: readonly number[]; readonly validationIsTest: boolean }[];
}

export const WEIGHTS_FILE = 'weights.bin';

export function restoreSplit(stored: StoredSplit): SplitResult {
  return { form: stored.form, images: stored.images, folds: stored.folds.map((f) => ({ ...f, roles: Uint8Array.from(f.roles) })), diagnostics: [] };
}

/** An image's id across sources (ids are only unique within their source). */
export function imageKey(image: { readonly source: string; readonly id: string }): string {
  return `${image.source}:${image.id}`;
}

export interface StageKit {
  readonly options: StageOptions;
  readonly pipeline: ResolvedPipeline;
  readonly seed: number;
  readonly classes: readonly string[];
  failOn(diagnostics: readonly Diagnostic[], what: string): void;
  /** The prep inputs of a node (their outputs), opened as one image source. */
  openImages(node: PlanNode, prepared: readonly PreparedImages[]): ImageSource & { close(): void };
  itemsOf(split: StoredSplit, fold: number, role: number): LabelledImage[];
  declaredModel(node: PlanNode): ResolvedPipeline['models'][number];
  createModel(node: PlanNode): Promise<tf.LayersModel>;
  trainedModel(node: PlanNode, fold: number, ctx: NodeContext): Promise<tf.LayersModel>;
  predictTest(node: PlanNode, fold: number, split: StoredSplit, model: tf.LayersModel, images: ImageSource, ctx: NodeContext): Promise<(Prediction & { image: string })[]>;
}

export function stageKit(options: StageOptions): StageKit {
  const { pipeline, seed } = options;
  const classes = pipeline.task.classes;

  function failOn(diagnostics: readonly Diagnostic[], what: string): void {
    const errors = diagnostics.filter((d) => d.severity === 'error');
    if (errors.length > 0) throw new NodeFailure(`${what}:\n${options.render(errors)}`, errors);
  }

  function openImages(node: PlanNode, stored: readonly PreparedImages[]): ImageSource & { close(): void } {
    const prepared = stored.map((p) => preparedFromCache(p, options.cacheDir));
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
      nodeKey: node.streamKey,
      ...(typeof declared.options['bn_momentum'] === 'number' && { bnMomentum: declared.options['bn_momentum'] }),
    });
    if (!built.ok) throw new NodeFailure(options.render(built.diagnostics), built.diagnostics);
    const source = weightsSource(declared.name, declared.weightsFiles !== undefined ? branchPaths(declared.weightsFiles) : declared.weights, options.env ?? process.env);
    if (source.kind === 'missing') throw new NodeFailure(options.render(source.diagnostics), source.diagnostics);
    if (source.kind === 'paths') {
      const loaded = await loadWeights(built.model, source.paths);
      if (!loaded.ok) throw new NodeFailure(options.render(loaded.diagnostics), loaded.diagnostics);
    }
    return built.model;
  }

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

  return { options, pipeline, seed, classes, failOn, openImages, itemsOf, declaredModel, createModel, trainedModel, predictTest };
}
