// Batch normalisation in training mode as two oneDNN primitives (the addon's bnTrain): Keras's
// BatchNormalization layer, training, on the native backend computes the batch's mean and
// variance, normalises, scales and shifts in one forward call and its whole gradient in one
// backward call. tfjs-layers does it as moments (mean, squared difference, mean) followed by
// FusedBatchNorm: five tensor-sized operations forward, about fifteen backward, each allocating.
//
// tfjs-layers offers no hook for this, so registerBatchNormTraining wraps the layer class's `call`:
// the common case (training, 4-D NHWC float32, the last axis, scale and centre, the native backend
// active) takes the primitives; everything else, and every other backend, calls the original.
// The moving statistics are updated exactly as the original does.
import * as tf from '@tensorflow/tfjs';
import type { KernelConfig, KernelFunc, NamedAttrMap, NamedTensorInfoMap, TensorInfo } from '@tensorflow/tfjs-core';
import type { MathBackendCPU } from '@tensorflow/tfjs-backend-cpu';
import type { NativeAddon } from './addon.ts';
import { allocFloats } from './native-backend.ts';

/** Inputs x, scale, offset; attr varianceEpsilon; outputs [y, mean, variance]. */
export const BN_TRAIN_KERNEL = 'CvrBatchNormTrain';
/** Inputs x, dy, mean, variance, scale, dmean, dvariance; outputs [dx, dscale, doffset]. */
export const BN_TRAIN_GRAD_KERNEL = 'CvrBatchNormTrainGrad';

type Args = { inputs: NamedTensorInfoMap; backend: MathBackendCPU; attrs: NamedAttrMap };

const dimsOf = (x: TensorInfo): Int32Array => Int32Array.from(x.shape);

export function bnTrainKernels(addon: NativeAddon, backendName: string): KernelConfig[] {
  const f = (b: MathBackendCPU, t: TensorInfo): Float32Array => b.data.get(t.dataId).values as Float32Array;
  const forward = (({ inputs, backend: b, attrs }: Args) => {
    const x = inputs['x']!, c = x.shape[3]!;
    const y = allocFloats(b, x.shape.reduce((p, d) => p * d, 1));
    const mean = new Float32Array(c), variance = new Float32Array(c);
    addon.bnTrain(0, dimsOf(x), attrs['varianceEpsilon'] as number, f(b, x), f(b, inputs['scale']!), f(b, inputs['offset']!), y, mean, variance);
    return [b.makeTensorInfo([...x.shape], 'float32', y), b.makeTensorInfo([c], 'float32', mean), b.makeTensorInfo([c], 'float32', variance)];
  }) as unknown as KernelFunc;
  const backward = (({ inputs, backend: b, attrs }: Args) => {
    const x = inputs['x']!, c = x.shape[3]!;
    const dx = allocFloats(b, x.shape.reduce((p, d) => p * d, 1));
    const dscale = new Float32Array(c), doffset = new Float32Array(c);
    addon.bnTrain(1, dimsOf(x), attrs['varianceEpsilon'] as number, f(b, x), f(b, inputs['dy']!), f(b, inputs['mean']!),
      f(b, inputs['variance']!), f(b, inputs['scale']!), f(b, inputs['dmean']!), f(b, inputs['dvariance']!), dx, dscale, doffset);
    return [b.makeTensorInfo([...x.shape], 'float32', dx), b.makeTensorInfo([c], 'float32', dscale), b.makeTensorInfo([c], 'float32', doffset)];
  }) as unknown as KernelFunc;
  return [
    { kernelName: BN_TRAIN_KERNEL, backendName, kernelFunc: forward },
    { kernelName: BN_TRAIN_GRAD_KERNEL, backendName, kernelFunc: backward },
    { kernelName: MOVING_AVERAGE_KERNEL, backendName, kernelFunc: movingAverageKernel as unknown as KernelFunc },
  ];
}

/** Inputs v, x (float32, one shape); attr rate; output v − (v − x)·rate. */
export const MOVING_AVERAGE_KERNEL = 'CvrMovingAverage';

/**
 * tfjs-layers' moving-average update in one kernel instead of three (sub, mul, sub), each rounded
 * to float32 in the same order: the same bytes. `rate` is 1 − momentum as a float32 scalar.
 */
function movingAverageKernel({ inputs, backend: b, attrs }: Args): TensorInfo {
  const v = b.data.get(inputs['v']!.dataId).values as Float32Array, x = b.data.get(inputs['x']!.dataId).values as Float32Array;
  const rate = Math.fround(attrs['rate'] as number);
  const out = new Float32Array(v.length);
  const t = new Float32Array(1);
  for (let i = 0; i < v.length; i++) {
    t[0] = v[i]! - x[i]!;
    t[0] = t[0]! * rate;
    out[i] = v[i]! - t[0]!;
  }
  return b.makeTensorInfo([...inputs['v']!.shape], 'float32', out);
}

/** CVR_NATIVE_BN_MOVING=0 keeps tfjs's three operations for the moving statistics. */
const fusedMoving = process.env['CVR_NATIVE_BN_MOVING'] !== '0';

/** The batch's normalised x, mean and variance (one forward primitive); differentiable in x, scale, offset. */
export function batchNormTrain(x: tf.Tensor, scale: tf.Tensor, offset: tf.Tensor, varianceEpsilon: number): [tf.Tensor, tf.Tensor, tf.Tensor] {
  return tf.engine().runKernel(BN_TRAIN_KERNEL, { x, scale, offset }, { varianceEpsilon }) as unknown as [tf.Tensor, tf.Tensor, tf.Tensor];
}

function registerBnTrainGradient(): void {
  tf.registerGradient({
    kernelName: BN_TRAIN_KERNEL,
    inputsToSave: ['x', 'scale'],
    outputsToSave: [false, true, true],
    gradFunc: (dys, saved, attrs) => {
      const [x, scale, mean, variance] = saved as [tf.Tensor, tf.Tensor, tf.Tensor, tf.Tensor];
      const [dy, dmean, dvariance] = dys as tf.Tensor[];
      // Computed here, not in the thunks: tfjs runs each thunk in its own tidy scope, which would
      // dispose the parts the other thunks return (as gradients.ts's batch-norm gradient).
      const parts = tf.engine().runKernel(BN_TRAIN_GRAD_KERNEL, { x, dy: dy!, mean, variance, scale, dmean: dmean!, dvariance: dvariance! },
        { varianceEpsilon: attrs['varianceEpsilon'] as number }) as unknown as tf.Tensor[];
      return { x: () => parts[0]!, scale: () => parts[1]!, offset: () => parts[2]! };
    },
  });
}

interface BnLayer {
  axis: number;
  epsilon: number;
  momentum: number;
  gamma?: tf.LayerVariable | null;
  beta?: tf.LayerVariable | null;
  movingMean: tf.LayerVariable;
  movingVariance: tf.LayerVariable;
  call(inputs: tf.Tensor | tf.Tensor[], kwargs: Record<string, unknown>): tf.Tensor | tf.Tensor[];
}

let installed = false;

/**
 * Wraps tfjs-layers' BatchNormalization.call once per process (idempotent). Only the case named
 * at the top of this file changes path, and only while `backendName` is the active backend.
 */
export function registerBatchNormTraining(addon: NativeAddon, backendName: string, wrap: (k: KernelConfig) => KernelConfig): void {
  for (const k of bnTrainKernels(addon, backendName)) tf.registerKernel(wrap(k));
  registerBnTrainGradient();
  if (installed) return;
  installed = true;
  const proto = Object.getPrototypeOf(tf.layers.batchNormalization({})) as BnLayer;
  const original = proto.call;
  proto.call = function call(this: BnLayer, inputs, kwargs) {
    const x = Array.isArray(inputs) ? (inputs.length === 1 ? inputs[0] : undefined) : inputs;
    const common = kwargs?.['training'] === true && x !== undefined && tf.getBackend() === backendName && x.rank === 4 &&
      x.dtype === 'float32' && (this.axis === -1 || this.axis === 3) && this.gamma != null && this.beta != null;
    if (!common) return original.call(this, inputs, kwargs);
    return tf.tidy(() => {
      const [y, mean, variance] = batchNormTrain(x, this.gamma!.read(), this.beta!.read(), this.epsilon);
      // As tfjs-layers' doMovingAverage: v ← v − (v − batch value)·(1 − momentum).
      for (const [v, value] of [[this.movingMean, mean], [this.movingVariance, variance]] as const) {
        tf.tidy(() => {
          const orig = v.read();
          v.write(fusedMoving && orig.dtype === 'float32' && orig.size === value.size
            ? tf.engine().runKernel(MOVING_AVERAGE_KERNEL, { v: orig, x: value }, { rate: 1 - this.momentum }) as unknown as tf.Tensor
            : tf.sub(orig, tf.mul(tf.sub(orig, value), 1 - this.momentum)));
        });
      }
      return y;
    });
  };
}
