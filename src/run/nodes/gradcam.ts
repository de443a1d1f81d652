/** `gradcam:<model>`: GradCAM overlays in the run folder. */
import { join, relative } from 'node:path';
import type { PlanNode } from '../../plan/index.ts';
import { gradcam } from '../../evaluate/index.ts';
import { NodeFailure, type NodeContext } from '../executor.ts';
import type { NodeHandler } from '../executor.ts';
import type { StageKit } from './kit.ts';

/**
 * `evaluate { gradcam CLASS top K threshold T }`: overlays of the K most confident correct test
 * predictions of CLASS, under `<run>/gradcam/<model>/<target>/` (where report/ looks for them);
 * with several folds one set per fold's model and test set, named `fold-<n>-NN-<image>.png`.
 */
export function gradcamNode(kit: StageKit): NodeHandler {
  const { options, pipeline, classes, splitOf, openImages, trainedModel, predictTest } = kit;
  return async (node: PlanNode, inputs: Readonly<Record<string, unknown>>, ctx: NodeContext): Promise<unknown> => {
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
  };
}
