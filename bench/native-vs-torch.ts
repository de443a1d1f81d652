// Training speed of the native engine against PyTorch on the same machine, same threads, same run:
// `npm run -s bench -- native-vs-torch [--nets resnet50,xception] [--size 64] [--batch 16] [--steps 3]`.
// Prints one JSON line per network and side, then one with the ratios (native / torch images/s).
import * as tf from '@tensorflow/tfjs';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { NETS, type NetName } from './lib/tf-models.ts';
import { parseBenchArgs, useBackend } from './lib/bench-args.ts';

const TORCH_SCRIPT = fileURLToPath(new URL('./torch_train.py', import.meta.url));

async function nativeImagesPerSec(net: NetName, size: number, batch: number, steps: number): Promise<number> {
  const model = NETS[net]({ inputSize: size, classes: 3, width: 1 });
  model.compile({ optimizer: tf.train.sgd(0.01), loss: 'categoricalCrossentropy' });
  const x = tf.randomUniform([batch, size, size, 3], 0, 1, 'float32', 1);
  const y = tf.oneHot(tf.tensor1d(Array.from({ length: batch }, (_, i) => i % 3), 'int32'), 3);
  await model.trainOnBatch(x, y); // warm-up: weights, oneDNN primitive creation
  const t0 = performance.now();
  for (let s = 0; s < steps; s++) await model.trainOnBatch(x, y);
  const seconds = (performance.now() - t0) / 1000;
  tf.dispose([x, y]);
  model.dispose();
  return (batch * steps) / seconds;
}

function torchImagesPerSec(python: string, net: NetName, size: number, batch: number, steps: number, threads: number): number | string {
  const r = spawnSync(python, [TORCH_SCRIPT, '--net', net, '--size', String(size), '--batch', String(batch),
    '--steps', String(steps), '--threads', String(threads)], { encoding: 'utf8' });
  if (r.status !== 0) return `torch side failed: ${(r.stderr || r.error?.message || '').trim().split('\n').pop()}`;
  const line = r.stdout.trim().split('\n').pop() ?? '';
  return (JSON.parse(line) as { imagesPerSec: number }).imagesPerSec;
}

export async function main(argv: string[]): Promise<number> {
  const a = parseBenchArgs(argv, {
    nets: 'resnet50,xception', size: '64', batch: '16', steps: '3', backend: 'native', threads: String(availableParallelism()),
    python: process.env['CVR_PYTHON'] ?? (existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3'),
  });
  const size = Number(a.size), batch = Number(a.batch), steps = Number(a.steps);
  const threads = Number(a.threads);
  process.env['CVR_NATIVE_THREADS'] = String(threads); // read when the native backend registers
  await useBackend(a.backend);
  const ratios: Record<string, number> = {};
  for (const name of a.nets.split(',')) {
    if (!(name in NETS)) throw new Error(`unknown net ${name}; nets: ${Object.keys(NETS).join(', ')}`);
    const net = name as NetName;
    const mine = await nativeImagesPerSec(net, size, batch, steps);
    console.log(JSON.stringify({ side: tf.getBackend(), net, size, batch, steps, imagesPerSec: +mine.toFixed(3) }));
    const theirs = torchImagesPerSec(a.python, net, size, batch, steps, threads);
    if (typeof theirs === 'string') {
      console.log(JSON.stringify({ side: 'torch', net, error: theirs }));
      continue;
    }
    console.log(JSON.stringify({ side: 'torch', net, size, batch, steps, threads, imagesPerSec: theirs }));
    ratios[net] = +(mine / theirs).toFixed(3);
  }
  console.log(JSON.stringify({ ratios, threads, loadavg1m: +(loadavg()[0] ?? 0).toFixed(2), target: 0.25 }));
  return Object.values(ratios).every((r) => r >= 0.25) ? 0 : 1;
}
