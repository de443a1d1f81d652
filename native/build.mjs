#!/usr/bin/env node
// Builds the cvr-native addon (native/build/Release/cvr_native.node) with node-gyp when oneDNN's
// headers are installed. Run by `npm ci`/`npm install` (root postinstall), where it never fails
// the install, and by `npm run build:native`, where it fails loudly (--strict).
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const strict = process.argv.includes('--strict');
const here = dirname(fileURLToPath(import.meta.url));
const say = (line) => process.stderr.write(`cvr-native: ${line}\n`);
const stop = (why) => {
  say(`${why}; the native engine stays off (the plain cpu engine still works).`);
  say('to enable it: apt-get install -y libdnnl-dev g++ make python3, then npm run build:native');
  process.exit(strict ? 1 : 0);
};

if (process.env.CVR_SKIP_NATIVE === '1') stop('CVR_SKIP_NATIVE=1');
const dnnlHeader = ['/usr/include/oneapi/dnnl/dnnl.hpp', '/usr/local/include/oneapi/dnnl/dnnl.hpp'].find(existsSync);
if (dnnlHeader === undefined) stop('oneDNN headers not found (Debian package libdnnl-dev)');

// node-gyp: the copy npm passes to lifecycle scripts, else the one bundled with npm, else PATH.
function findNodeGyp() {
  const fromNpm = process.env.npm_config_node_gyp;
  if (fromNpm && existsSync(fromNpm)) return [process.execPath, fromNpm];
  const candidates = [join(dirname(process.execPath), '..', 'lib', 'node_modules', 'npm', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js')];
  try {
    candidates.push(createRequire(import.meta.url).resolve('node-gyp/bin/node-gyp.js'));
  } catch { /* not installed locally */ }
  const found = candidates.find(existsSync);
  return found ? [process.execPath, found] : ['node-gyp'];
}

// Headers of the running node, so that node-gyp needs no download (CI and hospitals are offline).
const nodeDir = resolve(dirname(process.execPath), '..');
const args = ['rebuild'];
if (existsSync(join(nodeDir, 'include', 'node', 'node_api.h'))) args.push(`--nodedir=${nodeDir}`);
const [cmd, ...pre] = findNodeGyp();
say(`building with oneDNN (${dnnlHeader})…`);
const r = spawnSync(cmd, [...pre, ...args], { cwd: here, stdio: ['ignore', 'inherit', 'inherit'] });
if (r.status !== 0) stop(`node-gyp failed (exit ${r.status ?? r.signal ?? r.error?.message})`);
say('built native/build/Release/cvr_native.node');
