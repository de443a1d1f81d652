/** `prep:<source>`: the source's images decoded and resized into the shared preprocessing cache. */
import { prepareImages, type PreparedImages } from '../../data/index.ts';
import { succeeded } from '../node-result.ts';
import { preparedForCache, preparedReferences } from '../relocate.ts';
import { NodeFailure } from '../executor.ts';
import { imageKey } from './kit.ts';
import { defineNode } from './contract.ts';
import { scanNode } from './scan.ts';

export const prepNode = defineNode({
  kind: 'prep',
  outputSchemaVersion: 1,
  inputs: { scan: scanNode },
  /** The prepared set with its shard files relative to the cache root (relocate.ts). */
  run: async ({ node, inputs, ctx, kit }) => {
    const { options, pipeline } = kit;
    const result = await prepareImages(
      inputs.scan.images.map((i) => ({ id: imageKey(i), path: i.absPath })),
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
    return succeeded<PreparedImages>(preparedForCache(result.prepared, options.cacheDir), { references: preparedReferences(result.prepared) });
  },
});
