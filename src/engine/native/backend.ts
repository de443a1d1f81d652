// Registers the `native` tfjs backend: a MathBackendCPU (so tensor storage is the cpu backend's)
// under its own name, every cpu kernel registered for it, and the addon's kernels in place of
// the heavy ones.
import * as tf from '@tensorflow/tfjs-core';
import type { KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import type { NativeAddon } from './addon.ts';
import { NativeBackend } from './native-backend.ts';
import { nativeKernelConfigs } from './kernels.ts';
import { bnGradKernel, gradOpKernel, meanRunGradKernel, registerNativeGradients } from './gradients.ts';
import { registerOptimizerKernels } from './optimizer-kernels.ts';
import { registerBatchNormTraining } from './batch-norm-train.ts';
import { installCheapSaves } from './saved-tensors.ts';

export const NATIVE_BACKEND = 'native';

/** Threads for oneDNN: CVR_NATIVE_THREADS, else every core. Fixed per process, for determinism. */
export function nativeThreads(env: NodeJS.ProcessEnv, cores: number): number {
  const fromEnv = Number.parseInt(env['CVR_NATIVE_THREADS'] ?? '', 10);
  return Number.isFinite(fromEnv) && fromEnv > 0 ? fromEnv : Math.max(1, cores);
}

/** Binds every output of the kernel to the pool's bookkeeping, whichever code produced it. */
function tracked(config: KernelConfig): KernelConfig {
  const inner = config.kernelFunc;
  const kernelFunc = ((args: Parameters<KernelFunc>[0]) => {
    const out = inner(args);
    const backend = args.backend;
    if (backend instanceof NativeBackend) {
      for (const t of (Array.isArray(out) ? out : [out]) as TensorInfo[]) {
        backend.pool.bind(backend.data.get(t.dataId)?.values, t.dataId);
      }
    }
    return out;
  }) as KernelFunc;
  return { ...config, backendName: NATIVE_BACKEND, kernelFunc };
}

/** Idempotent: registering twice keeps the first registration. */
export function registerNativeBackend(addon: NativeAddon, threads: number, pooling = true, bnTrain = true): string {
  if (tf.findBackendFactory(NATIVE_BACKEND) !== null) return NATIVE_BACKEND;
  addon.setThreads(threads);
  const replaced = new Map(nativeKernelConfigs(addon).map((k) => [k.kernelName, k]));
  for (const k of tf.getKernelsForBackend('cpu')) {
    tf.registerKernel(tracked(replaced.get(k.kernelName) ?? k));
  }
  for (const k of replaced.values()) {
    if (tf.getKernel(k.kernelName, NATIVE_BACKEND) === undefined) tf.registerKernel(tracked(k));
  }
  tf.registerKernel(tracked(bnGradKernel(addon, NATIVE_BACKEND)));
  tf.registerKernel(tracked(gradOpKernel(addon, NATIVE_BACKEND)));
  tf.registerKernel(tracked(meanRunGradKernel(NATIVE_BACKEND)));
  // An addon built before the fused optimizer kernels existed keeps the tensor-chain updates.
  if (typeof addon.adam === 'function') registerOptimizerKernels(addon, NATIVE_BACKEND, tracked);
  registerNativeGradients(NATIVE_BACKEND);
  // An addon built before the training-mode batch-norm primitives (or CVR_NATIVE_BN_TRAIN=0) keeps
  // tfjs-layers' moments path.
  if (bnTrain && typeof addon.bnTrain === 'function') registerBatchNormTraining(addon, NATIVE_BACKEND, tracked);
  // Saved-for-backward tensors as plain handles (saved-tensors.ts); CVR_NATIVE_CHEAP_SAVE=0 keeps tfjs's clones.
  if (process.env['CVR_NATIVE_CHEAP_SAVE'] !== '0') installCheapSaves(NATIVE_BACKEND);
  // Priority below cpu's: the engine selector chooses `native` explicitly; registering it must not
  // silently change the default backend of code that never asked for it.
  tf.registerBackend(NATIVE_BACKEND, () => new NativeBackend(pooling), 0);
  return NATIVE_BACKEND;
}
