// Where a training step's time goes, kernel by kernel: `npm run -s bench -- native-profile
// [--backend cpu|native] [--net resnet50|xception] [--size 32] [--batch 4] [--width 0.25]`.
import * as tf from '@tensorflow/tfjs';
import { NETS, type NetName } from './lib/tf-models.ts';
import { parseBenchArgs, useBackend } from './lib/bench-args.ts';

export async function main(argv: string[]): Promise<number> {
  const a = parseBenchArgs(argv, { backend: 'cpu', net: 'resnet50', size: '32', batch: '4', width: '0.25', steps: '1' });
  await useBackend(a.backend);
  const net = a.net as NetName;
  const size = Number(a.size), batch = Number(a.batch), width = Number(a.width), steps = Number(a.steps);
  const model = NETS[net]({ inputSize: size, classes: 3, width });
  model.compile({ optimizer: tf.train.sgd(0.01), loss: 'categoricalCrossentropy' });
  const x = tf.randomUniform([batch, size, size, 3], 0, 1, 'float32', 1);
  const y = tf.oneHot(tf.tensor1d(Array.from({ length: batch }, (_, i) => i % 3), 'int32'), 3);
  await model.trainOnBatch(x, y); // warm-up: weight creation, primitive caches
  const t0 = performance.now();
  const info = await tf.profile(async () => {
    for (let s = 0; s < steps; s++) await model.trainOnBatch(x, y);
  });
  const totalMs = performance.now() - t0;
  const byKernel = new Map<string, { ms: number; calls: number }>();
  for (const k of info.kernels) {
    const e = byKernel.get(k.name) ?? { ms: 0, calls: 0 };
    e.ms += Number(k.kernelTimeMs);
    e.calls += 1;
    byKernel.set(k.name, e);
  }
  const kernelMs = [...byKernel.values()].reduce((s, e) => s + e.ms, 0);
  const rows = [...byKernel.entries()].sort((p, q) => q[1].ms - p[1].ms);
  for (const [name, e] of rows.slice(0, 25)) {
    console.log(JSON.stringify({ kernel: name, ms: +e.ms.toFixed(1), calls: e.calls, share: +(e.ms / kernelMs).toFixed(4) }));
  }
  console.log(JSON.stringify({ backend: tf.getBackend(), net, size, batch, width, steps, stepMs: +(totalMs / steps).toFixed(1), kernelMs: +(kernelMs / steps).toFixed(1) }));
  return 0;
}
