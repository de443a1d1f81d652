#!/usr/bin/env node
// Starts cvr from the compiled build (dist/, made by `npm ci` or `npm run build`) when it is newer
// than every source file, and otherwise from the TypeScript sources through tsx, so an edited
// checkout never runs stale code and `npx cvr` works even where nothing was compiled.
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));

function newestSource(dir) {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = `${dir}/${entry.name}`;
    newest = Math.max(newest, entry.isDirectory() ? newestSource(path) : statSync(path).mtimeMs);
  }
  return newest;
}

function compiledIsFresh() {
  if (process.env.CVR_FROM_SOURCE === '1') return false;
  // Benchmarks pin the build they measure, even while the sources are being edited.
  if (process.env.CVR_FROM_DIST === '1') return true;
  try {
    const stamp = Number(readFileSync(`${root}dist/.stamp`, 'utf8'));
    return Number.isFinite(stamp) && newestSource(`${root}src`) < stamp;
  } catch {
    return false;
  }
}

let main;
if (compiledIsFresh()) {
  ({ main } = await import('../dist/cli/main.js'));
} else {
  const { register } = await import('tsx/esm/api');
  register();
  ({ main } = await import('../src/cli/main.ts'));
}
process.exitCode = await main(process.argv.slice(2));
