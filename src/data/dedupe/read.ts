/** The signatures of a prepared set, by image id (from the sidecars; computed where missing). */
import { openPrepared, type PreparedImages } from '../prep-cache.ts';
import type { Signature } from './signature.ts';
import { signatureOf } from './signature.ts';
import { readShardSignatures, writeShardSignatures } from './store.ts';

export async function preparedSignatures(prepared: PreparedImages): Promise<Map<string, Signature>> {
  const out = new Map<string, Signature>();
  const { width, height, channels } = prepared.settings;
  for (const shard of prepared.shards) {
    let sigs = await readShardSignatures(shard.file, shard.ids.length);
    if (sigs === undefined) {
      const opened = openPrepared({ settings: prepared.settings, shards: [shard] });
      if (!opened.ok) throw new Error(`Internal error: shard ${shard.file} cannot be opened for signatures`);
      try {
        sigs = shard.ids.map((id) => signatureOf(opened.source.read(id), width, height, channels));
      } finally {
        opened.source.close();
      }
      await writeShardSignatures(shard.file, sigs);
    }
    shard.ids.forEach((id, i) => out.set(id, sigs[i]!));
  }
  return out;
}
