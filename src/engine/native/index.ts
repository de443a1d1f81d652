// The native CPU engine's public face: whether it can run here, and how to register it.
import { availableParallelism } from 'node:os';
import { ADDON_PATH, loadAddon } from './addon.ts';
import { nativeThreads, registerNativeBackend } from './backend.ts';

export { NATIVE_BACKEND } from './backend.ts';

export const NATIVE_ENABLE_HINT =
  'run `npm run setup` (Debian/Ubuntu: installs libdnnl-dev g++ make python3 as root or with sudo, then builds the addon; or install them yourself and run `npm run build:native`)';

export interface NativeProbe {
  available: boolean;
  reason: string;
  register?: () => Promise<string>;
}

/** Probes the built addon, or the one at CVR_NATIVE_ADDON (a missing path stages a machine without it). */
export async function probeNative(): Promise<NativeProbe> {
  const override = process.env['CVR_NATIVE_ADDON'];
  return probeNativeAt(override !== undefined && override !== '' ? override : ADDON_PATH, process.env);
}

/** probeNative with the addon's path and the environment given (tests use a missing path). */
export async function probeNativeAt(path: string, env: NodeJS.ProcessEnv): Promise<NativeProbe> {
  const load = loadAddon(path);
  if (!load.ok) return { available: false, reason: `${load.reason}; to enable it: ${NATIVE_ENABLE_HINT}` };
  const { addon } = load;
  const threads = nativeThreads(env, availableParallelism());
  const { dnnlVersion } = addon.info();
  return {
    available: true,
    reason: `oneDNN ${dnnlVersion} addon built; ${threads} thread(s) (CVR_NATIVE_THREADS)`,
    register: async () => registerNativeBackend(addon, threads, env['CVR_NATIVE_POOL'] !== '0', env['CVR_NATIVE_BN_TRAIN'] !== '0'),
  };
}
