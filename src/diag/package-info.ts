import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * cvr's own installation folder and version. Found by walking up from this module to the
 * package.json named "cvr" rather than by a fixed `../..`, because the same code runs from three
 * depths: src/ (through tsx), and the compiled bundle's entry points and shared chunks in dist/.
 * It lives in diag/, the bottom stage, so that every stage may ask.
 */
export function packageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest) && (JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string }).name === 'cvr') return dir;
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`internal error: no package.json of cvr above ${fileURLToPath(import.meta.url)}`);
    dir = parent;
  }
}

/** The version in cvr's package.json. */
export function cvrVersion(): string {
  const pkg = JSON.parse(readFileSync(join(packageRoot(), 'package.json'), 'utf8')) as { version?: string };
  return pkg.version ?? 'unknown';
}

/** Whether this process runs the compiled build (dist/) rather than the TypeScript sources. */
export function runsCompiled(): boolean {
  return import.meta.url.endsWith('.js');
}
