// Registers the `native` tfjs backend: a MathBackendCPU (so tensor storage is the cpu backend's)
// under its own name, every cpu kernel registered for it, and the addon's kernels in place of
// the heavy ones.
import * as tf from '@tensorflow/tfjs-core';
import { MathBackendCPU } from '@tensorflow/tfjs-backend-cpu';
import type { NativeAddon } from './addon.ts';
import { nativeKernelConfigs } from './kernels.ts';
import { bnGradKernel, gradOpKernel, registerNativeGradients } from './gradients.ts';

export const NATIVE_BACKEND = 'native';

/** Threads for oneDNN: CVR_NATIVE_THREADS, else every core. Fixed per process, for determinism. */
export function nativeThreads(env: NodeJS.ProcessEnv, cores: number): number {
  const fromEnv = Number.parseInt(env['CVR_NATIVE_THREADS'] ?? '', 10);
  return Number.isFinite(fromEnv) && fromEnv > 0 ? fromEnv : Math.max(1, cores);
}

/** Idempotent: registering twice keeps the first registration. */
export function registerNativeBackend(addon: NativeAddon, threads: number): string {
  if (tf.findBackendFactory(NATIVE_BACKEND) !== null) return NATIVE_BACKEND;
  addon.setThreads(threads);
  const replaced = new Map(nativeKernelConfigs(addon).map((k) => [k.kernelName, k]));
  for (const k of tf.getKernelsForBackend('cpu')) {
    tf.registerKernel(replaced.get(k.kernelName) ?? { ...k, backendName: NATIVE_BACKEND });
  }
  for (const k of replaced.values()) {
    if (tf.getKernel(k.kernelName, NATIVE_BACKEND) === undefined) tf.registerKernel(k);
  }
  tf.registerKernel(bnGradKernel(addon, NATIVE_BACKEND));
  tf.registerKernel(gradOpKernel(addon, NATIVE_BACKEND));
  registerNativeGradients(NATIVE_BACKEND);
  // Priority below cpu's: the engine selector chooses `native` explicitly; registering it must not
  // silently change the default backend of code that never asked for it.
  tf.registerBackend(NATIVE_BACKEND, () => new MathBackendCPU(), 0);
  return NATIVE_BACKEND;
}
