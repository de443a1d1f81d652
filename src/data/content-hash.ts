/**
 * sha256 of image files. Small files (the usual case) are read whole, which is faster than a
 * stream for them; large ones are streamed so memory stays bounded. Several files are in flight
 * at once so the disk and the hash overlap.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { mapLimit } from './pool.ts';

const WHOLE_FILE_LIMIT = 4 * 1024 * 1024;

export interface HashOutcome {
  /** Hex sha256 per path, or undefined where the file could not be read. */
  readonly hashes: readonly (string | undefined)[];
  /** Paths that could not be read, with the reason. */
  readonly failures: readonly { readonly path: string; readonly reason: string }[];
  readonly bytes: number;
  /** Paths of zero-byte files (hashed, but certainly not images). */
  readonly empty: readonly string[];
}

export async function hashFile(path: string): Promise<{ hash: string; bytes: number }> {
  const handle = await open(path, 'r');
  try {
    const { size } = await handle.stat();
    if (size <= WHOLE_FILE_LIMIT) {
      const buffer = await handle.readFile();
      return { hash: createHash('sha256').update(buffer).digest('hex'), bytes: buffer.length };
    }
  } finally {
    await handle.close();
  }
  const hash = createHash('sha256');
  let bytes = 0;
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 })) {
    hash.update(chunk as Buffer);
    bytes += (chunk as Buffer).length;
  }
  return { hash: hash.digest('hex'), bytes };
}

export async function hashFiles(paths: readonly string[], concurrency = 16): Promise<HashOutcome> {
  const failures: { path: string; reason: string }[] = [];
  let bytes = 0;
  const empty: string[] = [];
  const hashes = await mapLimit(paths, concurrency, async (path) => {
    try {
      const result = await hashFile(path);
      bytes += result.bytes;
      if (result.bytes === 0) empty.push(path);
      return result.hash;
    } catch (error) {
      failures.push({ path, reason: error instanceof Error ? error.message : String(error) });
      return undefined;
    }
  });
  return { hashes, failures, bytes, empty: empty.sort() };
}
