/** `metrics:<model>`: per-fold metrics of the model's predictions and their mean ± std. */
import { evaluateFold, summarizeFolds, type FoldMetrics, type Prediction } from '../../evaluate/index.ts';
import { randomStream } from '../../engine/index.ts';
import type { NodeHandler } from '../executor.ts';
import type { StageKit } from './kit.ts';

export function metricsNode(kit: StageKit): NodeHandler {
  const { pipeline, seed, classes } = kit;
  return async (node, inputs) => {
    // Bootstrap intervals only for a single test set (holdout, given); folds already give a spread.
    const holdout = pipeline.split.form === 'holdout' || pipeline.split.form === 'given';
    const folds: FoldMetrics[] = node.inputs.map((id, fold) =>
      evaluateFold({
        fold,
        predictions: (inputs[id] as { predictions: Prediction[] }).predictions,
        classes,
        evaluate: pipeline.evaluate,
        holdout,
        random: randomStream(seed, node.key, 'bootstrap'),
      }),
    );
    return summarizeFolds(folds);
  };
}
