/** `labels`: every scanned image mapped to a task class (the pipeline's label mapping), and the ledger. */
import { LedgerBook, mapLabels, type ScannedImage, type SourceLedger } from '../../data/index.ts';
import type { NodeHandler } from '../executor.ts';
import type { StageKit } from './kit.ts';

export function labelsNode(kit: StageKit): NodeHandler {
  const { pipeline, failOn } = kit;
  return async (node, inputs) => {
    const scans = node.inputs.map((id) => inputs[id] as { images: ScannedImage[]; ledger?: SourceLedger[] });
    // The scans' ledgers, with the images the mapping drops moved off `used` (as `cvr audit` does).
    const ledger = new LedgerBook();
    for (const scan of scans) ledger.mergeJSON(scan.ledger ?? []);
    const result = mapLabels(pipeline, scans.flatMap((s) => s.images), ledger);
    failOn(result.diagnostics, 'mapping labels failed');
    return { images: result.images, mapping: result.mapping, diagnostics: result.diagnostics, ledger: ledger.toJSON() };
  };
}
