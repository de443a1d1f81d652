// Entry of the candidate search's worker thread (search.ts). Workers do not inherit the parent's
// TypeScript loader: in the compiled build (dist/) the body is JavaScript beside this file; from
// the sources, this plain-JS file registers tsx before loading the TypeScript body.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const compiled = new URL('./search-worker-body.js', import.meta.url);
if (existsSync(fileURLToPath(compiled))) {
  await import(compiled.href);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  await import('./search-worker-body.ts');
}
