/** `labels`: every scanned image mapped to a task class (the pipeline's label mapping), and the ledger. */
import type { Diagnostic } from '../../diag/index.ts';
import { LedgerBook, mapLabels, type LabeledImage, type LabelMappingRow, type SourceLedger } from '../../data/index.ts';
import { defineNode, many } from './contract.ts';
import { scanNode } from './scan.ts';

export interface LabelsOutput {
  readonly images: readonly LabeledImage[];
  readonly mapping: readonly LabelMappingRow[];
  readonly diagnostics: readonly Diagnostic[];
  /** The scans' ledgers, with the images the mapping leaves out moved off `used` (as `cvr audit` does). */
  readonly ledger: readonly SourceLedger[];
}

export const labelsNode = defineNode({
  kind: 'labels',
  outputSchemaVersion: 2,
  inputs: { scans: many(scanNode) },
  run: async ({ inputs, kit }): Promise<LabelsOutput> => {
    const ledger = new LedgerBook();
    for (const scan of inputs.scans) ledger.mergeJSON(scan.ledger);
    const result = mapLabels(kit.pipeline, inputs.scans.flatMap((scan) => scan.images), ledger);
    kit.failOn(result.diagnostics, 'mapping labels failed');
    return { images: result.images, mapping: result.mapping, diagnostics: result.diagnostics, ledger: ledger.toJSON() };
  },
});
