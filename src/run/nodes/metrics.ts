/** `metrics:<model>`: per-fold metrics of the model's predictions and their mean ± std. */
import { evaluateFold, summarizeFolds, type FoldMetrics, type ModelMetrics } from '../../evaluate/index.ts';
import { randomStream } from '../../engine/index.ts';
import { defineNode, many } from './contract.ts';
import { predictNode } from './predict.ts';

export const metricsNode = defineNode({
  kind: 'metrics',
  outputSchemaVersion: 1,
  // One predict node a fold, in fold order.
  inputs: { folds: many(predictNode) },
  run: async ({ node, inputs, kit }): Promise<ModelMetrics> => {
    const { pipeline, seed, classes } = kit;
    // Bootstrap intervals only for a single test set (holdout, given); folds already give a spread.
    const holdout = pipeline.split.form === 'holdout' || pipeline.split.form === 'given';
    const folds: FoldMetrics[] = inputs.folds.map((predicted, fold) =>
      evaluateFold({
        fold,
        predictions: predicted.predictions,
        classes,
        evaluate: pipeline.evaluate,
        holdout,
        random: randomStream(seed, node.streamKey, 'bootstrap'),
      }),
    );
    return summarizeFolds(folds);
  },
});
