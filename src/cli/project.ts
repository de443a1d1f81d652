/**
 * A cvr project: a folder whose root holds `cvr.json` (written by `cvr init`). Every command finds
 * it by searching upward from the working directory, and keeps the cache and the run folders
 * there, so the same pipeline run from any subfolder reuses one cache.
 */
import { existsSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';

export const PROJECT_FILE = 'cvr.json';

/** The nearest folder at or above `cwd` that holds cvr.json, or undefined outside a project. */
export function findProjectRoot(cwd: string): string | undefined {
  for (let dir = cwd; ; dir = dirname(dir)) {
    const file = join(dir, PROJECT_FILE);
    if (existsSync(file) && statSync(file).isFile()) return dir;
    if (dirname(dir) === dir) return undefined;
  }
}

/** Where the cache and run folders live: the project's root, else the working directory. */
export function projectBase(cwd: string): string {
  return findProjectRoot(cwd) ?? cwd;
}
