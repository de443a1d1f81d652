import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { probeNative } from './native/index.ts';
import type { EngineName, ProbeResult } from './types.ts';

export type TfjsNodePackage = '@tensorflow/tfjs-node' | '@tensorflow/tfjs-node-gpu';

/**
 * What the probe needs from the machine, passed in so that tests can stage every case (absent,
 * installed without its addon, failing to load, loading) without installing anything.
 */
export interface ProbeHost {
  readonly platform: string;
  readonly arch: string;
  /** The package's installed folder, or undefined when node cannot find it. */
  readonly packageDir: (pkg: string) => string | undefined;
  readonly exists: (path: string) => boolean;
  readonly listDir: (path: string) => readonly string[];
  readonly readJson: (path: string) => unknown;
  /** Loads the package (which registers its `tensorflow` backend with tfjs). */
  readonly load: (pkg: string) => Promise<unknown>;
  /** The native engine's own probe (src/engine/native). */
  readonly native: typeof probeNative;
}

export function realProbeHost(): ProbeHost {
  const require = createRequire(import.meta.url);
  return {
    platform: process.platform,
    arch: process.arch,
    packageDir: (pkg) => {
      for (const base of require.resolve.paths(pkg) ?? []) {
        const dir = join(base, pkg);
        if (existsSync(join(dir, 'package.json'))) return dir;
      }
      return undefined;
    },
    exists: existsSync,
    listDir: (path) => readdirSync(path),
    readJson: (path) => JSON.parse(readFileSync(path, 'utf8')) as unknown,
    load: (pkg) => import(pkg),
    native: probeNative,
  };
}

/** libtensorflow builds that the packages' install script knows how to download. */
const PREBUILT: Readonly<Record<TfjsNodePackage, readonly string[]>> = {
  '@tensorflow/tfjs-node': ['linux-x64', 'darwin-x64', 'win32-x64', 'linux-arm64'],
  '@tensorflow/tfjs-node-gpu': ['linux-x64', 'win32-x64'],
};

const ENGINE_OF: Readonly<Record<TfjsNodePackage, EngineName>> = {
  '@tensorflow/tfjs-node': 'tfjs-node',
  '@tensorflow/tfjs-node-gpu': 'tfjs-node-gpu',
};

/**
 * Probes one of the libtensorflow engines. Why they are usually missing: both are optional
 * dependencies whose npm install script downloads libtensorflow from storage.googleapis.com
 * (scripts/install.js). When the download fails, the script exits 1 and npm, because the
 * dependency is optional, deletes the package folder and finishes the install with success,
 * without printing the script's error ("reify failed optional dependency" in npm's debug log).
 * So an absent folder, with the package declared, almost always means the download failed.
 */
export async function probeTfjsNode(pkg: TfjsNodePackage, host: ProbeHost): Promise<ProbeResult> {
  const name = ENGINE_OF[pkg];
  const target = `${host.platform}-${host.arch}`;
  const dir = host.packageDir(pkg);
  if (dir === undefined) {
    if (!PREBUILT[pkg].includes(target)) {
      return {
        name,
        available: false,
        reason: `not installed; ${pkg} has no prebuilt libtensorflow for ${target}`,
        hint: 'use the native or cpu engine on this platform',
      };
    }
    const library = pkg.endsWith('-gpu') ? 'libtensorflow-gpu (CUDA)' : 'libtensorflow';
    return {
      name,
      available: false,
      reason:
        `not installed: ${pkg} is an optional dependency whose install script downloads ${library} ` +
        'from storage.googleapis.com; when that download fails (no network, proxy, air-gapped machine) ' +
        'npm silently removes the package and the install still succeeds',
      hint: `see the download error with \`npm install ${pkg} --foreground-scripts\`; offline, set TFJS_NODE_CDN_STORAGE to a mirror`,
    };
  }

  const version = packageVersion(host, dir);
  const withVersion = version === undefined ? {} : { version };
  const bindingDirs = host.exists(join(dir, 'lib')) ? host.listDir(join(dir, 'lib')).filter((d) => d.startsWith('napi-v')) : [];
  const hasBinding = bindingDirs.some((d) => host.exists(join(dir, 'lib', d, 'tfjs_binding.node')));
  if (!hasBinding) {
    return {
      name,
      available: false,
      reason: `installed (${dir}) but its native addon lib/napi-v*/tfjs_binding.node is missing: the libtensorflow download or the addon build did not finish`,
      hint: `npm rebuild ${pkg} --foreground-scripts (or --build-addon-from-source)`,
      ...withVersion,
    };
  }

  try {
    await host.load(pkg);
  } catch (error) {
    const message = firstLine(error instanceof Error ? error.message : String(error));
    const cuda = /libcud|cudnn|libnvinfer/i.test(message);
    return {
      name,
      available: false,
      reason: `installed but failed to load: ${message}`,
      hint: cuda ? 'install the CUDA and cuDNN versions that libtensorflow 2.9 needs (CUDA 11.2, cuDNN 8.1)' : `npm rebuild ${pkg} --foreground-scripts`,
      ...withVersion,
    };
  }
  return {
    name,
    available: true,
    reason: `loaded ${pkg}${version === undefined ? '' : ` ${version}`} (libtensorflow)`,
    ...withVersion,
    activate: async () => 'tensorflow',
  };
}

function packageVersion(host: ProbeHost, dir: string): string | undefined {
  try {
    const json = host.readJson(join(dir, 'package.json'));
    if (typeof json === 'object' && json !== null && 'version' in json && typeof json.version === 'string') return json.version;
  } catch {
    // An unreadable package.json only loses the version; the load below says whether it works.
  }
  return undefined;
}

function firstLine(text: string): string {
  return (text.split('\n')[0] ?? '').trim();
}
