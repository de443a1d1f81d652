// Each kernel the native backend replaces, against the cpu backend, over random shapes, strides,
// paddings, dilations and batch sizes.
import * as tf from '@tensorflow/tfjs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { both, expectAllClose, nativeBackend, skipReason, values } from './compare.ts';
import { loadAddon } from '../../../src/engine/native/addon.ts';

/** oneDNN primitives created so far: grows only when a kernel really ran in the addon. */
function addonPrimitives(): number {
  const l = loadAddon();
  return l.ok ? l.addon.info().cachedPrimitives : -1;
}

const RUNS = { numRuns: 30 } as const;
type Pad = 'same' | 'valid' | [[0, 0], [number, number], [number, number], [0, 0]];

const t4 = (shape: [number, number, number, number], seed: number): tf.Tensor4D =>
  tf.tensor4d(values(shape[0] * shape[1] * shape[2] * shape[3], seed), shape);

const padArb: fc.Arbitrary<Pad> = fc.oneof(
  fc.constant('same' as const), fc.constant('valid' as const),
  fc.tuple(fc.nat(2), fc.nat(2), fc.nat(2), fc.nat(2)).map(([t, b, l, r]): Pad => [[0, 0], [t, b], [l, r], [0, 0]]),
);

/** A convolution problem tfjs accepts: strides > 1 and dilations > 1 are not combined. */
const convArb = fc.record({
  n: fc.integer({ min: 1, max: 3 }), h: fc.integer({ min: 3, max: 11 }), w: fc.integer({ min: 3, max: 11 }),
  ci: fc.integer({ min: 1, max: 9 }), co: fc.integer({ min: 1, max: 9 }), kh: fc.integer({ min: 1, max: 3 }),
  kw: fc.integer({ min: 1, max: 3 }), stride: fc.integer({ min: 1, max: 3 }), dilation: fc.integer({ min: 1, max: 2 }),
  pad: padArb, seed: fc.integer({ min: 1, max: 2 ** 31 - 1 }),
}).map((p) => ({ ...p, dilation: p.stride > 1 ? 1 : p.dilation }))
  .filter((p) => p.h + 4 >= (p.kh - 1) * p.dilation + 1 && p.w + 4 >= (p.kw - 1) * p.dilation + 1);

/** Output size tfjs computes, to keep only problems with a non-empty output. */
function outSize(p: { h: number; kh: number; stride: number; dilation: number; pad: Pad }, dim: 1 | 2): number {
  const size = dim === 1 ? p.h : (p as unknown as { w: number }).w;
  const k = ((dim === 1 ? p.kh : (p as unknown as { kw: number }).kw) - 1) * p.dilation + 1;
  if (p.pad === 'same') return Math.ceil(size / p.stride);
  const extra = p.pad === 'valid' ? 0 : p.pad[dim][0] + p.pad[dim][1];
  return Math.floor((size + extra - k) / p.stride) + 1;
}
const nonEmpty = (p: Parameters<typeof outSize>[0]): boolean => outSize(p, 1) > 0 && outSize(p, 2) > 0;

describe.skipIf(nativeBackend === undefined)(nativeBackend === undefined ? skipReason : 'native kernels vs cpu', () => {
  it('Conv2D forward', async () => {
    const before = addonPrimitives();
    await fc.assert(fc.asyncProperty(convArb.filter(nonEmpty), async (p) => {
      expectAllClose(await both(() => tf.conv2d(t4([p.n, p.h, p.w, p.ci], p.seed), t4([p.kh, p.kw, p.ci, p.co], p.seed + 1),
        p.stride, p.pad, 'NHWC', p.dilation)));
    }), RUNS);
    expect(addonPrimitives()).toBeGreaterThan(before);
  });

  it('Conv2D gradients (Conv2DBackpropInput, Conv2DBackpropFilter)', async () => {
    await fc.assert(fc.asyncProperty(convArb.map((p) => ({ ...p, dilation: 1 })).filter(nonEmpty), async (p) => {
      expectAllClose(await both(() => {
        const x = t4([p.n, p.h, p.w, p.ci], p.seed), w = t4([p.kh, p.kw, p.ci, p.co], p.seed + 1);
        const dy = t4([p.n, outSize(p, 1), outSize(p, 2), p.co], p.seed + 2);
        return tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, p.stride, p.pad))([x, w], dy);
      }));
    }), RUNS);
  });

  it('FusedConv2D with bias and relu, and its gradients', async () => {
    await fc.assert(fc.asyncProperty(convArb.map((p) => ({ ...p, dilation: 1 })).filter(nonEmpty), async (p) => {
      expectAllClose(await both(() => {
        const x = t4([p.n, p.h, p.w, p.ci], p.seed), w = t4([p.kh, p.kw, p.ci, p.co], p.seed + 1);
        const bias = tf.tensor1d(values(p.co, p.seed + 3));
        const f = (a: tf.Tensor, b: tf.Tensor, c: tf.Tensor): tf.Tensor =>
          tf.fused.conv2d({ x: a as tf.Tensor4D, filter: b as tf.Tensor4D, bias: c, strides: p.stride, pad: p.pad, activation: 'relu' });
        const dy = t4([p.n, outSize(p, 1), outSize(p, 2), p.co], p.seed + 2);
        return [f(x, w, bias), ...tf.grads(f)([x, w, bias], dy)];
      }));
    }), RUNS);
  });

  it('DepthwiseConv2dNative forward and gradients', async () => {
    const arb = convArb.chain((p) => fc.integer({ min: 1, max: 3 }).map((mult) => ({ ...p, mult })))
      .map((p) => ({ ...p, pad: typeof p.pad === 'string' ? p.pad : 'valid' as const })).filter(nonEmpty);
    await fc.assert(fc.asyncProperty(arb, async (p) => {
      // tfjs's depthwise gradients accept no dilation, so they are checked at dilation 1.
      expectAllClose(await both(() => {
        const x = t4([p.n, p.h, p.w, p.ci], p.seed), w = t4([p.kh, p.kw, p.ci, p.mult], p.seed + 1);
        return tf.depthwiseConv2d(x, w, p.stride, p.pad, 'NHWC', p.dilation);
      }));
      const g = { ...p, dilation: 1 };
      if (!nonEmpty(g)) return;
      expectAllClose(await both(() => {
        const x = t4([p.n, p.h, p.w, p.ci], p.seed), w = t4([p.kh, p.kw, p.ci, p.mult], p.seed + 1);
        const dy = t4([p.n, outSize(g, 1), outSize(g, 2), p.ci * p.mult], p.seed + 2);
        return tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.depthwiseConv2d(a as tf.Tensor4D, b as tf.Tensor4D, p.stride, p.pad))([x, w], dy);
      }));
    }), RUNS);
  });

  it('MaxPool and AvgPool, forward and gradients', async () => {
    const arb = fc.record({
      n: fc.integer({ min: 1, max: 3 }), h: fc.integer({ min: 2, max: 10 }), w: fc.integer({ min: 2, max: 10 }),
      c: fc.integer({ min: 1, max: 6 }), k: fc.integer({ min: 1, max: 3 }), stride: fc.integer({ min: 1, max: 3 }),
      pad: fc.constantFrom('same' as const, 'valid' as const), seed: fc.integer({ min: 1, max: 2 ** 31 - 1 }),
    }).filter((p) => p.h >= p.k && p.w >= p.k);
    await fc.assert(fc.asyncProperty(arb, async (p) => {
      expectAllClose(await both(() => {
        const x = t4([p.n, p.h, p.w, p.c], p.seed);
        const mp = (a: tf.Tensor) => tf.maxPool(a as tf.Tensor4D, p.k, p.stride, p.pad);
        const ap = (a: tf.Tensor) => tf.avgPool(a as tf.Tensor4D, p.k, p.stride, p.pad);
        const y = mp(x);
        const dy = t4(y.shape as [number, number, number, number], p.seed + 1);
        return [y, ap(x), tf.grad(mp)(x, dy), tf.grad(ap)(x, dy)];
      }));
    }), RUNS);
  });

  it('MatMul, BatchMatMul and _FusedMatMul with transposes and batch broadcasting', async () => {
    const arb = fc.record({
      batch: fc.constantFrom([], [2], [3, 2]), m: fc.integer({ min: 1, max: 9 }), n: fc.integer({ min: 1, max: 9 }),
      k: fc.integer({ min: 1, max: 9 }), ta: fc.boolean(), tb: fc.boolean(), broadcast: fc.constantFrom('none', 'a', 'b'),
      seed: fc.integer({ min: 1, max: 2 ** 31 - 1 }),
    });
    await fc.assert(fc.asyncProperty(arb, async (p) => {
      const shapeA = [...(p.broadcast === 'a' ? [] : p.batch), ...(p.ta ? [p.k, p.m] : [p.m, p.k])];
      const shapeB = [...(p.broadcast === 'b' ? [] : p.batch), ...(p.tb ? [p.n, p.k] : [p.k, p.n])];
      expectAllClose(await both(() => {
        const a = tf.tensor(values(shapeA.reduce((x, y) => x * y, 1), p.seed), shapeA);
        const b = tf.tensor(values(shapeB.reduce((x, y) => x * y, 1), p.seed + 1), shapeB);
        const bias = tf.tensor1d(values(p.n, p.seed + 2));
        return [tf.matMul(a, b, p.ta, p.tb), tf.fused.matMul({ a, b, transposeA: p.ta, transposeB: p.tb, bias, activation: 'relu' })];
      }));
    }), RUNS);
  });

  it('batch normalisation gradients (one addon pass on native)', async () => {
    const arb = fc.record({
      n: fc.integer({ min: 1, max: 3 }), h: fc.integer({ min: 1, max: 6 }), w: fc.integer({ min: 1, max: 6 }),
      c: fc.integer({ min: 1, max: 70 }), seed: fc.integer({ min: 1, max: 2 ** 31 - 1 }),
    });
    await fc.assert(fc.asyncProperty(arb, async (p) => {
      expectAllClose(await both(() => {
        const x = t4([p.n, p.h, p.w, p.c], p.seed), dy = t4([p.n, p.h, p.w, p.c], p.seed + 1);
        const stat = (k: number) => tf.tensor1d(values(p.c, p.seed + k)).abs().add(0.1);
        // (tfjs's own gradient fails without a scale, on every backend, so a scale is always given.)
        const f = (a: tf.Tensor, m: tf.Tensor, v: tf.Tensor, o: tf.Tensor, s: tf.Tensor) => tf.batchNorm(a, m, v, o, s, 1e-3);
        return tf.grads(f)([x, stat(2), stat(3), stat(4), stat(5)], dy);
      }));
    }), RUNS);
  });

  it('element-wise arithmetic with per-channel and scalar broadcasts, unary ops, reductions, batch norm', async () => {
    const arb = fc.record({
      shape: fc.array(fc.integer({ min: 1, max: 6 }), { minLength: 1, maxLength: 4 }),
      cut: fc.nat(4), seed: fc.integer({ min: 1, max: 2 ** 31 - 1 }),
    });
    await fc.assert(fc.asyncProperty(arb, async (p) => {
      const cut = Math.min(p.cut, p.shape.length);
      const tail = p.shape.slice(cut);
      const sz = (s: number[]) => s.reduce((x, y) => x * y, 1);
      expectAllClose(await both(() => {
        const a = tf.tensor(values(sz(p.shape), p.seed), p.shape);
        const b = tf.tensor(values(sz(tail), p.seed + 1), tail);
        const s = tf.scalar(0.75);
        const axes = [...Array(cut).keys()];
        const c = tail.length > 0 ? tail[tail.length - 1]! : 1;
        const stat = (k: number) => tf.tensor1d(values(c, p.seed + k)).abs().add(0.1);
        const bn = p.shape[p.shape.length - 1] === c
          ? [tf.batchNorm(a, stat(2), stat(3), stat(4), stat(5), 1e-3)] : [];
        return [
          a.add(b), b.add(a), a.sub(b), b.sub(a), a.mul(b), b.mul(a), a.div(b.abs().add(0.5)), s.div(a.abs().add(0.5)),
          a.mul(s), tf.relu(a), tf.relu6(a.mul(10)), tf.square(a), tf.neg(a),
          tf.grad((x: tf.Tensor) => tf.relu(x))(a, a.mul(3)), tf.grad((x: tf.Tensor) => tf.square(x))(a, a.add(1)),
          tf.grad((x: tf.Tensor) => tf.mean(x, axes))(a, tf.onesLike(tf.mean(a, axes)).mul(1.5)),
          tf.grad((x: tf.Tensor) => tf.mean(x, p.shape.length - 1))(a, tf.onesLike(tf.mean(a, p.shape.length - 1)).mul(0.5)),
          ...(cut > 0 ? [tf.sum(a, axes), tf.mean(a, axes), tf.sum(a, axes, true)] : [tf.sum(a), tf.mean(a)]),
          tf.tile(tf.reshape(a, [1, ...p.shape]), [3, ...p.shape.map(() => 1)]),
          ...bn,
        ];
      }));
    }), RUNS);
  });
});
