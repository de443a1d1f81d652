import type { Builder, Tensor } from './builder.ts';

/** ResNet-50 (Keras applications `resnet.py`, v1), layer names as Keras names them. */
export interface ResNet50Features {
  /** `conv3_block4_out`: 28 × 28 × 512 at 224 px. */
  readonly conv3: Tensor;
  /** `conv4_block6_out`: 14 × 14 × 1024. */
  readonly conv4: Tensor;
  /** `conv5_block3_out`: 7 × 7 × 2048. */
  readonly conv5: Tensor;
}

const EPS = 1.001e-5;

export function resnet50Backbone(b: Builder, input: Tensor): ResNet50Features {
  let x = b.zeroPad(input, [[3, 3], [3, 3]], 'conv1_pad');
  x = b.conv(x, { filters: b.ch(64), kernel: 7, strides: 2, name: 'conv1_conv' });
  x = b.bn(x, 'conv1_bn', { epsilon: EPS });
  x = b.act(x, 'relu', 'conv1_relu');
  x = b.zeroPad(x, [[1, 1], [1, 1]], 'pool1_pad');
  x = b.maxPool(x, 3, 2, 'valid', 'pool1_pool');
  x = stack(b, x, 64, 3, 1, 'conv2');
  const conv3 = stack(b, x, 128, 4, 2, 'conv3');
  const conv4 = stack(b, conv3, 256, 6, 2, 'conv4');
  const conv5 = stack(b, conv4, 512, 3, 2, 'conv5');
  return { conv3, conv4, conv5 };
}

/** The whole Keras ResNet50 with its top: GAP → Dense(classes, softmax). */
export function resnet50(b: Builder, input: Tensor): Tensor {
  const { conv5 } = resnet50Backbone(b, input);
  return b.dense(b.gap(conv5, 'avg_pool'), b.options.classes, 'predictions', 'softmax');
}

function stack(b: Builder, x: Tensor, filters: number, blocks: number, stride1: number, name: string): Tensor {
  let y = block(b, x, filters, stride1, true, `${name}_block1`);
  for (let i = 2; i <= blocks; i++) y = block(b, y, filters, 1, false, `${name}_block${i}`);
  return y;
}

function block(b: Builder, x: Tensor, filters: number, stride: number, convShortcut: boolean, name: string): Tensor {
  const f = b.ch(filters);
  let shortcut = x;
  if (convShortcut) {
    shortcut = b.conv(x, { filters: b.ch(4 * filters), kernel: 1, strides: stride, name: `${name}_0_conv` });
    shortcut = b.bn(shortcut, `${name}_0_bn`, { epsilon: EPS });
  }
  let y = b.conv(x, { filters: f, kernel: 1, strides: stride, name: `${name}_1_conv` });
  y = b.bn(y, `${name}_1_bn`, { epsilon: EPS });
  y = b.act(y, 'relu', `${name}_1_relu`);
  y = b.conv(y, { filters: f, kernel: 3, padding: 'same', name: `${name}_2_conv` });
  y = b.bn(y, `${name}_2_bn`, { epsilon: EPS });
  y = b.act(y, 'relu', `${name}_2_relu`);
  y = b.conv(y, { filters: b.ch(4 * filters), kernel: 1, name: `${name}_3_conv` });
  y = b.bn(y, `${name}_3_bn`, { epsilon: EPS });
  y = b.add([shortcut, y], `${name}_add`);
  return b.act(y, 'relu', `${name}_out`);
}
