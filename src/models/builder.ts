import * as tf from '@tensorflow/tfjs';
import { derivedSeed } from '../engine/index.ts';

export type Tensor = tf.SymbolicTensor;

/** How a model is asked for: the registry validates these before any layer is built. */
export interface ModelOptions {
  /** Square input side in pixels. */
  readonly size: number;
  readonly channels: number;
  readonly classes: number;
  /** Channel-width multiplier (1 = the reference architecture); small values for CPU runs. */
  readonly width: number;
  /** The pipeline seed and the node key of the training node: weight initialisation draws from these. */
  readonly seed: number;
  readonly nodeKey: string;
  /**
   * `seeded` (default): Keras's initializers, each seeded from (seed, node key, layer/weight).
   * `zeros`: no random draws at all, for counting parameters quickly.
   */
  readonly init?: 'seeded' | 'zeros';
}

/** Which initializer family a weight uses in the Keras reference. */
export type InitKind =
  | { readonly kind: 'glorotUniform' }
  | { readonly kind: 'varianceScaling'; readonly scale: number; readonly mode: 'fanIn' | 'fanOut' | 'fanAvg'; readonly distribution: 'normal' | 'uniform' };

const GLOROT: InitKind = { kind: 'glorotUniform' };

/**
 * The state of one model build: options, the Keras-style counters for unnamed layers
 * (`conv2d`, `conv2d_1`, … so that converted Keras weights match by name), and seeded
 * initializers. One per build; nothing is shared between builds.
 */
export class Builder {
  private readonly counters = new Map<string, number>();

  constructor(readonly options: ModelOptions) {}

  /** Channels at this width: never below 1. */
  ch(n: number): number {
    return Math.max(1, Math.round(n * this.options.width));
  }

  /** Keras's automatic layer name: `prefix`, then `prefix_1`, `prefix_2`, … */
  autoName(prefix: string): string {
    const n = this.counters.get(prefix) ?? 0;
    this.counters.set(prefix, n + 1);
    return n === 0 ? prefix : `${prefix}_${n}`;
  }

  /** The initializer of one weight, seeded by its layer and weight name (not by build order). */
  init(layer: string, weight: string, kind: InitKind = GLOROT): ReturnType<typeof tf.initializers.zeros> {
    if (this.options.init === 'zeros') return tf.initializers.zeros();
    const seed = derivedSeed(this.options.seed, this.options.nodeKey, `init:${layer}/${weight}`);
    return kind.kind === 'glorotUniform'
      ? tf.initializers.glorotUniform({ seed })
      : tf.initializers.varianceScaling({ scale: kind.scale, mode: kind.mode, distribution: kind.distribution, seed });
  }

  // ---- layers, with Keras's argument names and defaults -----------------------------------

  conv(
    x: Tensor,
    a: {
      filters: number;
      kernel: number | [number, number];
      strides?: number;
      padding?: 'valid' | 'same';
      useBias?: boolean;
      activation?: 'relu' | 'swish' | 'sigmoid';
      name: string;
      init?: InitKind;
    },
  ): Tensor {
    return apply(
      tf.layers.conv2d({
        filters: a.filters,
        kernelSize: a.kernel,
        strides: a.strides ?? 1,
        padding: a.padding ?? 'valid',
        useBias: a.useBias ?? true,
        ...(a.activation === undefined ? {} : { activation: a.activation }),
        kernelInitializer: this.init(a.name, 'kernel', a.init),
        name: a.name,
      }),
      x,
    );
  }

  separableConv(x: Tensor, a: { filters: number; kernel: number; name: string }): Tensor {
    return apply(
      tf.layers.separableConv2d({
        filters: a.filters,
        kernelSize: a.kernel,
        padding: 'same',
        useBias: false,
        depthwiseInitializer: this.init(a.name, 'depthwise_kernel'),
        pointwiseInitializer: this.init(a.name, 'pointwise_kernel'),
        name: a.name,
      }),
      x,
    );
  }

  depthwiseConv(x: Tensor, a: { kernel: number; strides: number; padding: 'valid' | 'same'; name: string; init?: InitKind }): Tensor {
    return apply(
      tf.layers.depthwiseConv2d({
        kernelSize: a.kernel,
        strides: a.strides,
        padding: a.padding,
        useBias: false,
        depthwiseInitializer: this.init(a.name, 'depthwise_kernel', a.init),
        name: a.name,
      }),
      x,
    );
  }

  bn(x: Tensor, name: string, a: { epsilon?: number; scale?: boolean } = {}): Tensor {
    return apply(tf.layers.batchNormalization({ axis: -1, epsilon: a.epsilon ?? 1e-3, momentum: 0.99, scale: a.scale ?? true, name }), x);
  }

  act(x: Tensor, activation: 'relu' | 'swish' | 'sigmoid' | 'softmax', name: string): Tensor {
    return apply(tf.layers.activation({ activation, name }), x);
  }

  dense(x: Tensor, units: number, name: string, activation: 'relu' | 'softmax' | 'linear' = 'linear', init?: InitKind): Tensor {
    return apply(tf.layers.dense({ units, activation, kernelInitializer: this.init(name, 'kernel', init), name }), x);
  }

  zeroPad(x: Tensor, pad: [[number, number], [number, number]], name?: string): Tensor {
    return apply(tf.layers.zeroPadding2d({ padding: pad, ...(name === undefined ? {} : { name }) }), x);
  }

  maxPool(x: Tensor, pool: number, strides: number, padding: 'valid' | 'same' = 'valid', name?: string): Tensor {
    return apply(tf.layers.maxPooling2d({ poolSize: pool, strides, padding, ...(name === undefined ? {} : { name }) }), x);
  }

  avgPool(x: Tensor, pool: number, strides: number, padding: 'valid' | 'same' = 'valid', name?: string): Tensor {
    return apply(tf.layers.averagePooling2d({ poolSize: pool, strides, padding, ...(name === undefined ? {} : { name }) }), x);
  }

  gap(x: Tensor, name?: string): Tensor {
    return apply(tf.layers.globalAveragePooling2d({ ...(name === undefined ? {} : { name }) }), x);
  }

  add(xs: Tensor[], name?: string): Tensor {
    return applyMany(tf.layers.add({ ...(name === undefined ? {} : { name }) }), xs);
  }

  concat(xs: Tensor[], name?: string): Tensor {
    return applyMany(tf.layers.concatenate({ axis: -1, ...(name === undefined ? {} : { name }) }), xs);
  }
}

export function apply(layer: tf.layers.Layer, x: Tensor): Tensor {
  return layer.apply(x) as Tensor;
}

export function applyMany(layer: tf.layers.Layer, xs: Tensor[]): Tensor {
  return layer.apply(xs) as Tensor;
}

/** Height and width of an NHWC symbolic tensor (known: inputs have a fixed size). */
export function spatial(x: Tensor): [number, number] {
  const [, h, w] = x.shape;
  if (typeof h !== 'number' || typeof w !== 'number') throw new Error(`Internal error: tensor ${x.name} has no fixed spatial size`);
  return [h, w];
}

export function channelsOf(x: Tensor): number {
  const c = x.shape[x.shape.length - 1];
  if (typeof c !== 'number') throw new Error(`Internal error: tensor ${x.name} has no fixed channel count`);
  return c;
}
