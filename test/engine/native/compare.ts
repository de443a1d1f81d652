// Runs one computation on the cpu backend and on the native backend and compares the results.
import * as tf from '@tensorflow/tfjs';
import { expect } from 'vitest';
import { probeNative } from '../../../src/engine/native/index.ts';

export const probe = await probeNative();
export const nativeBackend = probe.available && probe.register ? await probe.register() : undefined;
/** Shown as the describe title when the addon is not built, so a skip says why. */
export const skipReason = `native engine not available: ${probe.reason}`;

export async function onBackend<T>(name: string, f: () => T): Promise<T> {
  if (!(await tf.setBackend(name))) throw new Error(`backend ${name} failed to initialise`);
  return f();
}

/** The outputs of `f` (tensors read back as plain arrays) on cpu and on native. */
export async function both(f: () => tf.Tensor | tf.Tensor[]): Promise<{ cpu: Float32Array[]; native: Float32Array[] }> {
  const run = async (name: string): Promise<Float32Array[]> =>
    onBackend(name, () => tf.tidy(() => {
      const r = f();
      return (Array.isArray(r) ? r : [r]).map((t) => Float32Array.from(t.dataSync()));
    }));
  return { cpu: await run('cpu'), native: await run(nativeBackend!) };
}

/**
 * |native − cpu| ≤ rtol · max(|cpu|, mean |cpu|) element by element: relative, with the tensor's
 * mean magnitude as the floor, because sums of many products of random signs land near zero
 * where a purely relative comparison measures only rounding noise. `atol` is for values that are
 * themselves rounding noise (a bias whose gradient batch normalisation cancels).
 */
export function expectClose(actual: Float32Array, expected: Float32Array, rtol = 1e-4, atol = 0): void {
  expect(actual.length).toBe(expected.length);
  let meanAbs = 0;
  for (const v of expected) meanAbs += Math.abs(v);
  meanAbs = expected.length > 0 ? meanAbs / expected.length : 0;
  let worst = 0, at = -1;
  for (let i = 0; i < expected.length; i++) {
    const e = expected[i]!, a = actual[i]!;
    const err = Math.max(0, Math.abs(a - e) - atol) / Math.max(Math.abs(e), meanAbs, 1e-30);
    if (!(err <= worst) ) { worst = err; at = i; }
  }
  if (!(worst <= rtol)) {
    throw new Error(`element ${at}: native ${actual[at]} vs cpu ${expected[at]} (relative error ${worst.toExponential(2)} > ${rtol})`);
  }
}

export function expectAllClose(r: { cpu: Float32Array[]; native: Float32Array[] }, rtol = 1e-4): void {
  expect(r.native.length).toBe(r.cpu.length);
  r.cpu.forEach((c, i) => expectClose(r.native[i]!, c, rtol));
}

/** Deterministic pseudo-random values in [-1, 1) from a fast-check-drawn seed. */
export function values(n: number, seed: number): Float32Array {
  const out = new Float32Array(n);
  let s = seed >>> 0 || 1;
  for (let i = 0; i < n; i++) {
    s ^= s << 13; s >>>= 0; s ^= s >>> 17; s ^= s << 5; s >>>= 0;
    out[i] = (s / 2 ** 32) * 2 - 1;
  }
  return out;
}
