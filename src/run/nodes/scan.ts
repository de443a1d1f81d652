/** `scan:<source>`: the source's images (folder or manifest), with the scan's diagnostics. */
import type { Diagnostic } from '../../diag/index.ts';
import { scanSource, type ScannedImage } from '../../data/index.ts';
import { defineNode } from './contract.ts';

export interface ScanOutput {
  readonly images: readonly ScannedImage[];
  readonly diagnostics: readonly Diagnostic[];
}

export const scanNode = defineNode({
  kind: 'scan',
  outputSchemaVersion: 1,
  inputs: {},
  run: async ({ node, kit }): Promise<ScanOutput> => {
    const source = kit.pipeline.sources.find((s) => s.name === node.config['source']);
    if (source === undefined) throw new Error(`Internal error: ${node.id} names no declared source`);
    const result = await scanSource(kit.pipeline, source, { metadataOnly: false });
    kit.failOn(result.diagnostics, `scanning source ${source.name} failed`);
    return { images: result.images, diagnostics: result.diagnostics };
  },
});
