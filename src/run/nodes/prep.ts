/** `prep:<source>`: the source's images decoded and resized into the shared preprocessing cache. */
import { prepareImages, type ScannedImage } from '../../data/index.ts';
import { succeeded } from '../node-result.ts';
import { preparedForCache, preparedReferences } from '../relocate.ts';
import { NodeFailure } from '../executor.ts';
import { imageKey } from './kit.ts';
import type { NodeHandler } from '../executor.ts';
import type { StageKit } from './kit.ts';

export function prepNode(kit: StageKit): NodeHandler {
  const { options, pipeline } = kit;
  return async (node, inputs, ctx) => {
    const scanId = node.inputs[0] ?? '';
    const images = (inputs[scanId] as { images: ScannedImage[] }).images;
    const result = await prepareImages(
      images.map((i) => ({ id: imageKey(i), path: i.absPath })),
      pipeline.image,
      {
        // prepareImages files its shards under `<cacheDir>/prep/` itself.
        cacheDir: options.cacheDir,
        signal: ctx.signal,
        onProgress: (done, total) => ctx.emit({ type: 'progress', t: ctx.now(), id: node.id, done, total, unit: 'images' }),
      },
    );
    if (ctx.signal.aborted) throw new Error('cancelled');
    if (!result.ok) throw new NodeFailure(options.render(result.diagnostics), result.diagnostics);
    return succeeded(preparedForCache(result.prepared, options.cacheDir), { references: preparedReferences(result.prepared) });
  };
}
