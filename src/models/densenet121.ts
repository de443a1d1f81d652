import type { Builder, Tensor } from './builder.ts';
import { channelsOf } from './builder.ts';

const EPS = 1.001e-5;
const BLOCKS = [6, 12, 24, 16] as const;
const GROWTH = 32;

/** DenseNet-121 (Keras applications `densenet.py`) with its top. */
export function densenet121(b: Builder, input: Tensor): Tensor {
  let x = b.zeroPad(input, [[3, 3], [3, 3]]);
  x = b.conv(x, { filters: b.ch(64), kernel: 7, strides: 2, useBias: false, name: 'conv1_conv' });
  x = b.bn(x, 'conv1_bn', { epsilon: EPS });
  x = b.act(x, 'relu', 'conv1_relu');
  x = b.zeroPad(x, [[1, 1], [1, 1]]);
  x = b.maxPool(x, 3, 2, 'valid', 'pool1');
  BLOCKS.forEach((blocks, i) => {
    for (let j = 1; j <= blocks; j++) x = convBlock(b, x, `conv${i + 2}_block${j}`);
    if (i < BLOCKS.length - 1) x = transition(b, x, `pool${i + 2}`);
  });
  x = b.bn(x, 'bn', { epsilon: EPS });
  x = b.act(x, 'relu', 'relu');
  return b.dense(b.gap(x, 'avg_pool'), b.options.classes, 'predictions', 'softmax');
}

function convBlock(b: Builder, x: Tensor, name: string): Tensor {
  let y = b.bn(x, `${name}_0_bn`, { epsilon: EPS });
  y = b.act(y, 'relu', `${name}_0_relu`);
  y = b.conv(y, { filters: b.ch(4 * GROWTH), kernel: 1, useBias: false, name: `${name}_1_conv` });
  y = b.bn(y, `${name}_1_bn`, { epsilon: EPS });
  y = b.act(y, 'relu', `${name}_1_relu`);
  y = b.conv(y, { filters: b.ch(GROWTH), kernel: 3, padding: 'same', useBias: false, name: `${name}_2_conv` });
  return b.concat([x, y], `${name}_concat`);
}

function transition(b: Builder, x: Tensor, name: string): Tensor {
  let y = b.bn(x, `${name}_bn`, { epsilon: EPS });
  y = b.act(y, 'relu', `${name}_relu`);
  y = b.conv(y, { filters: Math.max(1, Math.floor(channelsOf(y) * 0.5)), kernel: 1, useBias: false, name: `${name}_conv` });
  return b.avgPool(y, 2, 2, 'valid', `${name}_pool`);
}
