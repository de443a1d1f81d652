// ResNet-50 and Xception in tfjs layers, written here so the native-vs-torch benchmark does not
// depend on the model registry; bench/torch_train.py defines the same two networks in PyTorch.
import * as tf from '@tensorflow/tfjs';

export interface NetOptions {
  readonly inputSize: number;
  readonly classes: number;
  /** Multiplies every channel count; 1 is the published network. */
  readonly width: number;
}

const ch = (n: number, width: number): number => Math.max(1, Math.round(n * width));

function convBn(x: tf.SymbolicTensor, filters: number, kernel: number, strides: number, relu: boolean): tf.SymbolicTensor {
  let y = tf.layers.conv2d({ filters, kernelSize: kernel, strides, padding: 'same', useBias: false }).apply(x) as tf.SymbolicTensor;
  y = tf.layers.batchNormalization({ axis: 3 }).apply(y) as tf.SymbolicTensor;
  return relu ? (tf.layers.reLU().apply(y) as tf.SymbolicTensor) : y;
}

function bottleneck(x: tf.SymbolicTensor, width: number, strides: number, project: boolean): tf.SymbolicTensor {
  const shortcut = project ? convBn(x, width * 4, 1, strides, false) : x;
  let y = convBn(x, width, 1, 1, true);
  y = convBn(y, width, 3, strides, true);
  y = convBn(y, width * 4, 1, 1, false);
  y = tf.layers.add().apply([y, shortcut]) as tf.SymbolicTensor;
  return tf.layers.reLU().apply(y) as tf.SymbolicTensor;
}

/** ResNet-50 (v1.5: the stride sits on the 3×3 convolution, as in torchvision). */
export function resnet50(o: NetOptions): tf.LayersModel {
  const input = tf.input({ shape: [o.inputSize, o.inputSize, 3] });
  let x = convBn(input, ch(64, o.width), 7, 2, true);
  x = tf.layers.maxPooling2d({ poolSize: 3, strides: 2, padding: 'same' }).apply(x) as tf.SymbolicTensor;
  const stages: ReadonlyArray<readonly [number, number]> = [[64, 3], [128, 4], [256, 6], [512, 3]];
  stages.forEach(([w, blocks], s) => {
    for (let b = 0; b < blocks; b++) x = bottleneck(x, ch(w, o.width), b === 0 && s > 0 ? 2 : 1, b === 0);
  });
  x = tf.layers.globalAveragePooling2d({}).apply(x) as tf.SymbolicTensor;
  const out = tf.layers.dense({ units: o.classes, activation: 'softmax' }).apply(x) as tf.SymbolicTensor;
  return tf.model({ inputs: input, outputs: out, name: 'resnet50' });
}

function sepBn(x: tf.SymbolicTensor, filters: number, preRelu: boolean): tf.SymbolicTensor {
  let y = preRelu ? (tf.layers.reLU().apply(x) as tf.SymbolicTensor) : x;
  y = tf.layers.separableConv2d({ filters, kernelSize: 3, padding: 'same', useBias: false }).apply(y) as tf.SymbolicTensor;
  return tf.layers.batchNormalization({ axis: 3 }).apply(y) as tf.SymbolicTensor;
}

function entryBlock(x: tf.SymbolicTensor, filters: number, firstRelu: boolean): tf.SymbolicTensor {
  let r = tf.layers.conv2d({ filters, kernelSize: 1, strides: 2, padding: 'same', useBias: false }).apply(x) as tf.SymbolicTensor;
  r = tf.layers.batchNormalization({ axis: 3 }).apply(r) as tf.SymbolicTensor;
  let y = sepBn(x, filters, firstRelu);
  y = sepBn(y, filters, true);
  y = tf.layers.maxPooling2d({ poolSize: 3, strides: 2, padding: 'same' }).apply(y) as tf.SymbolicTensor;
  return tf.layers.add().apply([y, r]) as tf.SymbolicTensor;
}

/** Xception (Chollet 2017): entry flow, 8 middle blocks, exit flow. */
export function xception(o: NetOptions): tf.LayersModel {
  const input = tf.input({ shape: [o.inputSize, o.inputSize, 3] });
  let x = convBn(input, ch(32, o.width), 3, 2, true);
  x = convBn(x, ch(64, o.width), 3, 1, true);
  x = entryBlock(x, ch(128, o.width), false);
  x = entryBlock(x, ch(256, o.width), true);
  x = entryBlock(x, ch(728, o.width), true);
  for (let i = 0; i < 8; i++) {
    let y = sepBn(x, ch(728, o.width), true);
    y = sepBn(y, ch(728, o.width), true);
    y = sepBn(y, ch(728, o.width), true);
    x = tf.layers.add().apply([y, x]) as tf.SymbolicTensor;
  }
  let r = tf.layers.conv2d({ filters: ch(1024, o.width), kernelSize: 1, strides: 2, padding: 'same', useBias: false }).apply(x) as tf.SymbolicTensor;
  r = tf.layers.batchNormalization({ axis: 3 }).apply(r) as tf.SymbolicTensor;
  let y = sepBn(x, ch(728, o.width), true);
  y = sepBn(y, ch(1024, o.width), true);
  y = tf.layers.maxPooling2d({ poolSize: 3, strides: 2, padding: 'same' }).apply(y) as tf.SymbolicTensor;
  x = tf.layers.add().apply([y, r]) as tf.SymbolicTensor;
  x = sepBn(x, ch(1536, o.width), false);
  x = tf.layers.reLU().apply(x) as tf.SymbolicTensor;
  x = sepBn(x, ch(2048, o.width), false);
  x = tf.layers.reLU().apply(x) as tf.SymbolicTensor;
  x = tf.layers.globalAveragePooling2d({}).apply(x) as tf.SymbolicTensor;
  const out = tf.layers.dense({ units: o.classes, activation: 'softmax' }).apply(x) as tf.SymbolicTensor;
  return tf.model({ inputs: input, outputs: out, name: 'xception' });
}

export const NETS = { resnet50, xception } as const;
export type NetName = keyof typeof NETS;
