import { afterEach } from 'vitest';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RunEvent } from '../../src/run/events.ts';
import type { Handlers, NodeHandler } from '../../src/run/executor.ts';
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
