/** `labels`: every scanned image mapped to a task class (the pipeline's label mapping). */
import { mapLabels, type ScannedImage } from '../../data/index.ts';
import type { NodeHandler } from '../executor.ts';
import type { StageKit } from './kit.ts';

export function labelsNode(kit: StageKit): NodeHandler {
  const { pipeline, failOn } = kit;
  return async (node, inputs) => {
    const scanned = node.inputs.flatMap((id) => (inputs[id] as { images: ScannedImage[] }).images);
    const result = mapLabels(pipeline, scanned);
    failOn(result.diagnostics, 'mapping labels failed');
    return { images: result.images, mapping: result.mapping, diagnostics: result.diagnostics };
  };
}
