// Gradients the native backend computes in one addon call instead of tfjs's chain of tensor-sized
// operations. tfjs keys gradients by kernel name for every backend, so each override here keeps
// tfjs's original and uses it whenever the active backend is not `native` or the case is not the
// common one (per-channel parameters of a 4-D NHWC float32 tensor).
import * as tf from '@tensorflow/tfjs-core';
import type { KernelConfig, KernelFunc, NamedAttrMap, NamedTensorInfoMap, TensorInfo } from '@tensorflow/tfjs-core';
import type { MathBackendCPU } from '@tensorflow/tfjs-backend-cpu';
import type { NativeAddon } from './addon.ts';
import { allocFloats } from './native-backend.ts';
import { axisRun } from './kernels.ts';

export const BN_GRAD_KERNEL = 'CvrFusedBatchNormGrad';

type Args = { inputs: NamedTensorInfoMap; backend: MathBackendCPU; attrs: NamedAttrMap };

export function bnGradKernel(addon: NativeAddon, backendName: string): KernelConfig {
  const f = (t: TensorInfo | undefined, b: MathBackendCPU): Float32Array =>
    t === undefined ? new Float32Array(0) : (b.data.get(t.dataId).values as Float32Array);
  return {
    kernelName: BN_GRAD_KERNEL,
    backendName,
    kernelFunc: ((args: Args) => {
      const { inputs, backend: b, attrs } = args;
      const x = inputs['x']!, mean = inputs['mean']!;
      const c = mean.shape[0]!;
      const dx = allocFloats(b, x.shape.reduce((p, d) => p * d, 1));
      const parts = [new Float32Array(c), new Float32Array(c), new Float32Array(c), new Float32Array(c)] as const;
      addon.bnGrad(f(x, b), f(mean, b), f(inputs['variance'], b), f(inputs['scale'], b), f(inputs['dy'], b),
        attrs['varianceEpsilon'] as number, dx, ...parts);
      return [b.makeTensorInfo([...x.shape], 'float32', dx), ...parts.map((p) => b.makeTensorInfo([c], 'float32', p))];
    }) as unknown as KernelFunc,
  };
}

export const GRAD_OP_KERNEL = 'CvrGradOp';

/** One-pass gradients of Relu, Square and Mean (over leading axes); see the addon's gradOp. */
export function gradOpKernel(addon: NativeAddon, backendName: string): KernelConfig {
  return {
    kernelName: GRAD_OP_KERNEL,
    backendName,
    kernelFunc: ((args: Args) => {
      const { inputs, backend: b, attrs } = args;
      const dy = inputs['dy']!, x = inputs['x']!;
      const out = allocFloats(b, x.shape.reduce((p, d) => p * d, 1));
      const v = (t: TensorInfo): Float32Array => b.data.get(t.dataId).values as Float32Array;
      addon.gradOp(attrs['op'] as 0 | 1 | 2, v(dy), v(x), out, (attrs['n'] as number | undefined) ?? 1);
      return b.makeTensorInfo([...x.shape], 'float32', out);
    }) as unknown as KernelFunc,
  };
}

export const MEAN_GRAD_KERNEL = 'CvrMeanRunGrad';

/**
 * The gradient of Mean over one contiguous run of axes: dy (outer × inner) repeated along the run,
 * each element divided by the count in float32 — what tfjs's chain (reshape, × ones, ÷ n) computes,
 * without its element-by-element broadcasting multiply.
 */
export function meanRunGradKernel(backendName: string): KernelConfig {
  return {
    kernelName: MEAN_GRAD_KERNEL,
    backendName,
    kernelFunc: ((args: Args) => {
      const { inputs, backend: b, attrs } = args;
      const dy = b.data.get(inputs['dy']!.dataId).values as Float32Array;
      const { outer, reduce, inner } = attrs as Record<'outer' | 'reduce' | 'inner', number>;
      const shape = attrs['shape'] as number[];
      const out = allocFloats(b, outer * reduce * inner);
      const row = new Float32Array(inner);
      for (let o = 0; o < outer; o++) {
        for (let i = 0; i < inner; i++) row[i] = dy[o * inner + i]! / reduce;
        for (let k = 0; k < reduce; k++) out.set(row, (o * reduce + k) * inner);
      }
      return b.makeTensorInfo([...shape], 'float32', out);
    }) as unknown as KernelFunc,
  };
}

const gradOp = (op: 0 | 1 | 2, dy: tf.Tensor, x: tf.Tensor, n = 1): tf.Tensor =>
  tf.engine().runKernel(GRAD_OP_KERNEL, { dy, x }, { op, n }) as unknown as tf.Tensor;

function overrideGradient(kernelName: string, mine: (dy: tf.Tensor, saved: tf.Tensor[], attrs: NamedAttrMap) => (() => tf.Tensor) | undefined): void {
  const original = tf.getGradient(kernelName);
  if (original === undefined) return;
  tf.registerGradient({
    kernelName,
    inputsToSave: original.inputsToSave,
    outputsToSave: original.outputsToSave,
    gradFunc: (dy, saved, attrs) => {
      const g = Array.isArray(dy) ? undefined : dy;
      const dx = g === undefined ? undefined : mine(g, saved, attrs);
      return dx === undefined ? original.gradFunc(dy, saved, attrs) : { x: dx };
    },
  });
}

export function registerNativeGradients(backendName: string): void {
  const here = (...ts: tf.Tensor[]): boolean => tf.getBackend() === backendName && ts.every((t) => t.dtype === 'float32');
  overrideGradient(tf.Relu, (dy, [x]) => (here(dy, x!) ? () => gradOp(0, dy, x!) : undefined));
  overrideGradient(tf.Square, (dy, [x]) => (here(dy, x!) ? () => gradOp(1, dy, x!) : undefined));
  overrideGradient(tf.Mean, (dy, [x], attrs) => {
    if (!here(dy, x!)) return undefined;
    const rank = x!.rank;
    const raw = attrs['axis'] as number | number[] | undefined | null;
    const axes = raw === undefined || raw === null ? [...Array(rank).keys()] : (Array.isArray(raw) ? raw : [raw]);
    const sorted = [...new Set(axes.map((a) => (a < 0 ? a + rank : a)))].sort((p, q) => p - q);
    if (!sorted.every((a, i) => a === i)) {
      const run = process.env['CVR_NATIVE_MIDDLE_REDUCE'] === '0' ? undefined : axisRun(axes, x!.shape);
      if (run === undefined || dy.size !== run.outer * run.inner) return undefined;
      return () => tf.engine().runKernel(MEAN_GRAD_KERNEL, { dy }, { outer: run.outer, reduce: run.reduce, inner: run.inner, shape: x!.shape }) as unknown as tf.Tensor;
    }
    const n = x!.shape.slice(0, sorted.length).reduce((p, d) => p * d, 1);
    return () => gradOp(2, dy, x!, n);
  });

  const original = tf.getGradient(tf.FusedBatchNorm);
  if (original === undefined) return;
  tf.registerGradient({
    kernelName: tf.FusedBatchNorm,
    inputsToSave: original.inputsToSave,
    gradFunc: (dy, saved, attrs) => {
      const [x, mean, variance, scale] = saved as [tf.Tensor, tf.Tensor, tf.Tensor, tf.Tensor | undefined];
      const g = Array.isArray(dy) ? dy[0]! : dy;
      const common = tf.getBackend() === backendName && x.rank === 4 && mean.rank === 1 && variance.rank === 1 &&
        mean.shape[0] === x.shape[3] && variance.shape[0] === x.shape[3] && (scale === undefined || scale === null ||
          (scale.rank === 1 && scale.shape[0] === x.shape[3])) &&
        [x, mean, variance, scale, g].every((t) => t === undefined || t === null || t.dtype === 'float32');
      if (!common) return original.gradFunc(dy, saved, attrs);
      // Computed here, not inside the thunks: tfjs calls each thunk in its own tidy scope, which
      // would dispose the parts the other thunks return. Created here they live in the scope of
      // the whole gradient computation, which disposes the unused ones.
      const parts = tf.engine().runKernel(BN_GRAD_KERNEL, { x, mean, variance, dy: g, ...(scale ? { scale } : {}) },
        { varianceEpsilon: (attrs['varianceEpsilon'] as number | undefined) ?? 0.001 }) as unknown as tf.Tensor[];
      const part = (i: number) => (): tf.Tensor => parts[i]!;
      return { x: part(0), mean: part(1), variance: part(2), scale: part(3), offset: part(4) };
    },
  });
}
