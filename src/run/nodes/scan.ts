/** `scan:<source>`: the source's images (folder or manifest), with the scan's diagnostics and ledger. */
import { scanSource } from '../../data/index.ts';
import type { NodeHandler } from '../executor.ts';
import type { StageKit } from './kit.ts';

export function scanNode(kit: StageKit): NodeHandler {
  const { pipeline, failOn } = kit;
  return async (node) => {
    const source = pipeline.sources.find((s) => s.name === node.config['source']);
    if (source === undefined) throw new Error(`Internal error: ${node.id} names no declared source`);
    const result = await scanSource(pipeline, source, { metadataOnly: false });
    failOn(result.diagnostics, `scanning source ${source.name} failed`);
    // The source's ledger travels with its images: labels, split and audit carry it to audit.json.
    return { images: result.images, diagnostics: result.diagnostics, ledger: result.ledger.toJSON() };
  };
}
