import { performance } from 'node:perf_hooks';
import { parseFlags, formatDiagnostic } from '../src/cli/commands/flags.ts';
import { selectEngine, type ProbeHost } from '../src/engine/index.ts';
import { checkModelOptions, MODEL_NAMES } from '../src/models/index.ts';
import { registryTrainer } from './lib/registry-trainer.ts';

const OPTIMIZERS = ['adam', 'adamax', 'sgd', 'rmsprop'] as const;
const USAGE = `usage: npm run -s bench -- train --model M --size S --batch B --steps N [--engine E] [--width W] [--classes K] [--seed N] [--optimizer adam|sgd|…] [--lr X]
models: ${MODEL_NAMES.join(', ')}
Prints one JSON line { engine, model, size, batch, images_per_s, … } after one untimed warm-up step.
`;

/**
 * Training throughput of one model on one engine, trained as \`cvr run\` trains it (the
 * registry model, our optimizer — Adam unless --optimizer —, src/train/step.ts): random
 * (seeded) images, `steps` timed steps after one untimed warm-up step (which pays for kernel
 * set-up and first allocations).
 */
/** `host`: where engines are probed (tests give a machine without some engine); default this one. */
export async function main(argv: string[], host?: ProbeHost): Promise<number> {
  const flags = parseFlags(argv, { model: 'value', size: 'value', batch: 'value', steps: 'value', engine: 'value', width: 'value', classes: 'value', seed: 'value', optimizer: 'value', lr: 'value' });
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
  const lr = num('lr', 1e-4);
  const optimizer = (v.optimizer ?? 'adam') as (typeof OPTIMIZERS)[number];
  if (!OPTIMIZERS.includes(optimizer)) {
    process.stderr.write(`bench train: --optimizer takes ${OPTIMIZERS.join(', ')}\n${USAGE}`);
    return 2;
  }
  if (model === undefined || size === undefined || batch === undefined || steps === undefined || width === undefined || classes === undefined || seed === undefined || lr === undefined || batch < 1 || steps < 1) {
    process.stderr.write(`bench train: --model, --size, --batch and --steps are required (numbers where numbers are due)\n${USAGE}`);
    return 2;
  }

  const engine = await selectEngine(v.engine ?? 'auto', ...(host === undefined ? [] : [host]));
  if (!engine.ok) {
    for (const d of engine.diagnostics) process.stderr.write(formatDiagnostic(d));
    return 1;
  }
  const problems = checkModelOptions(model, { size, channels: 3, classes, width, seed, nodeKey: `bench:${model}` });
  if (problems.length > 0) {
    for (const d of problems) process.stderr.write(formatDiagnostic(d));
    return 1;
  }
  const trainer = registryTrainer({ model, size, batch, classes, width, seed, optimizer, lr });

  const warm0 = performance.now();
  trainer.step();
  const warmup = (performance.now() - warm0) / 1000;
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  for (let i = 0; i < steps; i++) trainer.step();
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
    optimizer,
    params: trainer.params,
    seconds,
    // CPU time of the timed steps: on a shared machine, wall time alone overstates the cost.
    cpu_s: (cpu.user + cpu.system) / 1e6,
    warmup_s: warmup,
    backend: engine.info.backend,
    versions: engine.info.versions,
  };
  process.stdout.write(`${JSON.stringify(line)}\n`);
  trainer.dispose();
  return 0;
}
