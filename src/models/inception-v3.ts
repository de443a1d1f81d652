import type { Builder, Tensor } from './builder.ts';

/**
 * Inception-v3 (Keras applications `inception_v3.py`) with its top. Keras names only the
 * `mixedN` concatenations; every conv/BN gets Keras's automatic name (`conv2d_7`,
 * `batch_normalization_7`), reproduced here by building in Keras's order.
 */
export function inceptionV3(b: Builder, input: Tensor): Tensor {
  const cb = (x: Tensor, filters: number, rows: number, cols: number, padding: 'same' | 'valid' = 'same', strides = 1): Tensor => {
    let y = b.conv(x, { filters: b.ch(filters), kernel: [rows, cols], strides, padding, useBias: false, name: b.autoName('conv2d') });
    y = b.bn(y, b.autoName('batch_normalization'), { scale: false });
    return b.act(y, 'relu', b.autoName('activation'));
  };
  const poolBranch = (x: Tensor, filters: number): Tensor => cb(b.avgPool(x, 3, 1, 'same'), filters, 1, 1);

  let x = cb(input, 32, 3, 3, 'valid', 2);
  x = cb(x, 32, 3, 3, 'valid');
  x = cb(x, 64, 3, 3);
  x = b.maxPool(x, 3, 2);
  x = cb(x, 80, 1, 1, 'valid');
  x = cb(x, 192, 3, 3, 'valid');
  x = b.maxPool(x, 3, 2);

  // mixed 0, 1, 2: 35 × 35
  for (const [i, poolFilters] of [32, 64, 64].entries()) {
    const b1 = cb(x, 64, 1, 1);
    const b5 = cb(cb(x, 48, 1, 1), 64, 5, 5);
    const b3 = cb(cb(cb(x, 64, 1, 1), 96, 3, 3), 96, 3, 3);
    const bp = poolBranch(x, poolFilters);
    x = b.concat([b1, b5, b3, bp], `mixed${i}`);
  }

  // mixed 3: 17 × 17
  {
    const b3 = cb(x, 384, 3, 3, 'valid', 2);
    const b3d = cb(cb(cb(x, 64, 1, 1), 96, 3, 3), 96, 3, 3, 'valid', 2);
    const bp = b.maxPool(x, 3, 2);
    x = b.concat([b3, b3d, bp], 'mixed3');
  }

  // mixed 4–7: 17 × 17, factorised 7×7
  for (const [i, mid] of [128, 160, 160, 192].entries()) {
    const b1 = cb(x, 192, 1, 1);
    const b7 = cb(cb(cb(x, mid, 1, 1), mid, 1, 7), 192, 7, 1);
    let b7d = cb(x, mid, 1, 1);
    b7d = cb(b7d, mid, 7, 1);
    b7d = cb(b7d, mid, 1, 7);
    b7d = cb(b7d, mid, 7, 1);
    b7d = cb(b7d, 192, 1, 7);
    const bp = poolBranch(x, 192);
    x = b.concat([b1, b7, b7d, bp], `mixed${4 + i}`);
  }

  // mixed 8: 8 × 8
  {
    const b3 = cb(cb(x, 192, 1, 1), 320, 3, 3, 'valid', 2);
    let b7 = cb(x, 192, 1, 1);
    b7 = cb(b7, 192, 1, 7);
    b7 = cb(b7, 192, 7, 1);
    b7 = cb(b7, 192, 3, 3, 'valid', 2);
    const bp = b.maxPool(x, 3, 2);
    x = b.concat([b3, b7, bp], 'mixed8');
  }

  // mixed 9, 10: 8 × 8
  for (const i of [0, 1]) {
    const b1 = cb(x, 320, 1, 1);
    const b3 = cb(x, 384, 1, 1);
    const b3cat = b.concat([cb(b3, 384, 1, 3), cb(b3, 384, 3, 1)], `mixed9_${i}`);
    const b3d = cb(cb(x, 448, 1, 1), 384, 3, 3);
    const b3dcat = b.concat([cb(b3d, 384, 1, 3), cb(b3d, 384, 3, 1)], b.autoName('concatenate'));
    const bp = poolBranch(x, 192);
    x = b.concat([b1, b3cat, b3dcat, bp], `mixed${9 + i}`);
  }

  return b.dense(b.gap(x, 'avg_pool'), b.options.classes, 'predictions', 'softmax');
}
