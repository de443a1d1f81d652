/**
 * Content hashes of image files, remembered by (path, size, mtime) in a small JSON file in the
 * cache, like git's index: an unchanged file costs one stat, a touched or copied one is read
 * again but keeps its hash when its bytes are the same, so a `touch` never retrains anything.
 */
import { readFile, stat } from 'node:fs/promises';
import { hashFile } from './content-hash.ts';
import { mapLimit } from './pool.ts';
import { writeFileAtomic } from './write-atomic.ts';

interface MemoEntry {
  readonly size: number;
  readonly mtimeMs: number;
  readonly hash: string;
}

/** Hex sha256 per path (undefined where the file cannot be read); `memoFile` may be absent. */
export async function memoizedDigests(paths: readonly string[], memoFile?: string): Promise<(string | undefined)[]> {
  const memo = memoFile === undefined ? {} : await readMemo(memoFile);
  const next: Record<string, MemoEntry> = {};
  let changed = false;
  const digests = await mapLimit(paths, 16, async (path) => {
    try {
      const st = await stat(path);
      const known = memo[path];
      if (known !== undefined && known.size === st.size && known.mtimeMs === st.mtimeMs) {
        next[path] = known;
        return known.hash;
      }
      const { hash } = await hashFile(path);
      next[path] = { size: st.size, mtimeMs: st.mtimeMs, hash };
      changed = true;
      return hash;
    } catch {
      return undefined;
    }
  });
  if (memoFile !== undefined && (changed || Object.keys(next).length !== Object.keys(memo).length)) {
    // Keep entries of other pipelines' files too: one memo serves the whole cache.
    await writeFileAtomic(memoFile, JSON.stringify({ ...memo, ...next }));
  }
  return digests;
}

async function readMemo(file: string): Promise<Record<string, MemoEntry>> {
  try {
    const parsed = JSON.parse(await readFile(file, 'utf8')) as unknown;
    return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed) ? (parsed as Record<string, MemoEntry>) : {};
  } catch {
    return {};
  }
}
