// Where a native training step's CPU time goes, addon call by addon call, on the path `cvr run`
// trains (registry model, our Adam, src/train/step.ts):
//   npm run -s bench -- native-cpu-profile [--model resnet50] [--size 64] [--batch 16] [--steps 2] [--width 1] [--js-top 0]
// Prints one JSON line per addon function (conv:0 forward, conv:1 backward data, conv:2 backward
// weights, bnTrain:0/1, …: CPU ms per step, calls per step), then the step's CPU ms, the part
// inside the addon and the rest (tfjs's JavaScript kernels, tape, allocation, garbage collection).
// Each also gets its wall ms (at 2 threads: what the step waits for). Process CPU time (user + system) is the figure: on a shared, loaded machine wall time measures
// the load; run it at one thread (CVR_NATIVE_THREADS=1, the default here), where no worker waits.
// `--js-top N` also samples the timed steps with V8's profiler and prints the N JavaScript
// functions with the most self time (addon calls appear under the profiler's wrapper).
import * as tf from '@tensorflow/tfjs';
import { Session } from 'node:inspector';
import { loadavg } from 'node:os';
import { loadAddon, type NativeAddon } from '../src/engine/native/addon.ts';
import { registerNativeBackend } from '../src/engine/native/backend.ts';
import { parseBenchArgs } from './lib/bench-args.ts';
import { registryTrainer } from './lib/registry-trainer.ts';

const BY_KIND = new Set(['conv', 'bnTrain', 'pool', 'binary', 'unary', 'gradOp']);

export async function main(argv: string[]): Promise<number> {
  const a = parseBenchArgs(argv, { model: 'resnet50', size: '64', batch: '16', steps: '2', width: '1', threads: process.env['CVR_NATIVE_THREADS'] ?? '1', 'js-top': '0' });
  const load = loadAddon();
  if (!load.ok) {
    console.log(JSON.stringify({ error: load.reason }));
    return 1;
  }
  // The addon's functions are read-only properties: count them through a wrapper object.
  const real = load.addon as unknown as Record<string, (...args: unknown[]) => unknown>;
  const acc = new Map<string, { cpu: number; wall: number; calls: number }>();
  let counting = false;
  const wrapped: Record<string, (...args: unknown[]) => unknown> = {};
  for (const name of Object.getOwnPropertyNames(real)) {
    const f = real[name];
    if (typeof f !== 'function') continue;
    wrapped[name] = (...args: unknown[]) => {
      if (!counting) return f(...args);
      const c0 = process.cpuUsage();
      const w0 = performance.now();
      const r = f(...args);
      const wall = performance.now() - w0;
      const c = process.cpuUsage(c0);
      // Depthwise convolutions (groups > 1, the last of the dimensions) apart from the others.
      const depthwise = name === 'conv' && (args[1] as Int32Array)[17]! > 1 ? ':depthwise' : '';
      const key = BY_KIND.has(name) ? `${name}:${String(args[0])}${depthwise}` : name;
      const e = acc.get(key) ?? { cpu: 0, wall: 0, calls: 0 };
      e.cpu += (c.user + c.system) / 1000;
      e.wall += wall;
      e.calls += 1;
      acc.set(key, e);
      return r;
    };
  }
  await tf.setBackend(registerNativeBackend(wrapped as unknown as NativeAddon, Number(a.threads)));
  const steps = Number(a.steps);
  const t = registryTrainer({ model: a.model, size: Number(a.size), batch: Number(a.batch), width: Number(a.width) });
  t.step(); // warm-up: primitive creation, first allocations
  const jsTop = Number(a['js-top']);
  const session = jsTop > 0 ? new Session() : undefined;
  if (session !== undefined) {
    session.connect();
    await post(session, 'Profiler.enable');
    await post(session, 'Profiler.start');
  }
  counting = true;
  const c0 = process.cpuUsage();
  const w0 = performance.now();
  for (let s = 0; s < steps; s++) t.step();
  const wallMs = (performance.now() - w0) / steps;
  const c = process.cpuUsage(c0);
  counting = false;
  if (session !== undefined) {
    const { profile } = (await post(session, 'Profiler.stop')) as { profile: CpuProfile };
    for (const row of selfTimes(profile).slice(0, jsTop)) console.log(JSON.stringify({ js: row.name, selfMs: +(row.ms / steps).toFixed(1) }));
    session.disconnect();
  }
  t.dispose();
  const stepMs = (c.user + c.system) / 1000 / steps;
  let addonMs = 0, addonWall = 0;
  for (const [fn, e] of [...acc.entries()].sort((p, q) => q[1].cpu - p[1].cpu)) {
    addonMs += e.cpu / steps;
    addonWall += e.wall / steps;
    console.log(JSON.stringify({ addon: fn, cpuMs: +(e.cpu / steps).toFixed(1), wallMs: +(e.wall / steps).toFixed(1), calls: e.calls / steps }));
  }
  console.log(JSON.stringify({ model: a.model, size: Number(a.size), batch: Number(a.batch), threads: Number(a.threads), steps,
    stepCpuMs: +stepMs.toFixed(0), addonCpuMs: +addonMs.toFixed(0), outsideAddonCpuMs: +(stepMs - addonMs).toFixed(0),
    stepWallMs: +wallMs.toFixed(0), addonWallMs: +addonWall.toFixed(0), outsideAddonWallMs: +(wallMs - addonWall).toFixed(0), load1m: loadavg()[0] }));
  return 0;
}

interface CpuProfile {
  nodes: { id: number; callFrame: { functionName: string; url: string; lineNumber: number } }[];
  samples: number[];
  timeDeltas: number[];
}

const post = (session: Session, method: string): Promise<unknown> =>
  new Promise((resolve, reject) => session.post(method, (err, result) => (err === null ? resolve(result) : reject(err))));

/** Self time per function (name, file, line), most first. */
function selfTimes(p: CpuProfile): { name: string; ms: number }[] {
  const frame = new Map(p.nodes.map((n) => [n.id, n.callFrame]));
  const acc = new Map<string, number>();
  p.samples.forEach((id, i) => {
    const f = frame.get(id);
    const key = f === undefined ? '?' : `${f.functionName || '(anonymous)'} ${f.url.split('/').slice(-2).join('/')}:${f.lineNumber + 1}`;
    acc.set(key, (acc.get(key) ?? 0) + (p.timeDeltas[i] ?? 0) / 1000);
  });
  return [...acc.entries()].map(([name, ms]) => ({ name, ms })).sort((x, y) => y.ms - x.ms);
}
