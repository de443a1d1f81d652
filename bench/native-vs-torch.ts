// Training speed of cvr's registry models on the native engine against PyTorch on the CPU, same
// machine, same thread count, same command:
//   npm run -s bench -- native-vs-torch [--nets resnet50,xception,cvrnet] [--size 64] [--batch 16]
//     [--rounds 5] [--steps 2] [--threads N] [--big 224] [--big-batch 16] [--python python3] [--width 1]
//
// The cvr side trains each model exactly as `cvr run` does (bench/lib/registry-trainer.ts: the
// registry builder, our Adam, src/train/step.ts). The PyTorch side (bench/torch_train.py, a
// server started once) trains the same architectures with torch.optim.Adam, in whichever memory
// layout is faster for it (both measured first). Rounds interleave the sides, A B A B …, so
// that load from other processes falls on both; every round is printed, then per model the
// median ratio (cvr / torch images/s) with its min–max, and the load average before and after.
// CVR-Net has no PyTorch twin: its images/s are printed. `--big 224` adds one timed 224² step
// per side and model (after an untimed warm-up step). `--big 0` skips it. `--width` thins the
// cvr side's models (tests only: PyTorch's twins are full width, so no ratio is printed then).
// At `--threads 1` every round (and the 224² step) also gives images per CPU second of each side's process and their
// ratio (cpuRatio, medianCpuRatio): on a shared, loaded machine the one figure the load barely moves.
import * as tf from '@tensorflow/tfjs';
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { parseBenchArgs, useBackend } from './lib/bench-args.ts';
import { registryTrainer, type Trainer } from './lib/registry-trainer.ts';

const TORCH_SCRIPT = fileURLToPath(new URL('./torch_train.py', import.meta.url));
const TORCH_NETS = new Set(['resnet50', 'xception']);
type Layout = 'channels_last' | 'contiguous';

/** The PyTorch server: one JSON request, one JSON answer, a line each. */
class Torch {
  private readonly lines: AsyncIterator<string>;
  private constructor(private readonly child: ChildProcessWithoutNullStreams) {
    this.lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  }

  static async start(python: string, threads: number): Promise<{ torch: Torch; hello: Record<string, unknown> } | { error: string }> {
    const child = spawn(python, [TORCH_SCRIPT, '--threads', String(threads)], { stdio: ['pipe', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (c: Buffer) => { stderr += c.toString(); });
    const failed = new Promise<{ error: string }>((resolve) => {
      child.on('error', (e) => resolve({ error: e.message }));
      child.on('exit', (code) => resolve({ error: `exit ${code}: ${stderr.trim().split('\n').pop() ?? ''}` }));
    });
    const torch = new Torch(child);
    const hello = torch.lines.next().then((r) => (r.done === true ? undefined : (JSON.parse(r.value) as Record<string, unknown>)));
    const first = await Promise.race([hello, failed]);
    if (first === undefined) return { error: `no answer: ${stderr.trim().split('\n').pop() ?? ''}` };
    if ('error' in first && typeof first['error'] === 'string') return { error: first['error'] };
    return { torch, hello: first };
  }

  async ask(request: Record<string, unknown>): Promise<Record<string, unknown>> {
    this.child.stdin.write(`${JSON.stringify(request)}\n`);
    const r = await this.lines.next();
    if (r.done === true) throw new Error('the PyTorch side stopped');
    return JSON.parse(r.value) as Record<string, unknown>;
  }

  async imagesPerSec(net: string, size: number, batch: number, steps: number, layout: Layout): Promise<number> {
    return (await this.rates(net, size, batch, steps, layout)).wall;
  }

  /** Images per wall-clock second and per CPU second of the PyTorch process. */
  async rates(net: string, size: number, batch: number, steps: number, layout: Layout): Promise<Rates> {
    const a = await this.ask({ net, size, batch, steps, layout });
    if (typeof a['imagesPerSec'] !== 'number') throw new Error(`PyTorch ${net}: ${String(a['error'])}`);
    return { wall: a['imagesPerSec'], cpu: typeof a['imagesPerCpuSec'] === 'number' ? a['imagesPerCpuSec'] : Number.NaN };
  }

  stop(): void {
    this.child.stdin.end();
  }
}

/**
 * Images per wall-clock second and per CPU second (user + system, this process). On a machine
 * shared with other busy processes the wall-clock rate measures the load as much as the engine;
 * at one thread the CPU rate does not (no worker threads wait, spinning, for a descheduled one),
 * so `--threads 1` rounds also print the CPU-time ratio.
 */
interface Rates { wall: number; cpu: number }

function rateSteps(t: Trainer, batch: number, steps: number): Rates {
  const t0 = performance.now(), c0 = process.cpuUsage();
  for (let s = 0; s < steps; s++) t.step();
  const c = process.cpuUsage(c0);
  return { wall: (batch * steps) / ((performance.now() - t0) / 1000), cpu: (batch * steps) / ((c.user + c.system) / 1e6) };
}

const median = (xs: readonly number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};
const r3 = (x: number): number => +x.toFixed(3);
const load = (): number[] => loadavg().map((l) => +l.toFixed(2));

export async function main(argv: string[]): Promise<number> {
  const a = parseBenchArgs(argv, {
    nets: 'resnet50,xception,cvrnet', size: '64', batch: '16', rounds: '5', steps: '2', threads: String(availableParallelism()),
    big: '224', 'big-batch': '16', backend: 'native', width: '1',
    python: process.env['CVR_PYTHON'] ?? (existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3'),
  });
  const size = Number(a.size), batch = Number(a.batch), rounds = Number(a.rounds), steps = Number(a.steps);
  const threads = Number(a.threads), big = Number(a.big), bigBatch = Number(a['big-batch']);
  const nets = a.nets.split(',').filter((n) => n !== '');
  process.env['CVR_NATIVE_THREADS'] = String(threads); // read when the native backend registers
  await useBackend(a.backend);
  const loadBefore = load();
  console.log(JSON.stringify({ bench: 'native-vs-torch', backend: tf.getBackend(), nets, size, batch, rounds, steps, threads, optimizer: 'adam', loadavg: loadBefore }));

  const started = await Torch.start(a.python, threads);
  const torch = 'torch' in started ? started.torch : undefined;
  if (!('torch' in started)) console.log(JSON.stringify({ side: 'torch', error: started.error, hint: 'apt-get install -y python3-torch (Debian) or pip install torch' }));
  else console.log(JSON.stringify({ side: 'torch', ...started.hello }));

  // PyTorch's faster layout per model, measured on this machine now.
  const layouts = new Map<string, Layout>();
  for (const net of nets.filter((n) => TORCH_NETS.has(n))) {
    if (torch === undefined) break;
    const speed: Partial<Record<Layout, number>> = {};
    for (const layout of ['channels_last', 'contiguous'] as const) {
      // The first timed steps after the warm-up still pay for set-up: time twice, keep the second.
      await torch.imagesPerSec(net, size, batch, steps, layout);
      speed[layout] = r3(await torch.imagesPerSec(net, size, batch, steps, layout));
    }
    const best: Layout = (speed.channels_last ?? 0) >= (speed.contiguous ?? 0) ? 'channels_last' : 'contiguous';
    layouts.set(net, best);
    await torch.ask({ net, size, batch, layout: best === 'channels_last' ? 'contiguous' : 'channels_last', drop: true });
    console.log(JSON.stringify({ side: 'torch', net, layoutImagesPerSec: speed, chosen: best }));
  }

  const trainers = new Map<string, Trainer>();
  for (const net of nets) {
    const t = registryTrainer({ model: net, size, batch, width: Number(a.width) });
    t.step(); // warm-up: primitive creation, first allocations
    trainers.set(net, t);
  }
  const ratios = new Map<string, number[]>();
  const cpuRatios = new Map<string, number[]>();
  const cvr = new Map<string, number[]>();
  const push = (m: Map<string, number[]>, k: string, v: number): void => { (m.get(k) ?? m.set(k, []).get(k)!).push(v); };
  for (let round = 1; round <= rounds; round++) {
    for (const net of nets) {
      const mine = rateSteps(trainers.get(net)!, batch, steps);
      push(cvr, net, mine.wall);
      const layout = Number(a.width) === 1 ? layouts.get(net) : undefined;
      const theirs = torch !== undefined && layout !== undefined ? await torch.rates(net, size, batch, steps, layout) : undefined;
      const line: Record<string, unknown> = { round, net, cvr: r3(mine.wall), load1m: load()[0] };
      if (threads === 1) line['cvrPerCpuS'] = r3(mine.cpu);
      if (theirs !== undefined) {
        line['torch'] = r3(theirs.wall);
        line['ratio'] = r3(mine.wall / theirs.wall);
        push(ratios, net, mine.wall / theirs.wall);
        if (threads === 1 && Number.isFinite(theirs.cpu)) {
          line['torchPerCpuS'] = r3(theirs.cpu);
          line['cpuRatio'] = r3(mine.cpu / theirs.cpu);
          push(cpuRatios, net, mine.cpu / theirs.cpu);
        }
      }
      console.log(JSON.stringify(line));
    }
  }
  for (const t of trainers.values()) t.dispose();

  const bigSteps: Record<string, unknown>[] = [];
  if (big > 0) {
    for (const net of nets.filter((n) => TORCH_NETS.has(n))) {
      const t = registryTrainer({ model: net, size: big, batch: bigBatch });
      t.step();
      const mine = rateSteps(t, bigBatch, 1);
      t.dispose();
      const layout = layouts.get(net);
      const theirs = torch !== undefined && layout !== undefined ? await torch.rates(net, big, bigBatch, 1, layout) : undefined;
      const line: Record<string, unknown> = { size: big, batch: bigBatch, net, cvr: r3(mine.wall),
        ...(theirs === undefined ? {} : { torch: r3(theirs.wall), ratio: r3(mine.wall / theirs.wall) }), load1m: load()[0] };
      if (threads === 1 && theirs !== undefined && Number.isFinite(theirs.cpu)) {
        Object.assign(line, { cvrPerCpuS: r3(mine.cpu), torchPerCpuS: r3(theirs.cpu), cpuRatio: r3(mine.cpu / theirs.cpu) });
      }
      bigSteps.push(line);
      console.log(JSON.stringify(line));
    }
  }
  torch?.stop();

  const summary: Record<string, unknown> = {};
  for (const net of nets) {
    const rs = ratios.get(net), cr = cpuRatios.get(net);
    const mine = cvr.get(net) ?? [];
    summary[net] = {
      cvrImagesPerSec: r3(median(mine)),
      ...(rs === undefined ? {} : { medianRatio: r3(median(rs)), minRatio: r3(Math.min(...rs)), maxRatio: r3(Math.max(...rs)) }),
      ...(cr === undefined ? {} : { medianCpuRatio: r3(median(cr)), minCpuRatio: r3(Math.min(...cr)), maxCpuRatio: r3(Math.max(...cr)) }),
    };
  }
  console.log(JSON.stringify({ summary, threads, size, batch, rounds, steps, loadavgBefore: loadBefore, loadavgAfter: load(), target: 1.0 }));
  return [...ratios.values()].every((rs) => median(rs) >= 1.0) ? 0 : 1;
}
