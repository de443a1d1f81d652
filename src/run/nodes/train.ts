/** `train:<model>:<fold>`: fits the model on the fold (resuming a checkpoint), stores its weights. */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { ROLE } from '../../data/index.ts';
import { fit, CHECKPOINT_FILE, recalibrateBatchNorm, saveModelWeights, type EpochLogs, type FitStatus } from '../../train/index.ts';
import { streamFactory } from '../../engine/index.ts';
import { NodeFailure } from '../executor.ts';
import { WEIGHTS_FILE } from './kit.ts';
import { defineNode, many } from './contract.ts';
import { splitNode } from './split.ts';
import { prepNode } from './prep.ts';

/** What a fit did; the weights themselves are the file `weights` in the node's cache entry. */
export interface TrainOutput {
  readonly weights: string;
  readonly status: FitStatus;
  readonly epochs: number;
  readonly history: readonly EpochLogs[];
  readonly bestEpoch?: number;
  readonly resumedFrom: number;
  readonly classWeights: readonly number[];
}

export const trainNode = defineNode({
  kind: 'train',
  outputSchemaVersion: 1,
  inputs: { split: splitNode, prep: many(prepNode) },
  run: async ({ node, inputs, ctx, kit }): Promise<TrainOutput> => {
    const { options, pipeline, seed, classes, openImages, itemsOf, declaredModel, createModel } = kit;
    const fold = node.fold ?? 0;
    const split = inputs.split;
    const foldCount = split.folds.length;
    const images = openImages(node, inputs.prep);
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
        random: streamFactory(seed, node.streamKey),
        checkpointDir: ctx.workDir,
        // Batch events carry the planned epochs and folds, so the view has an ETA from the first batch.
        emit: (event) => ctx.emit(event.type === 'batch' ? { epochs: pipeline.train.epochs, folds: foldCount, ...event } : event),
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
        ...(result.bestEpoch === undefined ? {} : { bestEpoch: result.bestEpoch }),
        resumedFrom: result.resumedFrom,
        classWeights: result.classWeights,
      };
    } finally {
      images.close();
    }
  },
});
