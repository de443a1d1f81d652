/**
 * What the training stage adds around the gradient step, as ratios against baselines measured in
 * the same run (tiny conv net on the plain cpu backend, so the step itself is cheap and any
 * overhead shows):
 *   - prep: decoding + resizing PNGs into the cache (first pass) vs reading an already cached set;
 *   - fit: cvr's fit loop (batches from the uint8 cache, rotate + flip augmentation, events,
 *     a checkpoint per epoch) vs bare `tf.variableGrads` steps on one prepared tensor;
 *   - batch: assembling a 224 × 224 × 3 batch with the paper's augmentation vs without.
 * Prints one JSON line per measurement.
 * usage: npm run -s bench -- fit-loop [--images N] [--size S] [--batch B] [--epochs E]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import * as tf from '@tensorflow/tfjs';
import sharp from 'sharp';
import { makeBatch, openPrepared, prepareImages } from '../src/data/index.ts';
import { fit } from '../src/train/index.ts';
import { streamFactory, randomStream } from '../src/engine/index.ts';
import type { ResolvedImage } from '../src/dsl/resolved.ts';

function flag(argv: string[], name: string, fallback: number): number {
  const i = argv.indexOf(`--${name}`);
  const v = i >= 0 ? Number(argv[i + 1]) : fallback;
  return Number.isFinite(v) && v > 0 ? v : fallback;
}

function model(size: number): tf.LayersModel {
  const init = (s: number) => tf.initializers.glorotUniform({ seed: s });
  return tf.sequential({
    layers: [
      tf.layers.conv2d({ inputShape: [size, size, 1], filters: 8, kernelSize: 3, activation: 'relu', kernelInitializer: init(1) }),
      tf.layers.maxPooling2d({ poolSize: 2 }),
      tf.layers.conv2d({ filters: 8, kernelSize: 3, activation: 'relu', kernelInitializer: init(2) }),
      tf.layers.globalAveragePooling2d({}),
      tf.layers.dense({ units: 2, activation: 'softmax', kernelInitializer: init(3) }),
    ],
  });
}

export async function main(argv: string[]): Promise<number> {
  await tf.setBackend('cpu');
  const n = flag(argv, 'images', 256);
  const size = flag(argv, 'size', 32);
  const batch = flag(argv, 'batch', 16);
  const epochs = flag(argv, 'epochs', 2);
  const root = mkdtempSync(join(tmpdir(), 'cvr-bench-fit-'));
  try {
    const rng = randomStream(1, 'bench', 'pixels');
    const images = [];
    for (let i = 0; i < n; i++) {
      const px = Uint8Array.from({ length: 256 * 256 }, () => Math.floor(rng.next() * 256));
      const path = join(root, `img${i}.png`);
      await sharp(px, { raw: { width: 256, height: 256, channels: 1 } }).png().toFile(path);
      images.push({ id: `img${i}`, path, classIndex: i % 2 });
    }
    const image: ResolvedImage = { width: size, height: size, resize: 'nearest', channels: 1, normalize: 'unit' };
    const cacheDir = join(root, 'cache');
    let t = performance.now();
    const first = await prepareImages(images, image, { cacheDir });
    const decodeMs = performance.now() - t;
    t = performance.now();
    const second = await prepareImages(images, image, { cacheDir });
    const cachedMs = performance.now() - t;
    if (!first.ok || !second.ok) throw new Error('prep failed');
    process.stdout.write(`${JSON.stringify({ bench: 'prep', images: n, from: '256x256 png', size, decode_images_per_s: (n * 1000) / decodeMs, cached_images_per_s: (n * 1000) / cachedMs, cached_over_decode: decodeMs / cachedMs })}\n`);

    const opened = openPrepared(first.prepared);
    if (!opened.ok) throw new Error('open failed');
    const steps = Math.ceil(n / batch) * epochs;

    // Baseline: bare gradient steps on one tensor, same model, same optimizer family.
    const m = model(size);
    const vars = m.trainableWeights.map((w) => w.read() as tf.Variable);
    const opt = tf.train.adam(1e-3);
    const x = tf.randomUniform([batch, size, size, 1], 0, 1, 'float32', 1);
    const y = tf.oneHot(tf.tensor1d(Array.from({ length: batch }, (_, i) => i % 2), 'int32'), 2);
    const step = () =>
      tf.tidy(() => {
        const loss = opt.minimize(() => tf.losses.softmaxCrossEntropy(y, m.apply(x) as tf.Tensor) as tf.Scalar, true, vars);
        loss?.dataSync();
      });
    step();
    t = performance.now();
    for (let i = 0; i < steps; i++) step();
    const bareMs = performance.now() - t;

    const checkpointDir = join(root, 'ckpt');
    t = performance.now();
    const r = await fit({
      nodeId: 'bench', model: 'tiny', fold: 0, classes: ['A', 'B'], train: images, validation: [], images: opened.source, image,
      augment: [{ op: 'rotate', degrees: 15, p: 0.45 }, { op: 'flip', axis: 'horizontal', p: 0.5 }],
      config: { optimizer: { name: 'adam', lr: 1e-3, params: {} }, loss: 'categorical_crossentropy', classWeights: { mode: 'balanced' }, batch, epochs },
      createModel: () => model(size), random: streamFactory(1, 'bench'), checkpointDir, emit: () => {},
    });
    const fitMs = performance.now() - t;
    if (!r.ok) throw new Error('fit failed');
    process.stdout.write(`${JSON.stringify({ bench: 'fit', engine: tf.getBackend(), size, batch, steps, bare_images_per_s: (steps * batch * 1000) / bareMs, fit_images_per_s: (n * epochs * 1000) / fitMs, fit_over_bare_time: fitMs / bareMs })}\n`);
    opened.source.close();

    // Batch assembly at the paper's size: 224 × 224 × 3 from uint8, with and without the paper's
    // augmentation (rotation p 0.45, shifts p 0.2, both flips).
    const big = 224 * 224 * 3;
    const pixels = new Map<string, Uint8Array>(Array.from({ length: batch }, (_, i) => [`b${i}`, Uint8Array.from({ length: big }, (_, j) => (i * 31 + j) & 255)] as const));
    const source = { width: 224, height: 224, channels: 3 as const, has: (id: string) => pixels.has(id), read: (id: string) => pixels.get(id)!.slice() };
    const items = [...pixels.keys()].map((id) => ({ id, classIndex: 0 }));
    const paperAugment = [
      { op: 'rotate', degrees: 15, p: 0.45 },
      { op: 'shift', fraction: 0.1, p: 0.2 },
      { op: 'flip', axis: 'horizontal', p: 0.5 },
      { op: 'flip', axis: 'vertical', p: 0.5 },
    ] as const;
    const time = (fn: () => void, reps: number) => {
      fn();
      const start = performance.now();
      for (let i = 0; i < reps; i++) fn();
      return (performance.now() - start) / reps;
    };
    const augRng = randomStream(1, 'bench', 'augment');
    const plainMs = time(() => makeBatch(items, { source, normalize: 'imagenet', classes: 2 }), 5);
    const augMs = time(() => makeBatch(items, { source, normalize: 'imagenet', classes: 2, augment: paperAugment, random: augRng }), 5);
    process.stdout.write(`${JSON.stringify({ bench: 'batch', size: 224, channels: 3, batch, plain_ms_per_image: plainMs / batch, augmented_ms_per_image: augMs / batch, augmented_over_plain: augMs / plainMs })}\n`);
    return 0;
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}
