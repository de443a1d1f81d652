/** `predict:<model>:<fold>`: softmax outputs of the fold's trained model on its test images. */
import type { PredictionRow } from '../../evaluate/index.ts';
import { defineNode, many } from './contract.ts';
import { splitNode } from './split.ts';
import { prepNode } from './prep.ts';
import { trainNode } from './train.ts';

export interface PredictOutput {
  readonly predictions: readonly PredictionRow[];
}

export const predictNode = defineNode({
  kind: 'predict',
  outputSchemaVersion: 1,
  // The trained weights are read from the train node's cache entry (kit.trainedModel).
  inputs: { train: trainNode, split: splitNode, prep: many(prepNode) },
  run: async ({ node, inputs, ctx, kit }): Promise<PredictOutput> => {
    const fold = node.fold ?? 0;
    const images = kit.openImages(node, inputs.prep);
    const model = await kit.trainedModel(node, fold, ctx);
    try {
      const partition = inputs.split.folds.length > 1 ? `test:${fold}` : 'test';
      const predictions: PredictionRow[] = (await kit.predictTest(node, fold, inputs.split, model, images, ctx)).map((p) => ({ ...p, partition }));
      return { predictions };
    } finally {
      model.dispose();
      images.close();
    }
  },
});
