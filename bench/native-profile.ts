// Where a training step's time goes, kernel by kernel, on the path `cvr run` trains (registry
// model, our optimizer, src/train/step.ts): `npm run -s bench -- native-profile [--backend cpu|native]
// [--model resnet50] [--size 64] [--batch 16] [--width 1] [--optimizer adam] [--steps 1]`.
// Prints the top kernels (ms, calls, share of kernel time), then the step time, the kernel time
// and the rest (JavaScript between kernels: tape, allocation, garbage collection).
import * as tf from '@tensorflow/tfjs';
import { parseBenchArgs, useBackend } from './lib/bench-args.ts';
import { registryTrainer } from './lib/registry-trainer.ts';

export async function main(argv: string[]): Promise<number> {
  const a = parseBenchArgs(argv, { backend: 'native', model: 'resnet50', size: '64', batch: '16', width: '1', steps: '1', optimizer: 'adam', top: '25' });
  await useBackend(a.backend);
  const size = Number(a.size), batch = Number(a.batch), width = Number(a.width), steps = Number(a.steps);
  const trainer = registryTrainer({ model: a.model, size, batch, width, optimizer: a.optimizer as 'adam' });
  trainer.step(); // warm-up: primitive caches, first allocations
  const t0 = performance.now();
  const info = await tf.profile(() => {
    for (let s = 0; s < steps; s++) trainer.step();
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
  for (const [name, e] of rows.slice(0, Number(a.top))) {
    console.log(JSON.stringify({ kernel: name, ms: +(e.ms / steps).toFixed(1), calls: e.calls / steps, share: +(e.ms / kernelMs).toFixed(4) }));
  }
  console.log(JSON.stringify({ backend: tf.getBackend(), model: a.model, size, batch, width, optimizer: a.optimizer, steps,
    stepMs: +(totalMs / steps).toFixed(1), kernelMs: +(kernelMs / steps).toFixed(1), otherMs: +((totalMs - kernelMs) / steps).toFixed(1), kernels: info.kernels.length / steps }));
  trainer.dispose();
  return 0;
}
