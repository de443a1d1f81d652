/** `gradcam:<model>`: GradCAM overlays in the run folder. */
import { join, relative } from 'node:path';
import { gradcam } from '../../evaluate/index.ts';
import { NodeFailure } from '../executor.ts';
import { defineNode, many } from './contract.ts';
import { splitNode } from './split.ts';
import { prepNode } from './prep.ts';
import { trainNode } from './train.ts';

export interface GradcamImage {
  readonly fold: number;
  readonly target: string;
  readonly image: string;
  readonly rank: number;
  readonly probability: number;
  /** Relative to the run folder. */
  readonly file: string;
}

export type GradcamOutput =
  | { readonly written: false; readonly reason: string }
  | { readonly written: boolean; readonly images: readonly GradcamImage[]; readonly warnings: readonly string[] };

/**
 * `evaluate { gradcam CLASS top K threshold T }`: overlays of the K most confident correct test
 * predictions of CLASS, under `<run>/gradcam/<model>/<target>/` (where report/ looks for them);
 * with several folds one set per fold's model and test set, named `fold-<n>-NN-<image>.png`.
 */
export const gradcamNode = defineNode({
  kind: 'gradcam',
  outputSchemaVersion: 1,
  // Writes into the run folder, so it runs every time (its inputs, the trained models, are cached).
  cache: false,
  // The trained weights are read from the train nodes' cache entries (kit.trainedModel).
  inputs: { trained: many(trainNode), split: splitNode, prep: many(prepNode) },
  run: async ({ node, inputs, ctx, kit }): Promise<GradcamOutput> => {
    const { options, pipeline, classes, openImages, trainedModel, predictTest } = kit;
    const declared = pipeline.evaluate.gradcam;
    if (declared === undefined) return { written: false, reason: 'the pipeline has no gradcam statement' };
    const split = inputs.split;
    const foldCount = split.folds.length;
    const images = openImages(node, inputs.prep);
    const written: GradcamImage[] = [];
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
          if (!result.ok) throw new NodeFailure(options.render(result.diagnostics), result.diagnostics);
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
  },
});
