#!/usr/bin/env node
// Builds the cvr-native addon (native/build/Release/cvr_native.node) with node-gyp when oneDNN's
// headers are installed. Run by `npm ci`/`npm install` (root postinstall), where it never fails
// the install, and by `npm run build:native`, where it fails loudly (--strict).
//
// It says on stderr exactly why the addon was not built when it was not (no headers, which
// oneDNN version, no compiler, node-gyp's error, a built addon that does not load), and which
// oneDNN API it compiled against: 2.x (operation descriptors) or 3.x (primitive descriptors built
// from the engine and the arguments), chosen in addon.cc by DNNL_VERSION_MAJOR.
//
// Environment:
//   CVR_SKIP_NATIVE=1       do not build
//   CVR_DNNL_ROOT=DIR       oneDNN installed under DIR (DIR/include/oneapi/dnnl, DIR/lib); only there
//                           (a missing DIR is how tests check the no-oneDNN path)
// Options:
//   --strict                exit 1 when the addon is not built
//   --syntax-only           only compile addon.cc with -fsyntax-only against the headers found
//                           (checks the 3.x path against 3.x headers without the library)
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const strict = process.argv.includes('--strict');
const syntaxOnly = process.argv.includes('--syntax-only');
const here = dirname(fileURLToPath(import.meta.url));
const say = (line) => process.stderr.write(`cvr-native: ${line}\n`);
const FIX = 'npm run setup (installs libdnnl-dev g++ make python3 with apt-get as root or with sudo, then rebuilds)';
const stop = (why) => {
  say(`NOT BUILT: ${why}.`);
  say('the native engine stays off; cvr trains on the plain cpu engine, about 50x slower (0.87 against 45 images/s on the demo model).');
  say(`to enable it: ${FIX}`);
  process.exit(strict || syntaxOnly ? 1 : 0);
};

if (process.env.CVR_SKIP_NATIVE === '1') stop('CVR_SKIP_NATIVE=1 is set');

const root = process.env.CVR_DNNL_ROOT;
const prefixes = root !== undefined && root !== '' ? [resolve(root)] : ['/usr', '/usr/local'];
const includeDir = prefixes.map((p) => join(p, 'include')).find((d) => existsSync(join(d, 'oneapi', 'dnnl', 'dnnl.hpp')));
if (includeDir === undefined) {
  stop(`oneDNN headers not found (looked for oneapi/dnnl/dnnl.hpp under ${prefixes.map((p) => join(p, 'include')).join(', ')}; Debian/Ubuntu package libdnnl-dev)`);
}
const version = dnnlVersion(join(includeDir, 'oneapi', 'dnnl', 'dnnl_version.h'));
if (version === undefined) stop(`${includeDir}/oneapi/dnnl/dnnl_version.h is missing or names no DNNL_VERSION_MAJOR`);
if (version.major < 2) stop(`oneDNN ${version.text} is too old: the addon needs oneDNN 2.x or 3.x`);
const api = version.major >= 3 ? '3.x API (primitive descriptors from engine and arguments)' : '2.x API (operation descriptors)';

for (const [tool, pkg] of [['g++', 'g++'], ['make', 'make'], ['python3', 'python3']]) {
  if (syntaxOnly && tool !== 'g++') continue;
  if (!onPath(tool)) stop(`${tool} not found on PATH (node-gyp needs it; Debian/Ubuntu package ${pkg})`);
}

// Headers of the running node, so that node-gyp needs no download (CI and hospitals are offline).
const nodeDir = resolve(dirname(process.execPath), '..');
const nodeHeaders = join(nodeDir, 'include', 'node');

if (syntaxOnly) {
  say(`checking addon.cc against oneDNN ${version.text} headers (${includeDir}): ${api}`);
  const r = spawnSync('g++', ['-std=c++17', '-fsyntax-only', '-fopenmp', '-Wall', `-I${nodeHeaders}`, `-I${includeDir}`, join(here, 'src', 'addon.cc')], { stdio: ['ignore', 'inherit', 'inherit'] });
  if (r.status !== 0) stop(`addon.cc does not compile against oneDNN ${version.text} (g++ exit ${r.status})`);
  say(`addon.cc compiles against oneDNN ${version.text} (${api})`);
  process.exit(0);
}

const args = ['rebuild'];
if (existsSync(join(nodeHeaders, 'node_api.h'))) args.push(`--nodedir=${nodeDir}`);
const [cmd, ...pre] = findNodeGyp();
const env = { ...process.env };
if (root !== undefined && root !== '') {
  const libDir = join(resolve(root), 'lib');
  env.CXXFLAGS = `${env.CXXFLAGS ?? ''} -I${includeDir}`.trim();
  env.LDFLAGS = `${env.LDFLAGS ?? ''} -L${libDir} -Wl,-rpath,${libDir}`.trim();
}
say(`building with oneDNN ${version.text} (${includeDir}), ${api}…`);
const r = spawnSync(cmd, [...pre, ...args], { cwd: here, env, stdio: ['ignore', 'inherit', 'inherit'] });
if (r.status !== 0) {
  stop(`node-gyp failed (exit ${r.status ?? r.signal ?? r.error?.message}; its output is above — a missing libdnnl.so means the library half of libdnnl-dev is absent)`);
}
// A built addon that does not load (say libdnnl.so.N missing at run time) is no engine either.
const built = join(here, 'build', 'Release', 'cvr_native.node');
try {
  const addon = createRequire(import.meta.url)(built);
  const info = addon.info();
  say(`built ${built} (oneDNN ${info.dnnlVersion} at run time); the native engine is on`);
} catch (err) {
  stop(`the addon was built but does not load: ${String(err?.message ?? err).split('\n')[0]}`);
}

function dnnlVersion(path) {
  if (!existsSync(path)) return undefined;
  const text = readFileSync(path, 'utf8');
  const num = (name) => Number(new RegExp(`#define\\s+DNNL_VERSION_${name}\\s+(\\d+)`).exec(text)?.[1] ?? Number.NaN);
  const major = num('MAJOR'), minor = num('MINOR'), patch = num('PATCH');
  if (!Number.isFinite(major)) return undefined;
  return { major, text: [major, minor, patch].filter(Number.isFinite).join('.') };
}

function onPath(tool) {
  return (process.env.PATH ?? '').split(':').some((d) => d !== '' && existsSync(join(d, tool)));
}

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
