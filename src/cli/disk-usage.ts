/** Files and bytes under a path (a file counts itself; links are not followed; unreadable parts count nothing). */
import { lstat, readdir } from 'node:fs/promises';
import { join } from 'node:path';

export interface DiskUsage {
  readonly files: number;
  readonly bytes: number;
  /** Whether the path itself exists. */
  readonly exists: boolean;
}

export async function diskUsage(path: string): Promise<DiskUsage> {
  let files = 0;
  let bytes = 0;
  const walk = async (p: string): Promise<boolean> => {
    const st = await lstat(p).catch(() => undefined);
    if (st === undefined) return false;
    if (st.isFile()) {
      files++;
      bytes += st.size;
    } else if (st.isDirectory()) {
      for (const name of await readdir(p).catch(() => [])) await walk(join(p, name));
    }
    return true;
  };
  const exists = await walk(path);
  return { files, bytes, exists };
}
