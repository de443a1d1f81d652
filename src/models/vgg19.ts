import type { Builder, Tensor } from './builder.ts';
import { apply } from './builder.ts';
import * as tf from '@tensorflow/tfjs';

/** VGG-19 (Keras applications `vgg19.py`) with its top: Flatten → fc1 4096 → fc2 4096 → predictions. */
export function vgg19(b: Builder, input: Tensor): Tensor {
  const blocks: ReadonlyArray<readonly [number, number]> = [
    [64, 2],
    [128, 2],
    [256, 4],
    [512, 4],
    [512, 4],
  ];
  let x = input;
  blocks.forEach(([filters, convs], i) => {
    for (let j = 1; j <= convs; j++) {
      x = b.conv(x, { filters: b.ch(filters), kernel: 3, padding: 'same', activation: 'relu', name: `block${i + 1}_conv${j}` });
    }
    x = b.maxPool(x, 2, 2, 'valid', `block${i + 1}_pool`);
  });
  x = apply(tf.layers.flatten({ name: 'flatten' }), x);
  x = b.dense(x, b.ch(4096), 'fc1', 'relu');
  x = b.dense(x, b.ch(4096), 'fc2', 'relu');
  return b.dense(x, b.options.classes, 'predictions', 'softmax');
}
