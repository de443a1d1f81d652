/** `split`: the deterministic assignment of images to folds and roles, stored as JSON. */
import { assignSplit, type LabeledImage, type SourceLedger } from '../../data/index.ts';
import type { StoredSplit, StageKit } from './kit.ts';
import type { NodeHandler } from '../executor.ts';

export function splitNode(kit: StageKit): NodeHandler {
  const { pipeline, seed, failOn } = kit;
  return async (_node, inputs) => {
    const labels = inputs['labels'] as { images: LabeledImage[]; ledger?: SourceLedger[] };
    const result = assignSplit(pipeline, labels.images, { seed });
    failOn(result.diagnostics, 'assigning the split failed');
    const stored: StoredSplit = {
      form: result.form,
      images: result.images,
      folds: result.folds.map((f) => ({ index: f.index, name: f.name, roles: Array.from(f.roles), validationIsTest: f.validationIsTest })),
      // Passed on to the audit node, which writes it into audit.json and lock.json.
      ...(labels.ledger === undefined ? {} : { ledger: labels.ledger }),
    };
    return stored;
  };
}
