import type { Builder, Tensor } from './builder.ts';

/** Xception (Keras applications `xception.py`), layer names as Keras names them. */
export interface XceptionFeatures {
  /** Entry flow, `block4_sepconv2_bn` before its pooling: 28 × 28 × 728 at 224 px. */
  readonly entry: Tensor;
  /**
   * `block13_sepconv2_bn`, the 1024-channel output of block 13 before its pooling
   * (14 × 14 × 1024). This, not the 728-channel middle flow, is the tensor that gives CVR-Net
   * its 48,602,610 parameters: the P4 head's first Dense then has 1024 × 512 + 512 weights.
   */
  readonly middle: Tensor;
  /** Exit flow, `block14_sepconv2_act`: 7 × 7 × 2048. */
  readonly exit: Tensor;
}

export function xceptionBackbone(b: Builder, input: Tensor): XceptionFeatures {
  let x = b.conv(input, { filters: b.ch(32), kernel: 3, strides: 2, useBias: false, name: 'block1_conv1' });
  x = b.bn(x, 'block1_conv1_bn');
  x = b.act(x, 'relu', 'block1_conv1_act');
  x = b.conv(x, { filters: b.ch(64), kernel: 3, useBias: false, name: 'block1_conv2' });
  x = b.bn(x, 'block1_conv2_bn');
  x = b.act(x, 'relu', 'block1_conv2_act');

  x = entryBlock(b, x, 128, 2, false).out;
  x = entryBlock(b, x, 256, 3, true).out;
  const block4 = entryBlock(b, x, 728, 4, true);
  x = block4.out;

  for (let i = 5; i <= 12; i++) {
    const residual = x;
    let y = x;
    for (let j = 1; j <= 3; j++) {
      y = b.act(y, 'relu', `block${i}_sepconv${j}_act`);
      y = b.separableConv(y, { filters: b.ch(728), kernel: 3, name: `block${i}_sepconv${j}` });
      y = b.bn(y, `block${i}_sepconv${j}_bn`);
    }
    x = b.add([y, residual]);
  }

  let residual = b.conv(x, { filters: b.ch(1024), kernel: 1, strides: 2, padding: 'same', useBias: false, name: b.autoName('conv2d') });
  residual = b.bn(residual, b.autoName('batch_normalization'));
  let y = b.act(x, 'relu', 'block13_sepconv1_act');
  y = b.separableConv(y, { filters: b.ch(728), kernel: 3, name: 'block13_sepconv1' });
  y = b.bn(y, 'block13_sepconv1_bn');
  y = b.act(y, 'relu', 'block13_sepconv2_act');
  y = b.separableConv(y, { filters: b.ch(1024), kernel: 3, name: 'block13_sepconv2' });
  const middle = b.bn(y, 'block13_sepconv2_bn');
  y = b.maxPool(middle, 3, 2, 'same', 'block13_pool');
  x = b.add([y, residual]);

  x = b.separableConv(x, { filters: b.ch(1536), kernel: 3, name: 'block14_sepconv1' });
  x = b.bn(x, 'block14_sepconv1_bn');
  x = b.act(x, 'relu', 'block14_sepconv1_act');
  x = b.separableConv(x, { filters: b.ch(2048), kernel: 3, name: 'block14_sepconv2' });
  x = b.bn(x, 'block14_sepconv2_bn');
  const exit = b.act(x, 'relu', 'block14_sepconv2_act');
  return { entry: block4.beforePool, middle, exit };
}

/** The whole Keras Xception with its top: GAP → Dense(classes, softmax). */
export function xception(b: Builder, input: Tensor): Tensor {
  const { exit } = xceptionBackbone(b, input);
  return b.dense(b.gap(exit, 'avg_pool'), b.options.classes, 'predictions', 'softmax');
}

/** Entry-flow blocks 2–4: two separable convolutions, a strided pool, a 1×1 strided shortcut. */
function entryBlock(b: Builder, x: Tensor, filters: number, n: number, reluFirst: boolean): { beforePool: Tensor; out: Tensor } {
  // Keras leaves these shortcut layers unnamed, so they get its automatic names.
  let residual = b.conv(x, { filters: b.ch(filters), kernel: 1, strides: 2, padding: 'same', useBias: false, name: b.autoName('conv2d') });
  residual = b.bn(residual, b.autoName('batch_normalization'));
  let y = reluFirst ? b.act(x, 'relu', `block${n}_sepconv1_act`) : x;
  y = b.separableConv(y, { filters: b.ch(filters), kernel: 3, name: `block${n}_sepconv1` });
  y = b.bn(y, `block${n}_sepconv1_bn`);
  y = b.act(y, 'relu', `block${n}_sepconv2_act`);
  y = b.separableConv(y, { filters: b.ch(filters), kernel: 3, name: `block${n}_sepconv2` });
  const beforePool = b.bn(y, `block${n}_sepconv2_bn`);
  y = b.maxPool(beforePool, 3, 2, 'same', `block${n}_pool`);
  return { beforePool, out: b.add([y, residual]) };
}
