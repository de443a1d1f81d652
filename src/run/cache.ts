/**
 * The content-addressed node cache: `<root>/nodes/<key>/` holds one finished node's output
 * (`output.json` plus any files the node wrote), and a `finished` marker written last.
 * An entry is built in `<root>/tmp/` and renamed into place, so a killed run never leaves a
 * half-written entry under `nodes/`; leftovers in `tmp/` are swept by the next lock holder.
 * `<root>/work/<key>/` is a node's scratch space that survives a crash (training checkpoints),
 * removed once the node's entry is committed.
 */
import { mkdir, readFile, rename, rm, stat, writeFile, readdir } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { join, resolve } from 'node:path';

export const DEFAULT_CACHE_DIR = '.cvr-cache';

/**
 * `--cache DIR`, else `CVR_CACHE_DIR` (both relative to the working directory), else `.cvr-cache/`
 * in `base`: the project's root when there is one (so every subfolder shares one cache), else the
 * working directory.
 */
export function resolveCacheDir(cwd: string, flag: string | undefined, env: Readonly<Record<string, string | undefined>>, base: string = cwd): string {
  const chosen = flag ?? env['CVR_CACHE_DIR'];
  return chosen !== undefined && chosen !== '' ? resolve(cwd, chosen) : resolve(base, DEFAULT_CACHE_DIR);
}

/** What the `finished` marker records: enough to tell, by hand, what an entry is. */
export interface EntryMarker {
  readonly key: string;
  readonly id: string;
  readonly kind: string;
  readonly finishedAt: number;
}

const OUTPUT_FILE = 'output.json';
const MARKER_FILE = 'finished';

export class NodeCache {
  readonly root: string;

  constructor(root: string) {
    this.root = root;
  }

  entryDir(key: string): string {
    return join(this.root, 'nodes', key);
  }

  workDir(key: string): string {
    return join(this.root, 'work', key);
  }

  async has(key: string): Promise<boolean> {
    return exists(join(this.entryDir(key), MARKER_FILE));
  }

  async read(key: string): Promise<unknown> {
    const text = await readFile(join(this.entryDir(key), OUTPUT_FILE), 'utf8');
    return JSON.parse(text) as unknown;
  }

  /** A fresh, private staging folder for a node's files; pass it to `commit`. */
  async stage(key: string): Promise<string> {
    const dir = join(this.root, 'tmp', `${key}.${process.pid}.${randomBytes(4).toString('hex')}`);
    await mkdir(dir, { recursive: true });
    return dir;
  }

  /**
   * Writes the output and the marker (last) into the staging folder, then renames it into place.
   * The rename is the commit point: before it the entry does not exist, after it is complete.
   */
  async commit(staging: string, marker: EntryMarker, output: unknown): Promise<void> {
    await writeFile(join(staging, OUTPUT_FILE), `${JSON.stringify(output ?? null)}\n`);
    await writeFile(join(staging, MARKER_FILE), `${JSON.stringify(marker)}\n`);
    const target = this.entryDir(marker.key);
    await mkdir(join(this.root, 'nodes'), { recursive: true });
    if (await this.has(marker.key)) {
      // Same key means same content: the existing entry is as good as ours.
      await rm(staging, { recursive: true, force: true });
    } else {
      // A folder without a marker can only come from outside tampering; replace it.
      await rm(target, { recursive: true, force: true });
      await rename(staging, target);
    }
    await rm(this.workDir(marker.key), { recursive: true, force: true });
  }

  /** Removes staging folders left by killed runs. Only the lock holder may call this. */
  async sweepTemp(): Promise<number> {
    const tmp = join(this.root, 'tmp');
    let names: string[];
    try {
      names = await readdir(tmp);
    } catch {
      return 0;
    }
    await Promise.all(names.map((name) => rm(join(tmp, name), { recursive: true, force: true })));
    return names.length;
  }
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch {
    return false;
  }
}
