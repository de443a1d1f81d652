/** `train:<model>:<fold>`: fits the model on the fold (resuming a checkpoint), stores its weights. */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { PlanNode } from '../../plan/index.ts';
import { ROLE } from '../../data/index.ts';
import { fit, CHECKPOINT_FILE, recalibrateBatchNorm, saveModelWeights } from '../../train/index.ts';
import { streamFactory } from '../../engine/index.ts';
import { NodeFailure, type NodeContext } from '../executor.ts';
import { WEIGHTS_FILE } from './kit.ts';
import type { NodeHandler } from '../executor.ts';
import type { StageKit } from './kit.ts';

export function trainNode(kit: StageKit): NodeHandler {
  const { options, pipeline, seed, classes, splitOf, openImages, itemsOf, declaredModel, trainConfig, createModel } = kit;
  return async (node: PlanNode, inputs: Readonly<Record<string, unknown>>, ctx: NodeContext): Promise<unknown> => {
    const fold = node.fold ?? 0;
    const split = splitOf(inputs);
    const foldCount = split.folds.length;
    const config = trainConfig(node);
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
        config,
        createModel: () => createModel(node),
        random: streamFactory(seed, node.key),
        checkpointDir: ctx.workDir,
        // Batch events carry the planned epochs and folds, so the view has an ETA from the first batch.
        emit: (event) => ctx.emit(event.type === 'batch' ? { epochs: config.epochs, folds: foldCount, ...event } : event),
        signal: ctx.signal,
        now: ctx.now,
      });
      if (!result.ok) throw new NodeFailure(options.render(result.diagnostics), result.diagnostics);
      try {
        if (result.status === 'cancelled') throw new Error('cancelled');
        if (declaredModel(node).options['bn_momentum'] !== undefined) {
          recalibrateBatchNorm({
            model: result.model,
            items: itemsOf(split, fold, ROLE.train),
            images,
            normalize: pipeline.image.normalize,
            classes: classes.length,
            batch: config.batch,
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
  };
}
