/** `split`: the deterministic assignment of images to folds and roles, stored as JSON. */
import { assignSplit } from '../../data/index.ts';
import type { StoredSplit } from './kit.ts';
import { defineNode } from './contract.ts';
import { labelsNode } from './labels.ts';

export const splitNode = defineNode({
  kind: 'split',
  outputSchemaVersion: 1,
  inputs: { labels: labelsNode },
  run: async ({ inputs, kit }): Promise<StoredSplit> => {
    const result = assignSplit(kit.pipeline, inputs.labels.images, { seed: kit.seed });
    kit.failOn(result.diagnostics, 'assigning the split failed');
    return {
      form: result.form,
      images: result.images,
      folds: result.folds.map((f) => ({ index: f.index, name: f.name, roles: Array.from(f.roles), validationIsTest: f.validationIsTest })),
    };
  },
});
