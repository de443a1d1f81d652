import type { Builder, InitKind, Tensor } from './builder.ts';
import { apply, spatial } from './builder.ts';
import * as tf from '@tensorflow/tfjs';
import { SeededDropout } from './seeded-dropout.ts';

/** Keras's EfficientNet initializers (the paper's): He-style fan-out for convs, 1/3 fan-out uniform for the top. */
const CONV_INIT: InitKind = { kind: 'varianceScaling', scale: 2, mode: 'fanOut', distribution: 'normal' };
const DENSE_INIT: InitKind = { kind: 'varianceScaling', scale: 1 / 3, mode: 'fanOut', distribution: 'uniform' };

interface BlockArgs {
  readonly kernel: number;
  readonly repeats: number;
  readonly filtersIn: number;
  readonly filtersOut: number;
  readonly expand: number;
  readonly strides: number;
}

const BLOCKS: readonly BlockArgs[] = [
  { kernel: 3, repeats: 1, filtersIn: 32, filtersOut: 16, expand: 1, strides: 1 },
  { kernel: 3, repeats: 2, filtersIn: 16, filtersOut: 24, expand: 6, strides: 2 },
  { kernel: 5, repeats: 2, filtersIn: 24, filtersOut: 40, expand: 6, strides: 2 },
  { kernel: 3, repeats: 3, filtersIn: 40, filtersOut: 80, expand: 6, strides: 2 },
  { kernel: 5, repeats: 3, filtersIn: 80, filtersOut: 112, expand: 6, strides: 1 },
  { kernel: 5, repeats: 4, filtersIn: 112, filtersOut: 192, expand: 6, strides: 2 },
  { kernel: 3, repeats: 1, filtersIn: 192, filtersOut: 320, expand: 6, strides: 1 },
];
const SE_RATIO = 0.25;
const DROP_CONNECT = 0.2;
const TOP_DROPOUT = 0.2;

/**
 * EfficientNet-B0 (Keras applications `efficientnet.py`) with its top. Keras's model starts with
 * Rescaling and a Normalization layer (7 statistics: mean 3, variance 3, count 1); cvr normalises
 * in the data stage, so they are left out here.
 */
export function efficientnetB0(b: Builder, input: Tensor): Tensor {
  let x = b.zeroPad(input, correctPad(input, 3), 'stem_conv_pad');
  x = b.conv(x, { filters: b.ch(32), kernel: 3, strides: 2, useBias: false, name: 'stem_conv', init: CONV_INIT });
  x = b.bn(x, 'stem_bn');
  x = b.act(x, 'swish', 'stem_activation');

  const total = BLOCKS.reduce((n, a) => n + a.repeats, 0);
  let index = 0;
  BLOCKS.forEach((args, i) => {
    for (let j = 0; j < args.repeats; j++) {
      const name = `block${i + 1}${String.fromCharCode(97 + j)}_`;
      x = mbConv(b, x, {
        name,
        kernel: args.kernel,
        filtersIn: b.ch(j === 0 ? args.filtersIn : args.filtersOut),
        filtersOut: b.ch(args.filtersOut),
        expand: args.expand,
        strides: j === 0 ? args.strides : 1,
        dropRate: (DROP_CONNECT * index) / total,
      });
      index++;
    }
  });

  x = b.conv(x, { filters: b.ch(1280), kernel: 1, padding: 'same', useBias: false, name: 'top_conv', init: CONV_INIT });
  x = b.bn(x, 'top_bn');
  x = b.act(x, 'swish', 'top_activation');
  x = b.gap(x, 'avg_pool');
  x = dropout(b, x, TOP_DROPOUT, false, 'top_dropout');
  return b.dense(x, b.options.classes, 'predictions', 'softmax', DENSE_INIT);
}

function mbConv(
  b: Builder,
  inputs: Tensor,
  a: { name: string; kernel: number; filtersIn: number; filtersOut: number; expand: number; strides: number; dropRate: number },
): Tensor {
  const filters = a.filtersIn * a.expand;
  let x = inputs;
  if (a.expand !== 1) {
    x = b.conv(x, { filters, kernel: 1, padding: 'same', useBias: false, name: `${a.name}expand_conv`, init: CONV_INIT });
    x = b.bn(x, `${a.name}expand_bn`);
    x = b.act(x, 'swish', `${a.name}expand_activation`);
  }
  let padding: 'same' | 'valid' = 'same';
  if (a.strides === 2) {
    x = b.zeroPad(x, correctPad(x, a.kernel), `${a.name}dwconv_pad`);
    padding = 'valid';
  }
  x = b.depthwiseConv(x, { kernel: a.kernel, strides: a.strides, padding, name: `${a.name}dwconv`, init: CONV_INIT });
  x = b.bn(x, `${a.name}bn`);
  x = b.act(x, 'swish', `${a.name}activation`);

  const filtersSe = Math.max(1, Math.floor(a.filtersIn * SE_RATIO));
  let se = b.gap(x, `${a.name}se_squeeze`);
  se = apply(tf.layers.reshape({ targetShape: [1, 1, filters], name: `${a.name}se_reshape` }), se);
  se = b.conv(se, { filters: filtersSe, kernel: 1, padding: 'same', activation: 'swish', name: `${a.name}se_reduce`, init: CONV_INIT });
  se = b.conv(se, { filters, kernel: 1, padding: 'same', activation: 'sigmoid', name: `${a.name}se_expand`, init: CONV_INIT });
  x = tf.layers.multiply({ name: `${a.name}se_excite` }).apply([x, se]) as Tensor;

  x = b.conv(x, { filters: a.filtersOut, kernel: 1, padding: 'same', useBias: false, name: `${a.name}project_conv`, init: CONV_INIT });
  x = b.bn(x, `${a.name}project_bn`);
  if (a.strides === 1 && a.filtersIn === a.filtersOut) {
    if (a.dropRate > 0) x = dropout(b, x, a.dropRate, true, `${a.name}drop`);
    x = b.add([x, inputs], `${a.name}add`);
  }
  return x;
}

function dropout(b: Builder, x: Tensor, rate: number, perSample: boolean, name: string): Tensor {
  return apply(new SeededDropout({ rate, perSample, seed: b.options.seed, nodeKey: b.options.nodeKey, name }), x);
}

/** Keras `imagenet_utils.correct_pad`: pad so that a strided 'valid' conv matches TF's 'same'. */
function correctPad(x: Tensor, kernel: number): [[number, number], [number, number]] {
  const [h, w] = spatial(x);
  const c = Math.floor(kernel / 2);
  return [
    [c - (1 - (h % 2)), c],
    [c - (1 - (w % 2)), c],
  ];
}
