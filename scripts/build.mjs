#!/usr/bin/env node
// Bundles src/ into dist/ with esbuild so that `cvr` starts without transpiling its sources at
// every start: `cvr --version` loads one small file, `cvr check` one chunk with the parser (and
// chevrotain and its lodash-es inlined: loaded as ~300 separate ES modules they cost more than the
// parsing). Commands stay in chunks of their own (code splitting), so a command loads only what
// it uses; tfjs, sharp, Ink and React stay ordinary imports from node_modules.
// Run by `npm ci` (postinstall) and `npm run build`; never fails an install (without esbuild cvr
// runs from its sources). bin/cvr.mjs uses dist/ only while it is newer than every file in src/.
import { copyFileSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const strict = process.argv.includes('--strict');
const say = (line) => process.stderr.write(`cvr-build: ${line}\n`);
const started = Date.now();

let esbuild;
try {
  esbuild = await import('esbuild');
} catch {
  say('esbuild is not installed; cvr will run from its sources (slower start).');
  process.exit(strict ? 1 : 0);
}

const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const bundled = new Set(['chevrotain']);
const external = Object.keys({ ...pkg.dependencies, ...pkg.optionalDependencies, ...pkg.devDependencies })
  .filter((name) => !bundled.has(name))
  .flatMap((name) => [name, `${name}/*`]);

const dist = join(root, 'dist');
rmSync(dist, { recursive: true, force: true });
try {
  await esbuild.build({
    absWorkingDir: root,
    entryPoints: ['src/cli/main.ts', 'src/data/synth/render-worker-body.ts', 'src/data/dedupe/search-worker-body.ts'],
    outdir: 'dist',
    outbase: 'src',
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    jsx: 'automatic',
    external,
    logLevel: 'warning',
  });
} catch (error) {
  say(`bundling src/ failed (${error instanceof Error ? error.message.split('\n')[0] : error}); cvr will run from its sources (slower start).`);
  rmSync(dist, { recursive: true, force: true });
  process.exit(strict ? 1 : 0);
}
// The worker's plain-JS entry is not bundled: it loads the compiled body beside it.
mkdirSync(join(dist, 'data', 'synth'), { recursive: true });
copyFileSync(join(root, 'src', 'data', 'synth', 'render-worker.mjs'), join(dist, 'data', 'synth', 'render-worker.mjs'));
mkdirSync(join(dist, 'data', 'dedupe'), { recursive: true });
copyFileSync(join(root, 'src', 'data', 'dedupe', 'search-worker.mjs'), join(dist, 'data', 'dedupe', 'search-worker.mjs'));
// The stamp is the time the build started: a source saved during the build counts as newer.
writeFileSync(join(dist, '.stamp'), `${started}\n`);
say(`bundled src/ into dist/ in ${((Date.now() - started) / 1000).toFixed(1)} s`);
