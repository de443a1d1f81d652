import { isAbsolute, posix, relative, sep, win32 } from 'node:path';

/**
 * A manifest's image path, checked lexically: it must be relative and stay under its root.
 * Returns the normalised POSIX path, or null when it escapes (`..`, absolute, drive letters).
 */
export function containedRelativePath(written: string): string | null {
  const slashed = written.replace(/\\/g, '/');
  if (isAbsolute(slashed) || win32.isAbsolute(written) || /^[A-Za-z]:/.test(written)) return null;
  const normal = posix.normalize(slashed);
  if (normal === '..' || normal.startsWith('../') || normal === '.' || normal === '') return null;
  return normal.replace(/^\.\//, '');
}

/** Whether `child` (an absolute, real path) lies inside `root` (an absolute, real path). */
export function isInside(root: string, child: string): boolean {
  const rel = relative(root, child);
  return rel !== '' && !rel.startsWith(`..${sep}`) && rel !== '..' && !isAbsolute(rel);
}

/** The deepest folder that contains every one of `dirs` (absolute paths). */
export function commonFolder(dirs: readonly string[]): string {
  const [first, ...rest] = dirs;
  if (first === undefined) return '/';
  let parts = first.split(sep);
  for (const dir of rest) {
    const other = dir.split(sep);
    let n = 0;
    while (n < parts.length && n < other.length && parts[n] === other[n]) n++;
    parts = parts.slice(0, n);
  }
  return parts.join(sep) || sep;
}

export function toPosix(path: string): string {
  return path.split(sep).join('/');
}
