// Optimizer updates as single native kernels: one pass over a variable per step instead of a chain
// of tensor-sized tfjs operations, each allocating its output (src/train/optimizers.ts uses them
// when the backend in use has them; the chain remains the reference and the fallback).
import { registerKernel, type KernelConfig, type KernelFunc, type NamedAttrMap, type NamedTensorInfoMap, type TensorInfo } from '@tensorflow/tfjs-core';
import type { MathBackendCPU } from '@tensorflow/tfjs-backend-cpu';
import type { NativeAddon } from './addon.ts';
import { engine, type Tensor } from '@tensorflow/tfjs-core';
import { allocFloats, NativeBackend } from './native-backend.ts';

/** Inputs v, m, u, g (float32, one shape); attrs lrT, beta1, beta2, epsilon; outputs [v', m', u']. */
export const ADAM_KERNEL = 'CvrAdam';

export function adamKernel(addon: NativeAddon, backendName: string): KernelConfig {
  const kernelFunc = (({ inputs, backend, attrs }: { inputs: NamedTensorInfoMap; backend: MathBackendCPU; attrs: NamedAttrMap }) => {
    const { v, m, u, g } = inputs as Record<'v' | 'm' | 'u' | 'g', TensorInfo>;
    const { lrT, beta1, beta2, epsilon } = attrs as Record<'lrT' | 'beta1' | 'beta2' | 'epsilon', number>;
    const n = v.shape.reduce((p, d) => p * d, 1);
    const values = (t: TensorInfo): Float32Array => backend.data.get(t.dataId).values as Float32Array;
    const ov = allocFloats(backend, n), om = allocFloats(backend, n), ou = allocFloats(backend, n);
    addon.adam(values(v), values(m), values(u), values(g), ov, om, ou, lrT, beta1, beta2, epsilon);
    return [ov, om, ou].map((out) => backend.makeTensorInfo(v.shape, 'float32', out));
  }) as unknown as KernelFunc;
  return { kernelName: ADAM_KERNEL, backendName, kernelFunc };
}

let inPlaceAddon: NativeAddon | undefined;

export function registerOptimizerKernels(addon: NativeAddon, backendName: string, wrap: (k: KernelConfig) => KernelConfig): void {
  registerKernel(wrap(adamKernel(addon, backendName)));
  inPlaceAddon = addon;
}

/**
 * The same Adam step written into v, m and u themselves, when that is safe: the native backend is
 * in use and each of the three arrays came from its pool, is held by that tensor's data id alone
 * (reference count 1) and was never read out. Saves allocating three variable-sized arrays per
 * variable and step (on ResNet-50, 300 MB a step). False when not safe: then use ADAM_KERNEL.
 */
export function adamInPlace(v: Tensor, m: Tensor, u: Tensor, g: Tensor, lrT: number, beta1: number, beta2: number, epsilon: number): boolean {
  const backend = engine().backend;
  if (inPlaceAddon === undefined || !(backend instanceof NativeBackend)) return false;
  if (![v, m, u, g].every((t) => t.dtype === 'float32') || new Set([v.dataId, m.dataId, u.dataId, g.dataId]).size !== 4) return false;
  const own = [v, m, u].map((t) => backend.data.get(t.dataId));
  if (!own.every((d, i) => d !== undefined && d.refCount === 1 && backend.pool.isPrivate(d.values, [v, m, u][i]!.dataId))) return false;
  const gv = backend.data.get(g.dataId)?.values;
  if (!(gv instanceof Float32Array)) return false;
  const [vv, mv, uv] = own.map((d) => d!.values as Float32Array) as [Float32Array, Float32Array, Float32Array];
  if (gv.length !== vv.length) return false;
  inPlaceAddon.adam(vv, mv, uv, gv, vv, mv, uv, lrT, beta1, beta2, epsilon);
  return true;
}
