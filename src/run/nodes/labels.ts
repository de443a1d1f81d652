/** `labels`: every scanned image mapped to a task class (the pipeline's label mapping). */
import type { Diagnostic } from '../../diag/index.ts';
import { mapLabels, type LabeledImage, type LabelMappingRow } from '../../data/index.ts';
import { defineNode, many } from './contract.ts';
import { scanNode } from './scan.ts';

export interface LabelsOutput {
  readonly images: readonly LabeledImage[];
  readonly mapping: readonly LabelMappingRow[];
  readonly diagnostics: readonly Diagnostic[];
}

export const labelsNode = defineNode({
  kind: 'labels',
  outputSchemaVersion: 1,
  inputs: { scans: many(scanNode) },
  run: async ({ inputs, kit }): Promise<LabelsOutput> => {
    const result = mapLabels(kit.pipeline, inputs.scans.flatMap((scan) => scan.images));
    kit.failOn(result.diagnostics, 'mapping labels failed');
    return { images: result.images, mapping: result.mapping, diagnostics: result.diagnostics };
  },
});
