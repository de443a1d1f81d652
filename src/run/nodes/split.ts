/**
 * `split`: the deterministic assignment of images to folds and roles, stored as JSON. With
 * `dedupe near` it first removes near-duplicates (docs/dedupe.md) from the prep nodes'
 * signatures, later copies in source order, and books them in the ledger.
 */
import { assignSplit } from '../../data/index.ts';
import { applyDedupe } from '../../plan/index.ts';
import { preparedFromCache } from '../relocate.ts';
import { NodeFailure } from '../executor.ts';
import type { StoredSplit } from './kit.ts';
import { defineNode, many } from './contract.ts';
import { labelsNode } from './labels.ts';
import { prepNode } from './prep.ts';

export const splitNode = defineNode({
  kind: 'split',
  outputSchemaVersion: 2,
  inputs: { labels: labelsNode, prep: many(prepNode) },
  run: async ({ inputs, kit }): Promise<StoredSplit> => {
    let images = inputs.labels.images;
    let ledger = inputs.labels.ledger;
    if (kit.pipeline.dedupe !== undefined) {
      const prepared = inputs.prep.map((p) => preparedFromCache(p, kit.options.cacheDir));
      const deduped = await applyDedupe(kit.pipeline, images, prepared, ledger);
      if (deduped === undefined) throw new NodeFailure('dedupe near: the prepared images do not cover every labelled image');
      images = deduped.images;
      ledger = deduped.ledger;
    }
    const result = assignSplit(kit.pipeline, images, { seed: kit.seed });
    kit.failOn(result.diagnostics, 'assigning the split failed');
    return {
      form: result.form,
      images: result.images,
      folds: result.folds.map((f) => ({ index: f.index, name: f.name, roles: Array.from(f.roles), validationIsTest: f.validationIsTest })),
      // Passed on to the audit node, which writes it into audit.json and lock.json.
      ledger,
    };
  },
});
