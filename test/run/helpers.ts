import { afterEach, expect } from 'vitest';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RunEvent } from '../../src/run/events.ts';
import type { ExecuteResult, Handlers, NodeHandler } from '../../src/run/executor.ts';
import { executePlan } from '../../src/run/executor.ts';
import { NodeCache } from '../../src/run/cache.ts';
import { realRunDeps } from '../../src/run/wiring.ts';
import { hasErrors } from '../../src/diag/diagnostic.ts';
import { loadPipelines } from '../../src/dsl/index.ts';
import type { Plan } from '../../src/plan/index.ts';
import type { PlanNodeKind } from '../../src/plan/types.ts';

export function tempDir(prefix: string): { dir: string; dispose: () => void } {
  const dir = mkdtempSync(join(tmpdir(), `cvr-${prefix}-`));
  return { dir, dispose: () => rmSync(dir, { recursive: true, force: true }) };
}

/** A function that makes a fresh temporary folder per call; every one is removed after each test. */
export function scratchDirs(prefix: string): () => string {
  const disposers: (() => void)[] = [];
  afterEach(() => {
    for (const dispose of disposers.splice(0)) dispose();
  });
  return () => {
    const { dir, dispose } = tempDir(prefix);
    disposers.push(dispose);
    return dir;
  };
}

/** Wraps every handler to count its calls per node id. */
export function counted(handlers: Handlers): { handlers: Handlers; calls: Map<string, number> } {
  const calls = new Map<string, number>();
  const wrapped: Partial<Record<PlanNodeKind, NodeHandler>> = {};
  for (const [kind, entry] of Object.entries(handlers)) {
    const run = typeof entry === 'function' ? entry : (entry as { run: NodeHandler }).run;
    wrapped[kind as PlanNodeKind] = async (node, inputs, ctx) => {
      calls.set(node.id, (calls.get(node.id) ?? 0) + 1);
      return run(node, inputs, ctx);
    };
  }
  return { handlers: wrapped, calls };
}

export function readJson(path: string): unknown {
  return JSON.parse(readFileSync(path, 'utf8')) as unknown;
}

export function idsOf(events: readonly RunEvent[], type: RunEvent['type']): string[] {
  return events.filter((e) => e.type === type).map((e) => ('id' in e ? (e.id ?? '') : ''));
}

/** The data stages of `cvr run` (scan, labels, split, prep, audit; training left out) on `file`, with the cache in `dir/cache`. */
export async function runDataStages(file: string, dir: string): Promise<{ result: ExecuteResult; events: RunEvent[]; plan: Plan }> {
  const loaded = await loadPipelines([file], { cwd: dir });
  expect(hasErrors(loaded.diagnostics)).toBe(false);
  const pipeline = loaded.pipelines[0]!;
  const cacheDir = join(dir, 'cache');
  const prepared = await realRunDeps().prepare(pipeline, { seed: pipeline.seed, engine: 'cpu', cacheDir });
  if (!prepared.ok) throw new Error(JSON.stringify(prepared.diagnostics));
  const plan = { ...prepared.plan, nodes: prepared.plan.nodes.filter((n) => DATA_NODES.has(n.kind)) };
  const events: RunEvent[] = [];
  const result = await executePlan({
    plan,
    handlers: prepared.handlers,
    cache: new NodeCache(cacheDir),
    seed: pipeline.seed,
    engine: 'cpu',
    runDir: join(dir, 'run'),
    emit: (e) => events.push(e),
    signal: new AbortController().signal,
  });
  expect(result.status).toBe('done');
  return { result, events, plan: prepared.plan };
}

// The audit reads the prepared images' near-duplicate signatures, so preparation runs too.
const DATA_NODES: ReadonlySet<string> = new Set(['scan', 'labels', 'split', 'prep', 'audit']);
