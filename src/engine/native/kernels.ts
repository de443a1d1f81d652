// tfjs kernels for the `native` backend: the cpu backend's kernels with the heavy ones computed by
// oneDNN through the addon. Anything the addon does not cover (other dtypes, NCHW, unusual
// broadcasts) is handed to the cpu kernel of the same name, so results never depend on coverage.
import {
  backend_util, getKernel, type KernelConfig, type KernelFunc, type NamedAttrMap, type NamedTensorInfoMap, type TensorInfo,
} from '@tensorflow/tfjs-core';
import type { MathBackendCPU } from '@tensorflow/tfjs-backend-cpu';
import type { NativeAddon } from './addon.ts';
import { allocFloats } from './native-backend.ts';
import { copyKernelConfigs } from './copy-kernels.ts';

type Args = { inputs: NamedTensorInfoMap; backend: MathBackendCPU; attrs: NamedAttrMap };
type Conv2DInfo = backend_util.Conv2DInfo;
type Pad = 'same' | 'valid' | number | backend_util.ExplicitPadding;
type Rounding = 'floor' | 'round' | 'ceil' | undefined;
type Pair = number | [number, number];
type Shape4 = [number, number, number, number];

function cpuKernel(name: string): KernelFunc {
  const k = getKernel(name, 'cpu');
  if (k === undefined) throw new Error(`cpu kernel ${name} is not registered`);
  return k.kernelFunc;
}

function cpu(name: string, args: Args): TensorInfo {
  return cpuKernel(name)(args as unknown as Parameters<KernelFunc>[0]) as TensorInfo;
}

function floats(b: MathBackendCPU, t: TensorInfo): Float32Array {
  return b.data.get(t.dataId).values as Float32Array;
}

const isF32 = (...ts: (TensorInfo | undefined)[]): boolean => ts.every((t) => t === undefined || t.dtype === 'float32');
const size = (shape: readonly number[]): number => shape.reduce((p, d) => p * d, 1);

function convDims(c: Conv2DInfo, groups: number): Int32Array {
  return Int32Array.from([
    c.batchSize, c.inHeight, c.inWidth, c.inChannels, c.outHeight, c.outWidth, c.outChannels,
    c.filterHeight, c.filterWidth, c.strideHeight, c.strideWidth, c.dilationHeight, c.dilationWidth,
    c.padInfo.top, c.padInfo.left, c.padInfo.bottom, c.padInfo.right, groups,
  ]);
}

function poolDims(c: Conv2DInfo): Int32Array {
  return Int32Array.from([
    c.batchSize, c.inHeight, c.inWidth, c.inChannels, c.outHeight, c.outWidth,
    c.filterHeight, c.filterWidth, c.strideHeight, c.strideWidth,
    c.padInfo.top, c.padInfo.left, c.padInfo.bottom, c.padInfo.right,
  ]);
}

/** A depthwise convInfo's outChannels is inChannels × multiplier; oneDNN sees it as `inChannels` groups. */
const groupsOf = (c: Conv2DInfo, depthwise: boolean): number => (depthwise ? c.inChannels : 1);

/** NHWC float32 only, and padding the addon can express (negative padding means cropping). */
function convSupported(c: Conv2DInfo, dataFormat: unknown): boolean {
  const p = c.padInfo;
  return (dataFormat === undefined || dataFormat === 'NHWC' || dataFormat === 'channelsLast') &&
    p.top >= 0 && p.left >= 0 && p.bottom >= 0 && p.right >= 0 && c.outHeight > 0 && c.outWidth > 0;
}

// On by default (CVR_NATIVE_POINTWISE_GEMM=0 turns it off): 1×1 stride-1 unpadded convolutions
// as one sgemm each on tfjs's NHWC and HWIO arrays (forward X·W, backward data dY·Wᵀ, backward
// weights Xᵀ·dY), with no layout or weight reorders. Xception 64², 1 thread: ≈ 10 % less CPU a step.
const POINTWISE_GEMM = process.env['CVR_NATIVE_POINTWISE_GEMM'] !== '0';
const pointwise = (c: Conv2DInfo, depthwise: boolean): boolean => POINTWISE_GEMM && !depthwise &&
  c.filterHeight === 1 && c.filterWidth === 1 && c.strideHeight === 1 && c.strideWidth === 1 &&
  c.dilationHeight === 1 && c.dilationWidth === 1 && c.padInfo.top === 0 && c.padInfo.left === 0 &&
  c.padInfo.bottom === 0 && c.padInfo.right === 0 && c.outHeight === c.inHeight && c.outWidth === c.inWidth;

const convForward = (addon: NativeAddon, b: MathBackendCPU, x: TensorInfo, w: TensorInfo, c: Conv2DInfo, depthwise: boolean): TensorInfo => {
  const out = allocFloats(b, c.batchSize * c.outHeight * c.outWidth * c.outChannels);
  const rows = c.batchSize * c.outHeight * c.outWidth;
  if (pointwise(c, depthwise)) addon.matmul(0, 0, 1, rows, c.outChannels, c.inChannels, floats(b, x), floats(b, w), out, 0, 0);
  else addon.conv(0, convDims(c, groupsOf(c, depthwise)), floats(b, x), floats(b, w), out);
  return b.makeTensorInfo([c.batchSize, c.outHeight, c.outWidth, c.outChannels], 'float32', out);
};

// bias and activation of the fused kernels: the native Add and Relu/Relu6, the cpu backend's own
// kernels for the rarer activations, so semantics (broadcasting, prelu, alpha) are tfjs's.
const biasActivation = (addon: NativeAddon, b: MathBackendCPU, y: TensorInfo, a: NamedAttrMap, bias?: TensorInfo, prelu?: TensorInfo): TensorInfo => {
  let r = y;
  if (bias !== undefined) {
    r = binaryKernel(addon, 'Add')({ inputs: { a: y, b: bias }, backend: b, attrs: {} });
    b.disposeIntermediateTensorInfo(y);
  }
  const act = a['activation'] as string | undefined;
  if (act !== undefined && act !== 'linear') {
    const before = r;
    const actArgs = (name: string, extra: NamedTensorInfoMap = {}, attrs: NamedAttrMap = {}): TensorInfo =>
      cpu(name, { inputs: { x: before, ...extra }, backend: b, attrs });
    if (act === 'relu') r = unaryKernel(addon, 'Relu')({ inputs: { x: before }, backend: b, attrs: {} });
    else if (act === 'relu6') r = unaryKernel(addon, 'Relu6')({ inputs: { x: before }, backend: b, attrs: {} });
    else if (act === 'elu') r = actArgs('Elu');
    else if (act === 'sigmoid') r = actArgs('Sigmoid');
    else if (act === 'leakyrelu') r = actArgs('LeakyRelu', {}, { alpha: a['leakyreluAlpha'] as number });
    else if (act === 'prelu' && prelu !== undefined) r = actArgs('Prelu', { alpha: prelu });
    else throw new Error(`activation ${act} is not implemented for the native backend`);
    b.disposeIntermediateTensorInfo(before);
  }
  return r;
};

const conv2D = (addon: NativeAddon, name: string, depthwise: boolean, fused: boolean): KernelConfig => ({
  kernelName: name,
  backendName: 'native',
  kernelFunc: ((args: Args) => {
    const { inputs, backend: b, attrs } = args;
    const x = inputs['x']!, w = inputs['filter']!;
    const bias = inputs['bias'], prelu = inputs['preluActivationWeights'];
    const dataFormat = attrs['dataFormat'] as 'NHWC' | 'NCHW' | undefined;
    if (!isF32(x, w, bias, prelu) || (dataFormat !== undefined && dataFormat !== 'NHWC')) return cpu(name, args);
    const c = backend_util.computeConv2DInfo(x.shape as Shape4, w.shape as Shape4, attrs['strides'] as Pair,
      (attrs['dilations'] as Pair | undefined) ?? 1, attrs['pad'] as Pad, attrs['dimRoundingMode'] as Rounding, depthwise);
    if (!convSupported(c, dataFormat)) return cpu(name, args);
    const y = convForward(addon, b, x, w, c, depthwise);
    return fused ? biasActivation(addon, b, y, attrs, bias, prelu) : y;
  }) as unknown as KernelFunc,
});

const convBackpropInput = (addon: NativeAddon, name: string, depthwise: boolean): KernelConfig => ({
  kernelName: name,
  backendName: 'native',
  kernelFunc: ((args: Args) => {
    const { inputs, backend: b, attrs } = args;
    const dy = inputs['dy']!, w = inputs['filter']!;
    const dataFormat = attrs['dataFormat'] as string | undefined;
    if (!isF32(dy, w) || (dataFormat !== undefined && dataFormat !== 'NHWC')) return cpu(name, args);
    const inShape = attrs['inputShape'] as Shape4;
    const c = backend_util.computeConv2DInfo(inShape, w.shape as Shape4, attrs['strides'] as Pair,
      depthwise ? (attrs['dilations'] as Pair) : 1, attrs['pad'] as Pad, attrs['dimRoundingMode'] as Rounding, depthwise);
    if (!convSupported(c, dataFormat) || c.outHeight !== dy.shape[1] || c.outWidth !== dy.shape[2]) return cpu(name, args);
    const out = allocFloats(b, size(inShape));
    const rows = c.batchSize * c.outHeight * c.outWidth;
    if (pointwise(c, depthwise)) addon.matmul(0, 1, 1, rows, c.inChannels, c.outChannels, floats(b, dy), floats(b, w), out, 0, 0);
    else addon.conv(1, convDims(c, groupsOf(c, depthwise)), floats(b, dy), floats(b, w), out);
    return b.makeTensorInfo([...inShape], 'float32', out);
  }) as unknown as KernelFunc,
});

const convBackpropFilter = (addon: NativeAddon, name: string, depthwise: boolean): KernelConfig => ({
  kernelName: name,
  backendName: 'native',
  kernelFunc: ((args: Args) => {
    const { inputs, backend: b, attrs } = args;
    const x = inputs['x']!, dy = inputs['dy']!;
    const dataFormat = attrs['dataFormat'] as string | undefined;
    if (!isF32(x, dy) || (dataFormat !== undefined && dataFormat !== 'NHWC')) return cpu(name, args);
    const fShape = attrs['filterShape'] as Shape4;
    const c = backend_util.computeConv2DInfo(x.shape as Shape4, fShape, attrs['strides'] as Pair,
      depthwise ? (attrs['dilations'] as Pair) : 1, attrs['pad'] as Pad, attrs['dimRoundingMode'] as Rounding, depthwise);
    if (!convSupported(c, dataFormat) || c.outHeight !== dy.shape[1] || c.outWidth !== dy.shape[2]) return cpu(name, args);
    const out = allocFloats(b, size(fShape));
    const rows = c.batchSize * c.outHeight * c.outWidth;
    if (pointwise(c, depthwise)) addon.matmul(1, 0, 1, c.inChannels, c.outChannels, rows, floats(b, x), floats(b, dy), out, 0, 0);
    else addon.conv(2, convDims(c, groupsOf(c, depthwise)), floats(b, x), floats(b, dy), out);
    return b.makeTensorInfo([...fShape], 'float32', out);
  }) as unknown as KernelFunc,
});

const poolInfo = (x: TensorInfo, attrs: NamedAttrMap): Conv2DInfo =>
  backend_util.computePool2DInfo(x.shape as Shape4, attrs['filterSize'] as Pair, attrs['strides'] as Pair, 1,
    attrs['pad'] as Pad, attrs['dimRoundingMode'] as Rounding);

const pool = (addon: NativeAddon, name: string, avg: 0 | 1): KernelConfig => ({
  kernelName: name,
  backendName: 'native',
  kernelFunc: ((args: Args) => {
    const { inputs, backend: b, attrs } = args;
    const x = inputs['x']!;
    if (!isF32(x) || x.shape.length !== 4) return cpu(name, args);
    const c = poolInfo(x, attrs);
    if (!convSupported(c, undefined)) return cpu(name, args);
    const out = allocFloats(b, c.batchSize * c.outHeight * c.outWidth * c.outChannels);
    addon.pool(0, avg, poolDims(c), floats(b, x), out, out);
    return b.makeTensorInfo([c.batchSize, c.outHeight, c.outWidth, c.outChannels], 'float32', out);
  }) as unknown as KernelFunc,
});

const poolGrad = (addon: NativeAddon, name: string, avg: 0 | 1): KernelConfig => ({
  kernelName: name,
  backendName: 'native',
  kernelFunc: ((args: Args) => {
    const { inputs, backend: b, attrs } = args;
    const dy = inputs['dy']!, x = inputs['input']!;
    if (!isF32(dy, x) || x.shape.length !== 4) return cpu(name, args);
    const c = poolInfo(x, attrs);
    if (!convSupported(c, undefined) || c.outHeight !== dy.shape[1] || c.outWidth !== dy.shape[2]) return cpu(name, args);
    const out = allocFloats(b, size(x.shape));
    addon.pool(1, avg, poolDims(c), floats(b, x), floats(b, dy), out);
    return b.makeTensorInfo([...x.shape], 'float32', out);
  }) as unknown as KernelFunc,
});

/** Batch dims equal on both sides, or one side has a single matrix reused for every batch. */
const matmul = (addon: NativeAddon, b: MathBackendCPU, a: TensorInfo, bb: TensorInfo, ta: boolean, tb: boolean): TensorInfo | undefined => {
  const ra = a.shape.length, rb = bb.shape.length;
  if (ra < 2 || rb < 2 || !isF32(a, bb)) return undefined;
  const m = ta ? a.shape[ra - 1]! : a.shape[ra - 2]!, k = ta ? a.shape[ra - 2]! : a.shape[ra - 1]!;
  const k2 = tb ? bb.shape[rb - 1]! : bb.shape[rb - 2]!, n = tb ? bb.shape[rb - 2]! : bb.shape[rb - 1]!;
  if (k !== k2) return undefined;
  const batchA = a.shape.slice(0, -2), batchB = bb.shape.slice(0, -2);
  const na = size(batchA), nb = size(batchB);
  let outBatch: number[];
  if (na === nb && batchA.length === batchB.length && batchA.every((d, i) => d === batchB[i])) outBatch = batchA;
  else if (na === 1 && batchA.length <= batchB.length) outBatch = batchB;
  else if (nb === 1 && batchB.length <= batchA.length) outBatch = batchA;
  else return undefined;
  const batch = size(outBatch);
  const out = allocFloats(b, batch * m * n);
  if (batch > 0 && m * n > 0) {
    if (k === 0) out.fill(0);
    else addon.matmul(ta ? 1 : 0, tb ? 1 : 0, batch, m, n, k, floats(b, a), floats(b, bb), out, na === 1 && batch > 1 ? 1 : 0, nb === 1 && batch > 1 ? 1 : 0);
  }
  return b.makeTensorInfo([...outBatch, m, n], 'float32', out);
};

const batchMatMul = (addon: NativeAddon): KernelConfig => ({
  kernelName: 'BatchMatMul',
  backendName: 'native',
  kernelFunc: ((args: Args) => {
    const { inputs, backend: b, attrs } = args;
    return matmul(addon, b, inputs['a']!, inputs['b']!, attrs['transposeA'] === true, attrs['transposeB'] === true) ??
      cpu('BatchMatMul', args);
  }) as unknown as KernelFunc,
});

const fusedMatMul = (addon: NativeAddon): KernelConfig => ({
  kernelName: '_FusedMatMul',
  backendName: 'native',
  kernelFunc: ((args: Args) => {
    const { inputs, backend: b, attrs } = args;
    const bias = inputs['bias'], prelu = inputs['preluActivationWeights'];
    if (!isF32(bias, prelu)) return cpu('_FusedMatMul', args);
    const y = matmul(addon, b, inputs['a']!, inputs['b']!, attrs['transposeA'] === true, attrs['transposeB'] === true);
    return y === undefined ? cpu('_FusedMatMul', args) : biasActivation(addon, b, y, attrs, bias, prelu);
  }) as unknown as KernelFunc,
});

function makeKernels(addon: NativeAddon): KernelConfig[] {
  return [
    conv2D(addon, 'Conv2D', false, false),
    conv2D(addon, 'FusedConv2D', false, true),
    convBackpropInput(addon, 'Conv2DBackpropInput', false),
    convBackpropFilter(addon, 'Conv2DBackpropFilter', false),
    conv2D(addon, 'DepthwiseConv2dNative', true, false),
    conv2D(addon, 'FusedDepthwiseConv2D', true, true),
    convBackpropInput(addon, 'DepthwiseConv2dNativeBackpropInput', true),
    convBackpropFilter(addon, 'DepthwiseConv2dNativeBackpropFilter', true),
    pool(addon, 'MaxPool', 0),
    pool(addon, 'AvgPool', 1),
    poolGrad(addon, 'MaxPoolGrad', 0),
    poolGrad(addon, 'AvgPoolGrad', 1),
    batchMatMul(addon),
    fusedMatMul(addon),
    ...(['Add', 'Sub', 'Multiply', 'RealDiv'] as const).map((name) => ({
      kernelName: name, backendName: 'native', kernelFunc: binaryKernel(addon, name) as unknown as KernelFunc,
    })),
    ...(['Relu', 'Step', 'Square', 'Relu6', 'Neg'] as const).map((name) => ({
      kernelName: name, backendName: 'native', kernelFunc: unaryKernel(addon, name) as unknown as KernelFunc,
    })),
    ...(['Sum', 'Mean'] as const).map((name) => ({
      kernelName: name, backendName: 'native', kernelFunc: reduceLeading(addon, name) as unknown as KernelFunc,
    })),
    { kernelName: 'FusedBatchNorm', backendName: 'native', kernelFunc: batchNormKernel(addon) as unknown as KernelFunc },
    { kernelName: 'Tile', backendName: 'native', kernelFunc: tileLeading as unknown as KernelFunc },
  ];
}

const BINARY_OPS = { Add: 0, Sub: 1, Multiply: 2, RealDiv: 3 } as const;

/** Does `short`, without its leading 1s, equal the trailing dimensions of `long`? */
function isTrailing(long: readonly number[], short: readonly number[]): boolean {
  if (short.length > long.length) return false;
  let first = 0;
  while (first < short.length && short[first] === 1) first++;
  const s = short.slice(first);
  return s.every((d, i) => d === long[long.length - s.length + i]);
}

/**
 * Element-wise float32 arithmetic where both shapes are equal or one side is the other's trailing
 * dimensions (the per-channel broadcasts of batch normalisation and bias, and scalars). Other
 * broadcasts go to the cpu kernel.
 */
function binaryKernel(addon: NativeAddon, name: keyof typeof BINARY_OPS): (args: Args) => TensorInfo {
  return (args: Args) => {
    const { inputs, backend: b } = args;
    const a = inputs['a']!, bb = inputs['b']!;
    if (!isF32(a, bb)) return cpu(name, args);
    const sa = size(a.shape), sb = size(bb.shape);
    let shape: number[] | undefined;
    if (sa >= sb && sb > 0 && isTrailing(a.shape, bb.shape)) shape = [...a.shape];
    else if (sb > sa && sa > 0 && isTrailing(bb.shape, a.shape)) shape = [...bb.shape];
    if (shape === undefined) return cpu(name, args);
    const out = allocFloats(b, Math.max(sa, sb));
    addon.binary(BINARY_OPS[name], floats(b, a), floats(b, bb), out);
    return b.makeTensorInfo(shape, 'float32', out);
  };
}

const UNARY_OPS = { Relu: 0, Step: 1, Square: 2, Relu6: 3, Neg: 4 } as const;

function unaryKernel(addon: NativeAddon, name: keyof typeof UNARY_OPS): (args: Args) => TensorInfo {
  return (args: Args) => {
    const { inputs, backend: b, attrs } = args;
    const x = inputs['x']!;
    if (!isF32(x)) return cpu(name, args);
    const out = allocFloats(b, size(x.shape));
    addon.unary(UNARY_OPS[name], floats(b, x), out, name === 'Step' ? ((attrs['alpha'] as number | undefined) ?? 0) : 0);
    return b.makeTensorInfo([...x.shape], 'float32', out);
  };
}

function batchNormKernel(addon: NativeAddon): (args: Args) => TensorInfo {
  return (args: Args) => {
    const { inputs, backend: b, attrs } = args;
    const x = inputs['x']!, mean = inputs['mean']!, variance = inputs['variance']!;
    const scale = inputs['scale'], offset = inputs['offset'];
    if (!isF32(x, mean, variance, scale, offset)) return cpu('FusedBatchNorm', args);
    const sv = scale ? floats(b, scale) : new Float32Array([1]), ov = offset ? floats(b, offset) : new Float32Array([0]);
    const params = [floats(b, mean), floats(b, variance), ov, sv];
    const c = Math.max(...params.map((p) => p.length));
    const n = size(x.shape);
    if (c === 0 || n % c !== 0 || !params.every((p) => p.length === 1 || p.length === c)) return cpu('FusedBatchNorm', args);
    const out = allocFloats(b, n);
    addon.batchNorm(floats(b, x), params[0]!, params[1]!, ov, sv, (attrs['varianceEpsilon'] as number | undefined) ?? 0.001, out);
    return b.makeTensorInfo([...x.shape], 'float32', out);
  };
}

/** Reduction axes as a sorted list when they are exactly the leading `p` axes, else undefined. */
function leadingAxes(axis: unknown, rank: number): number | undefined {
  const raw = axis === undefined || axis === null ? [...Array(rank).keys()] : Array.isArray(axis) ? axis as number[] : [axis as number];
  const axes = [...new Set(raw.map((a) => (a < 0 ? a + rank : a)))].sort((p, q) => p - q);
  return axes.every((a, i) => a === i) && axes.length < rank ? axes.length : undefined;
}

/**
 * Sum and Mean over leading axes (NHWC per-channel statistics): row by row into float64
 * accumulators, the same order and precision as the cpu kernel, without its transpose.
 * Mean divides every element first, as the cpu kernel does, so results are bit-identical.
 */
function reduceLeading(addon: NativeAddon, name: 'Sum' | 'Mean'): (args: Args) => TensorInfo {
  return (args: Args) => {
    const { inputs, backend: b, attrs } = args;
    const x = inputs['x']!;
    const p = leadingAxes(attrs['axis'], x.shape.length);
    if (isF32(x) && (p === undefined || p === 0) && middleReductionsOn) {
      const run = axisRun(attrs['axis'], x.shape);
      if (run !== undefined && run.outer > 0) return reduceRun(b, x, run, name === 'Mean', attrs['keepDims'] === true);
    }
    if (!isF32(x) || p === undefined || p === 0) return cpu(name, args);
    const inner = size(x.shape.slice(p)), rows = size(x.shape.slice(0, p));
    const out = allocFloats(b, inner);
    if (inner > 0 && rows > 0) addon.reduceRows(name === 'Mean', floats(b, x), rows, out);
    else out.fill(0);
    const shape = attrs['keepDims'] === true ? [...x.shape.slice(0, p).map(() => 1), ...x.shape.slice(p)] : x.shape.slice(p);
    return b.makeTensorInfo(shape, 'float32', out);
  };
}

/** CVR_NATIVE_MIDDLE_REDUCE=0 sends reductions over middle axes (global average pooling) to the cpu kernels. */
const middleReductionsOn = process.env['CVR_NATIVE_MIDDLE_REDUCE'] !== '0';

/** A reduction over one contiguous run of axes, as [outer, reduce, inner] sizes. */
export interface AxisRun { readonly outer: number; readonly reduce: number; readonly inner: number; readonly first: number; readonly last: number }

/** The axes when they are one contiguous run (any position), else undefined. */
export function axisRun(axis: unknown, shape: readonly number[]): AxisRun | undefined {
  const rank = shape.length;
  const raw = axis === undefined || axis === null ? [...Array(rank).keys()] : Array.isArray(axis) ? axis as number[] : [axis as number];
  const axes = [...new Set(raw.map((a) => (a < 0 ? a + rank : a)))].sort((p, q) => p - q);
  if (axes.length === 0 || axes.some((a, i) => a !== axes[0]! + i || a < 0 || a >= rank)) return undefined;
  const first = axes[0]!, last = axes[axes.length - 1]!;
  return { outer: size(shape.slice(0, first)), reduce: size(shape.slice(first, last + 1)), inner: size(shape.slice(last + 1)), first, last };
}

/**
 * Sum or Mean over a contiguous run of axes without the cpu kernel's transpose (global average
 * pooling: axes 1 and 2 of NHWC). The cpu kernel's arithmetic exactly: Mean divides each element
 * by the count in float32 first; each output sums its inputs in the transposed order (reduce index
 * ascending) in float64, stored as float32. So results are bit-identical to it.
 */
function reduceRun(b: MathBackendCPU, x: TensorInfo, r: AxisRun, mean: boolean, keepDims: boolean): TensorInfo {
  const xs = floats(b, x);
  const out = allocFloats(b, r.outer * r.inner);
  const acc = new Float64Array(r.inner);
  const tmp = new Float32Array(1);
  for (let o = 0; o < r.outer; o++) {
    acc.fill(0);
    for (let k = 0; k < r.reduce; k++) {
      const base = (o * r.reduce + k) * r.inner;
      if (mean) {
        for (let i = 0; i < r.inner; i++) { tmp[0] = xs[base + i]! / r.reduce; acc[i] = acc[i]! + tmp[0]!; }
      } else {
        for (let i = 0; i < r.inner; i++) acc[i] = acc[i]! + xs[base + i]!;
      }
    }
    for (let i = 0; i < r.inner; i++) out[o * r.inner + i] = acc[i]!;
  }
  const shape = keepDims ? x.shape.map((d, i) => (i >= r.first && i <= r.last ? 1 : d))
    : x.shape.filter((_, i) => i < r.first || i > r.last);
  return b.makeTensorInfo(shape, 'float32', out);
}

/** Tile that only repeats the whole tensor along leading size-1 axes: one block copy per repeat. */
function tileLeading(args: Args): TensorInfo {
  const { inputs, backend: b, attrs } = args;
  const x = inputs['x']!;
  const reps = attrs['reps'] as number[];
  const p = reps.findIndex((r, i) => reps.slice(i).every((q) => q === 1));
  const ok = (x.dtype === 'float32' || x.dtype === 'int32') && reps.length === x.shape.length && p >= 0 &&
    x.shape.slice(0, p).every((d) => d === 1);
  if (!ok) return cpu('Tile', args);
  const v = b.data.get(x.dataId).values as Float32Array | Int32Array;
  const times = size(reps.slice(0, p));
  const out = x.dtype === 'float32' ? allocFloats(b, v.length * times) : new Int32Array(v.length * times);
  for (let t = 0; t < times; t++) out.set(v, t * v.length);
  return b.makeTensorInfo(x.shape.map((d, i) => d * reps[i]!), x.dtype, out);
}

/** The kernels the addon computes (every other cpu kernel is registered unchanged). */
export function nativeKernelConfigs(addon: NativeAddon): KernelConfig[] {
  return [...makeKernels(addon), ...copyKernelConfigs('native')];
}
