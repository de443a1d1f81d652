/** `predict:<model>:<fold>`: softmax outputs of the fold's trained model on its test images. */
import type { PredictionRow } from '../../evaluate/index.ts';
import type { NodeHandler } from '../executor.ts';
import type { StageKit } from './kit.ts';

export function predictNode(kit: StageKit): NodeHandler {
  const { splitOf, openImages, trainedModel, predictTest } = kit;
  return async (node, inputs, ctx) => {
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
  };
}
