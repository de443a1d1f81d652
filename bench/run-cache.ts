/**
 * The runner's own cost, as ratios against a baseline measured in the same run: a plan of N
 * nodes (a chain of fan-outs, like folds × models) whose handlers do trivial work and return a
 * small JSON output, run
 *   - bare: the handlers called directly in topological order (no cache, no events, no lock);
 *   - fresh: through `runPlan` into an empty cache (lock, events, staging + rename per node);
 *   - cached: `runPlan` again on the same cache (every node reused).
 * usage: npm run -s bench -- run-cache [--nodes N] [--output-bytes B]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { createHash } from 'node:crypto';
import type { Plan, PlanNode } from '../src/plan/types.ts';
import { runPlan, type Handlers, type NodeHandler } from '../src/run/index.ts';

function flag(argv: readonly string[], name: string, fallback: number): number {
  const i = argv.indexOf(`--${name}`);
  const v = i >= 0 ? Number(argv[i + 1]) : fallback;
  return Number.isFinite(v) && v > 0 ? v : fallback;
}

function benchPlan(n: number): Plan {
  const nodes: PlanNode[] = [];
  for (let i = 0; i < n; i++) {
    // Node i reads node ⌊(i−1)/4⌋: a tree, so shared inputs are memoised as in a real plan.
    const inputs = i === 0 ? [] : [`predict:m:${Math.floor((i - 1) / 4)}`];
    const key = createHash('sha256').update(`${i}:${inputs.join(',')}`).digest('hex');
    nodes.push({ id: `predict:m:${i}`, kind: 'predict', key, streamKey: key, inputs, config: { i } });
  }
  return { pipeline: 'bench', nodes, edges: nodes.flatMap((n) => n.inputs.map((i) => [i, n.id] as const)) };
}

export async function main(argv: string[]): Promise<number> {
  const n = flag(argv, 'nodes', 200);
  const bytes = flag(argv, 'output-bytes', 1024);
  const plan = benchPlan(n);
  const handler: NodeHandler = async (node) => ({ node: node.id, payload: 'x'.repeat(bytes) });
  const handlers: Handlers = { predict: handler };

  const t0 = performance.now();
  const outputs = new Map<string, unknown>();
  for (const node of plan.nodes) outputs.set(node.id, await handler(node, {}, undefined as never));
  const bare = performance.now() - t0;

  const dir = mkdtempSync(join(tmpdir(), 'cvr-bench-run-'));
  try {
    const run = async (): Promise<number> => {
      const start = performance.now();
      const outcome = await runPlan({
        plan, handlers, cacheDir: join(dir, 'cache'), runDir: join(dir, `run-${start}`), seed: 1, engine: 'none', classes: [],
        sink: () => undefined, signal: new AbortController().signal,
      });
      if (outcome.status !== 'done') throw new Error(`bench run ${outcome.status}`);
      return performance.now() - start;
    };
    const fresh = await run();
    const cached = await run();
    const round = (v: number): number => Math.round(v * 100) / 100;
    process.stdout.write(
      `${JSON.stringify({
        bench: 'run-cache', nodes: n, output_bytes: bytes,
        bare_ms: round(bare), fresh_ms: round(fresh), cached_ms: round(cached),
        fresh_ms_per_node: round(fresh / n), cached_ms_per_node: round(cached / n),
        cached_over_fresh: round(cached / fresh),
      })}\n`,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return 0;
}
