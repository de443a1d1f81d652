/**
 * The lung field of a run (docs/probes.md): the default ellipses, the ellipses of
 * `probes { lung_field { ellipse … } }`, or each image's own mask from `lung_field { masks "…" }`
 * (read once per node, at the prepared size; a missing or mis-sized mask fails the node with
 * CVR824 / CVR825).
 */
import type { ResolvedPipeline } from '../../dsl/index.ts';
import type { PlanNode } from '../../plan/index.ts';
import { DEFAULT_LUNG_FIELD, loadLungMasks, lungFieldMask, maskAreaShare } from '../../data/index.ts';
import type { Diagnostic } from '../../diag/index.ts';
import { NodeFailure } from '../executor.ts';
import { imageKey, type LungField, type StoredSplit } from './kit.ts';

export async function lungFieldOf(pipeline: ResolvedPipeline, split: StoredSplit, render: (d: readonly Diagnostic[]) => string): Promise<LungField> {
  const { width, height } = pipeline.image;
  const declared = pipeline.lungField;
  if (declared?.kind !== 'masks') {
    const one = lungFieldMask(width, height, declared?.ellipses ?? DEFAULT_LUNG_FIELD);
    return { mask: () => one, areaShare: maskAreaShare(one) };
  }
  const images = split.images.map((im) => ({ key: imageKey(im), id: im.id, absPath: im.absPath }));
  const loaded = await loadLungMasks(declared.folder, images, width, height);
  if (!loaded.ok) throw new NodeFailure(`the lung masks of ${declared.folder}:\n${render(loaded.diagnostics)}`, loaded.diagnostics);
  const { masks } = loaded;
  const areaShare = images.length === 0 ? 0 : images.reduce((s, im) => s + maskAreaShare(masks.get(im.key)!), 0) / images.length;
  return {
    mask: (key) => {
      const m = masks.get(key);
      if (m === undefined) throw new Error(`Internal error: no lung mask loaded for ${key}`);
      return m;
    },
    areaShare,
  };
}

/** The lung field a masked probe's train or predict node blanks by; undefined for every other node. */
export async function fieldIfMasked(kit: { readonly pipeline: ResolvedPipeline; readonly options: { readonly render: (d: readonly Diagnostic[]) => string } }, node: PlanNode, split: StoredSplit): Promise<LungField | undefined> {
  return node.config['mask'] === undefined ? undefined : lungFieldOf(kit.pipeline, split, kit.options.render);
}
