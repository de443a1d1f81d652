import * as tf from '@tensorflow/tfjs';
import { performance } from 'node:perf_hooks';
import { parseFlags, formatDiagnostic } from '../src/cli/commands/flags.ts';
import { selectEngine } from '../src/engine/index.ts';
import { buildModel, MODEL_NAMES } from '../src/models/index.ts';

const USAGE = `usage: npm run -s bench -- train --model M --size S --batch B --steps N [--engine E] [--width W] [--classes K] [--seed N]
models: ${MODEL_NAMES.join(', ')}
Prints one JSON line { engine, model, size, batch, images_per_s, … } after one untimed warm-up step.
`;

/**
 * Training throughput of one model on one engine: random (seeded) images, Adam, categorical
 * cross-entropy, `steps` timed trainOnBatch calls after one untimed warm-up step (which pays for
 * kernel set-up and first allocations).
 */
export async function main(argv: string[]): Promise<number> {
  const flags = parseFlags(argv, { model: 'value', size: 'value', batch: 'value', steps: 'value', engine: 'value', width: 'value', classes: 'value', seed: 'value' });
  if (!flags.ok) {
    process.stderr.write(`bench train: ${flags.error}\n${USAGE}`);
    return 2;
  }
  const v = flags.values;
  const model = v.model;
  const num = (key: string, fallback?: number): number | undefined => {
    const text = v[key];
    if (text === undefined) return fallback;
    const n = Number(text);
    return Number.isFinite(n) ? n : undefined;
  };
  const size = num('size');
  const batch = num('batch');
  const steps = num('steps');
  const width = num('width', 1);
  const classes = num('classes', 2);
  const seed = num('seed', 1);
  if (model === undefined || size === undefined || batch === undefined || steps === undefined || width === undefined || classes === undefined || seed === undefined || batch < 1 || steps < 1) {
    process.stderr.write(`bench train: --model, --size, --batch and --steps are required (numbers where numbers are due)\n${USAGE}`);
    return 2;
  }

  const engine = await selectEngine(v.engine ?? 'auto');
  if (!engine.ok) {
    for (const d of engine.diagnostics) process.stderr.write(formatDiagnostic(d));
    return 1;
  }
  const built = buildModel(model, { size, channels: 3, classes, width, seed, nodeKey: `bench:${model}` });
  if (!built.ok) {
    for (const d of built.diagnostics) process.stderr.write(formatDiagnostic(d));
    return 1;
  }
  const net = built.model;
  net.compile({ optimizer: tf.train.adam(1e-4), loss: 'categoricalCrossentropy' });
  const x = tf.randomUniform([batch, size, size, 3], 0, 1, 'float32', seed);
  const y = tf.oneHot(tf.randomUniform([batch], 0, classes, 'int32', seed + 1), classes);

  const warm0 = performance.now();
  await net.trainOnBatch(x, y);
  const warmup = (performance.now() - warm0) / 1000;
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  for (let i = 0; i < steps; i++) await net.trainOnBatch(x, y);
  const seconds = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);

  const line = {
    engine: engine.info.engine,
    model,
    size,
    batch,
    images_per_s: (batch * steps) / seconds,
    steps,
    width,
    params: net.countParams(),
    seconds,
    // CPU time of the timed steps: on a shared machine, wall time alone overstates the cost.
    cpu_s: (cpu.user + cpu.system) / 1e6,
    warmup_s: warmup,
    backend: engine.info.backend,
    versions: engine.info.versions,
  };
  process.stdout.write(`${JSON.stringify(line)}\n`);
  tf.dispose([x, y]);
  net.dispose();
  return 0;
}
