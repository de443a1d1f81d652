/**
 * Cache entries hold no absolute paths into the cache: a prep node's output names its shards
 * relative to the cache root, and readers resolve them against the cache they were read from, so
 * a copied or moved cache reads its own shards (never the original's).
 */
import { existsSync } from 'node:fs';
import { isAbsolute, relative, resolve, sep } from 'node:path';
import { signatureFile, type PreparedImages } from '../data/index.ts';

/** The prepared set as stored: shard files relative to `cacheDir`. */
export function preparedForCache(prepared: PreparedImages, cacheDir: string): PreparedImages {
  return {
    ...prepared,
    shards: prepared.shards.map((shard) => {
      const rel = relative(cacheDir, shard.file);
      return { ...shard, file: sep === '/' ? rel : rel.split(sep).join('/') };
    }),
  };
}

/** Shard files of a stored prepared set, absolute within `cacheDir` (absolute paths of old entries are re-rooted too). */
export function preparedFromCache(prepared: PreparedImages, cacheDir: string): PreparedImages {
  return {
    ...prepared,
    shards: prepared.shards.map((shard) => ({ ...shard, file: resolve(cacheDir, isAbsolute(shard.file) ? reroot(shard.file) : shard.file) })),
  };
}

/** `/old/cache/prep/ab/<key>.shard` → `prep/ab/<key>.shard`: where it would be in this cache. */
function reroot(file: string): string {
  const parts = file.split(/[/\\]/);
  const at = parts.lastIndexOf('prep');
  return at >= 0 ? parts.slice(at).join('/') : file;
}

/**
 * The shard files a prepared set points at, for the cache's integrity record, with each shard's
 * near-duplicate signatures beside it where written (docs/dedupe.md), so `cvr cache gc` keeps them.
 */
export function preparedReferences(prepared: PreparedImages): string[] {
  return prepared.shards.flatMap((shard) => {
    const sig = signatureFile(shard.file);
    return existsSync(sig) ? [shard.file, sig] : [shard.file];
  });
}
