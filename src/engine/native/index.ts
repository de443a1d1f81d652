// The native CPU engine's public face: whether it can run here, and how to register it.
import { availableParallelism } from 'node:os';
import { loadAddon } from './addon.ts';
import { nativeThreads, registerNativeBackend } from './backend.ts';

export { NATIVE_BACKEND } from './backend.ts';

export const NATIVE_ENABLE_HINT =
  'install oneDNN (Debian/Ubuntu: apt-get install -y libdnnl-dev g++ make python3), then run `npm run build:native`';

export async function probeNative(): Promise<{ available: boolean; reason: string; register?: () => Promise<string> }> {
  const load = loadAddon();
  if (!load.ok) return { available: false, reason: `${load.reason}; to enable it: ${NATIVE_ENABLE_HINT}` };
  const { addon } = load;
  const threads = nativeThreads(process.env, availableParallelism());
  const { dnnlVersion } = addon.info();
  return {
    available: true,
    reason: `oneDNN ${dnnlVersion} addon built; ${threads} thread(s) (CVR_NATIVE_THREADS)`,
    register: async () => registerNativeBackend(addon, threads),
  };
}
