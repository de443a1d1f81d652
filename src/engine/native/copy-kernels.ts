// Slice and PadV2 as block copies. The cpu backend computes a non-contiguous slice (the gradient
// of every ZeroPadding2D: ResNet-50's conv1_pad and pool1_pad, Xception's and DenseNet's too) and
// a padding element by element through index arithmetic; profiled on ResNet-50 at 64², batch 16,
// the two took 39 % of a training step. Here each contiguous run is one TypedArray.set, so the
// bytes are the cpu kernels' (copies round nothing).
import { slice_util, type KernelConfig, type KernelFunc, type NamedAttrMap, type NamedTensorInfoMap, type TensorInfo } from '@tensorflow/tfjs-core';
import { getKernel } from '@tensorflow/tfjs-core';
import type { MathBackendCPU } from '@tensorflow/tfjs-backend-cpu';
import { allocFloats } from './native-backend.ts';

type Args = { inputs: NamedTensorInfoMap; backend: MathBackendCPU; attrs: NamedAttrMap };

function cpu(name: string, args: Args): TensorInfo {
  const k = getKernel(name, 'cpu');
  if (k === undefined) throw new Error(`cpu kernel ${name} is not registered`);
  return k.kernelFunc(args as unknown as Parameters<KernelFunc>[0]) as TensorInfo;
}

const stridesOf = (shape: readonly number[]): number[] => {
  const s = new Array<number>(shape.length).fill(1);
  for (let i = shape.length - 2; i >= 0; i--) s[i] = s[i + 1]! * shape[i + 1]!;
  return s;
};

/**
 * Copies the box `extent` starting at `from` in src (shape srcShape) to `to` in dst (dstShape).
 * Trailing axes the box spans completely in both arrays merge into one contiguous run.
 */
export function copyBox(src: Float32Array, srcShape: readonly number[], from: readonly number[], dst: Float32Array, dstShape: readonly number[], to: readonly number[], extent: readonly number[]): void {
  const rank = srcShape.length;
  if (extent.some((e) => e === 0)) return;
  // The innermost axis k from which on the box is a contiguous run in both arrays.
  let k = rank - 1;
  while (k > 0 && extent[k] === srcShape[k] && extent[k] === dstShape[k]) k--;
  const ss = stridesOf(srcShape), ds = stridesOf(dstShape);
  const run = extent[k]! * ss[k]!;
  if (run !== extent[k]! * ds[k]!) throw new Error('Internal error: copyBox run differs between arrays');
  const idx = new Array<number>(k).fill(0);
  for (;;) {
    let s = from[k]! * ss[k]!, d = to[k]! * ds[k]!;
    for (let i = 0; i < k; i++) {
      s += (from[i]! + idx[i]!) * ss[i]!;
      d += (to[i]! + idx[i]!) * ds[i]!;
    }
    dst.set(src.subarray(s, s + run), d);
    let i = k - 1;
    while (i >= 0) {
      idx[i]!++;
      if (idx[i]! < extent[i]!) break;
      idx[i] = 0;
      i--;
    }
    if (i < 0) return;
  }
}

function sliceKernel(args: Args): TensorInfo {
  const { inputs, backend: b, attrs } = args;
  const x = inputs['x']!;
  if (x.dtype !== 'float32' || x.shape.length === 0) return cpu('Slice', args);
  const [begin, size] = slice_util.parseSliceParams(x as never, attrs['begin'] as number[], attrs['size'] as number[]) as [number[], number[]];
  slice_util.assertParamsValid(x as never, begin, size);
  if (slice_util.isSliceContinous(x.shape, begin, size)) return cpu('Slice', args); // already a subarray there
  const n = size.reduce((p, d) => p * d, 1);
  const out = allocFloats(b, n);
  copyBox(b.data.get(x.dataId).values as Float32Array, x.shape, begin, out, size, size.map(() => 0), size);
  return b.makeTensorInfo(size, 'float32', out);
}

function padKernel(args: Args): TensorInfo {
  const { inputs, backend: b, attrs } = args;
  const x = inputs['x']!;
  const paddings = attrs['paddings'] as [number, number][];
  if (x.dtype !== 'float32' || x.shape.length === 0 || paddings.some(([p, q]) => p < 0 || q < 0)) return cpu('PadV2', args);
  const shape = x.shape.map((d, i) => paddings[i]![0] + d + paddings[i]![1]);
  const out = allocFloats(b, shape.reduce((p, d) => p * d, 1));
  // As the cpu kernel: it fills only when the value is not 0 (-0 included), so a -0 pads with +0,
  // while a value that rounds to -0 in float32 pads with -0 (the bytes must be the same).
  const value = attrs['constantValue'] as number;
  out.fill(value !== 0 ? Math.fround(value) : 0);
  copyBox(b.data.get(x.dataId).values as Float32Array, x.shape, x.shape.map(() => 0), out, shape, paddings.map(([p]) => p), x.shape);
  return b.makeTensorInfo(shape, 'float32', out);
}

export function copyKernelConfigs(backendName: string): KernelConfig[] {
  return [
    { kernelName: 'Slice', backendName, kernelFunc: sliceKernel as unknown as KernelFunc },
    { kernelName: 'PadV2', backendName, kernelFunc: padKernel as unknown as KernelFunc },
  ];
}
