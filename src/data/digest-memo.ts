/**
 * Content hashes of image files, remembered by (path, size, mtime) in a small JSON file in the
 * cache, like git's index: an unchanged file costs one stat, a touched or copied one is read
 * again but keeps its hash when its bytes are the same, so a `touch` never retrains anything.
 *
 * The file carries the sha256 of its own entries (`{ v: 2, sha256, entries }`): an edited,
 * flipped or truncated memo fails the check, is reported through `onCorrupt` and discarded
 * (every file is hashed again), never trusted. Writing it is best effort: on a read-only or full
 * disk the hashes are still right, only not remembered.
 */
import { createHash } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { hashFile } from './content-hash.ts';
import { mapLimit } from './pool.ts';
import { writeFileAtomic } from './write-atomic.ts';

export interface MemoEntry {
  readonly size: number;
  readonly mtimeMs: number;
  readonly hash: string;
}

export interface MemoOptions {
  /** Called once when the memo file exists but fails its integrity check (then it is ignored). */
  readonly onCorrupt?: (file: string, reason: string) => void;
}

/** Hex sha256 per path (undefined where the file cannot be read); `memoFile` may be absent. */
export async function memoizedDigests(paths: readonly string[], memoFile?: string, options: MemoOptions = {}): Promise<(string | undefined)[]> {
  const memo = memoFile === undefined ? {} : await readMemo(memoFile, options.onCorrupt);
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
    await writeMemo(memoFile, { ...memo, ...next }).catch(() => undefined);
  }
  return digests;
}

export function memoText(entries: Readonly<Record<string, MemoEntry>>): string {
  const body = JSON.stringify(entries);
  return `{"v":2,"sha256":"${createHash('sha256').update(body).digest('hex')}","entries":${body}}`;
}

export async function writeMemo(file: string, entries: Readonly<Record<string, MemoEntry>>): Promise<void> {
  await writeFileAtomic(file, memoText(entries));
}

/** The memo's entries; `{}` when it is absent, and, reported, when it fails its check. */
export async function readMemo(file: string, onCorrupt?: (file: string, reason: string) => void): Promise<Record<string, MemoEntry>> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch {
    return {};
  }
  const bad = (reason: string): Record<string, MemoEntry> => {
    onCorrupt?.(file, reason);
    return {};
  };
  const match = /^\{"v":2,"sha256":"([0-9a-f]{64})","entries":([\s\S]*)\}$/.exec(text);
  if (match === null) return bad('it is not a version-2 memo (truncated, edited, or written by an older cvr)');
  const body = match[2] ?? '';
  if (createHash('sha256').update(body).digest('hex') !== match[1]) return bad('its content differs from its recorded sha256');
  try {
    const parsed = JSON.parse(body) as unknown;
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return bad('its entries are not an object');
    return parsed as Record<string, MemoEntry>;
  } catch {
    return bad('its entries are not valid JSON');
  }
}
