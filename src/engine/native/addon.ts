// Loads the compiled cvr-native addon (native/build/Release/cvr_native.node) if it was built.
import { createRequire } from 'node:module';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../../diag/index.ts';

/** The addon's functions; every call is synchronous and writes into `out`. */
export interface NativeAddon {
  /** kind 0: out=conv(a=x, b=w); 1: out=dx from (a=dy, b=w); 2: out=dw from (a=x, b=dy). dims: see CONV_DIMS. */
  conv(kind: 0 | 1 | 2, dims: Int32Array, a: Float32Array, b: Float32Array, out: Float32Array): void;
  /** kind 0: out=pool(a=x); 1: out=dx from (a=x, b=dy). */
  pool(kind: 0 | 1, avg: 0 | 1, dims: Int32Array, a: Float32Array, b: Float32Array, out: Float32Array): void;
  matmul(transA: number, transB: number, batch: number, m: number, n: number, k: number,
    a: Float32Array, b: Float32Array, out: Float32Array, broadcastA: number, broadcastB: number): void;
  /** op 0 add, 1 sub, 2 mul, 3 div; the shorter operand's length divides the output's and it repeats. */
  binary(op: 0 | 1 | 2 | 3, a: Float32Array, b: Float32Array, out: Float32Array): void;
  /** op 0 relu, 1 step (x > 0 ? 1 : alpha), 2 square, 3 relu6, 4 neg. */
  unary(op: 0 | 1 | 2 | 3 | 4, x: Float32Array, out: Float32Array, alpha: number): void;
  /** out[j] = Σ_r x[r·out.length + j] (mean: of x / rows). */
  reduceRows(mean: boolean, x: Float32Array, rows: number, out: Float32Array): void;
  /** Parameters of length C (dividing x's length) or 1, cycling as tfjs's FusedBatchNorm does. */
  batchNorm(x: Float32Array, mean: Float32Array, variance: Float32Array, offset: Float32Array, scale: Float32Array,
    epsilon: number, out: Float32Array): void;
  /** op 0 relu gradient, 1 square gradient, 2 mean gradient (dy repeated along out, / n). */
  gradOp(op: 0 | 1 | 2, dy: Float32Array, x: Float32Array, out: Float32Array, n: number): void;
  /** FusedBatchNorm's gradient for per-channel parameters; an empty `scale` means 1. */
  bnGrad(x: Float32Array, mean: Float32Array, variance: Float32Array, scale: Float32Array, dy: Float32Array, epsilon: number,
    dx: Float32Array, dmean: Float32Array, dvariance: Float32Array, dscale: Float32Array, doffset: Float32Array): void;
  /**
   * Training-mode batch normalisation of an NHWC tensor (dims N H W C) by oneDNN's primitives.
   * kind 0: (x, scale, shift, y, mean, variance); kind 1: (x, dy, mean, variance, scale, dmean,
   * dvariance, dx, dscale, dshift), dmean/dvariance may be empty. See addon.cc's BnTrainCall.
   */
  bnTrain(kind: 0 | 1, dims: Int32Array, epsilon: number, ...arrays: Float32Array[]): void;
  /** One Keras Adam step of one variable (see addon.cc's AdamCall); writes v', m', u'. */
  adam(v: Float32Array, m: Float32Array, u: Float32Array, g: Float32Array, outV: Float32Array, outM: Float32Array, outU: Float32Array,
    lrT: number, beta1: number, beta2: number, epsilon: number): void;
  /** Sets the OpenMP thread count for later calls; returns the count in effect. */
  setThreads(n: number): number;
  info(): { dnnlVersion: string; threads: number; cachedPrimitives: number };
}

export const ADDON_PATH = join(packageRoot(), 'native', 'build', 'Release', 'cvr_native.node');

export type AddonLoad = { ok: true; addon: NativeAddon } | { ok: false; reason: string };

export function loadAddon(path: string = ADDON_PATH): AddonLoad {
  if (!existsSync(path)) return { ok: false, reason: `the addon is not built (${path} is missing)` };
  // libgomp reads its wait policy once, when oneDNN loads it. Its default lets idle worker threads
  // sleep almost at once when more threads than free cores exist, and waking them costs
  // milliseconds per kernel call on a loaded machine; spinning a little longer keeps them awake
  // across the short JavaScript gaps between the kernels of one training step.
  process.env['GOMP_SPINCOUNT'] ??= '10000000';
  try {
    const addon = createRequire(import.meta.url)(path) as NativeAddon;
    return { ok: true, addon };
  } catch (err) {
    // Typically libdnnl.so.2 missing at run time after a build elsewhere.
    return { ok: false, reason: `the addon failed to load: ${(err as Error).message.split('\n')[0]}` };
  }
}
