import { describe, expect, it } from 'vitest';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { runPlan } from '../../src/run/runner.ts';
import { NodeCache } from '../../src/run/cache.ts';
import { NodeFailure, type Handlers, type NodeHandler } from '../../src/run/executor.ts';
import type { RunEvent } from '../../src/run/events.ts';
import type { Plan } from '../../src/plan/types.ts';
import { TOY_CLASSES, toyHandlers, toyPlan, type ToyConfig } from './fixtures/toy.ts';
import { counted, idsOf, readJson, scratchDirs } from './helpers.ts';

const CONFIG: ToyConfig = { seed: 7, models: ['toy', 'wide'], folds: 2, epochs: 3, batches: 4, evaluate: 'accuracy' };

const scratch = scratchDirs('exec');

async function run(plan: Plan, handlers: Handlers, cacheDir: string, runDir: string, signal = new AbortController().signal) {
  const events: RunEvent[] = [];
  const outcome = await runPlan({ plan, handlers, cacheDir, runDir, seed: 7, engine: 'toy', classes: TOY_CLASSES, sink: (e) => events.push(e), signal });
  return { outcome, events };
}

describe('executor over a plan', () => {
  it('runs every node once in topological order, a shared dependency once', async () => {
    const dir = scratch();
    const plan = toyPlan(CONFIG);
    const { handlers, calls } = counted(toyHandlers());
    const { outcome, events } = await run(plan, handlers, join(dir, 'cache'), join(dir, 'run'));
    expect(outcome.status).toBe('done');
    expect([...calls.values()].every((n) => n === 1)).toBe(true);
    expect([...calls.keys()].sort()).toEqual(plan.nodes.map((n) => n.id).sort());
    const started = idsOf(events, 'node-start');
    for (const node of plan.nodes) {
      for (const input of node.inputs) expect(started.indexOf(input)).toBeLessThan(started.indexOf(node.id));
    }
    expect(existsSync(join(dir, 'run', 'metrics.json'))).toBe(true);
    expect(existsSync(join(dir, 'run', 'predictions.csv'))).toBe(true);
    expect(existsSync(join(dir, 'run', 'events.ndjson'))).toBe(true);
  });

  it('reuses every node on a rerun with unchanged keys, with identical metrics', async () => {
    const dir = scratch();
    const plan = toyPlan(CONFIG);
    await run(plan, toyHandlers(), join(dir, 'cache'), join(dir, 'a'));
    const { handlers, calls } = counted(toyHandlers());
    const { events } = await run(plan, handlers, join(dir, 'cache'), join(dir, 'b'));
    expect(calls.size).toBe(0);
    expect(idsOf(events, 'node-cached').sort()).toEqual(plan.nodes.map((n) => n.id).sort());
    expect(readJson(join(dir, 'b', 'metrics.json'))).toEqual(readJson(join(dir, 'a', 'metrics.json')));
  });

  it('changing only the evaluate config reruns the metrics nodes and reuses every training node', async () => {
    const dir = scratch();
    await run(toyPlan(CONFIG), toyHandlers(), join(dir, 'cache'), join(dir, 'a'));
    const { handlers, calls } = counted(toyHandlers());
    const { events } = await run(toyPlan({ ...CONFIG, evaluate: 'accuracy, f1' }), handlers, join(dir, 'cache'), join(dir, 'b'));
    expect([...calls.keys()].sort()).toEqual(['metrics:toy', 'metrics:wide']);
    const cached = idsOf(events, 'node-cached');
    for (const id of ['train:toy:0', 'train:toy:1', 'train:wide:0', 'train:wide:1', 'predict:toy:0', 'scan:toy']) expect(cached).toContain(id);
  });

  it('stops at a failing node, runs none of its dependents, and a rerun reuses what finished', async () => {
    const dir = scratch();
    const good = toyHandlers();
    const failing: Handlers = {
      ...good,
      train: async (node, inputs, ctx) => {
        if (node.id === 'train:toy:1') throw new NodeFailure('cannot decode img3.png');
        return (good.train as NodeHandler)(node, inputs, ctx);
      },
    };
    const { outcome, events } = await run(toyPlan(CONFIG), failing, join(dir, 'cache'), join(dir, 'a'));
    expect(outcome).toMatchObject({ status: 'failed', failedId: 'train:toy:1', message: 'cannot decode img3.png', isBug: false });
    expect(idsOf(events, 'node-failed')).toEqual(['train:toy:1']);
    expect(idsOf(events, 'node-start')).not.toContain('predict:toy:1');
    expect(idsOf(events, 'node-start')).not.toContain('metrics:toy');
    expect(events.at(-1)).toMatchObject({ type: 'run-done', ok: false });
    const { handlers, calls } = counted(toyHandlers());
    await run(toyPlan(CONFIG), handlers, join(dir, 'cache'), join(dir, 'b'));
    expect(calls.has('train:toy:0')).toBe(false);
    expect(calls.get('train:toy:1')).toBe(1);
  });

  it('writes the audit node\'s data fingerprint into lock.json, not into audit.json', async () => {
    const dir = scratch();
    const toy = toyHandlers();
    const withLock: Handlers = {
      ...toy,
      audit: async (node, inputs, ctx) => ({ ...((await (toy.audit as NodeHandler)(node, inputs, ctx)) as object), dataLock: { lockVersion: 1, pipelines: { toy: { seed: 7 } } } }),
    };
    await run(toyPlan(CONFIG), withLock, join(dir, 'cache'), join(dir, 'a'));
    const lock = readJson(join(dir, 'a', 'lock.json')) as Record<string, unknown>;
    expect(lock).toMatchObject({ lockVersion: 1, pipelines: { toy: { seed: 7 } }, pipeline: 'toy', seed: 7, engine: 'toy' });
    expect(Object.keys(lock['nodes'] as object)).toContain('train:toy:1');
    const audit = readJson(join(dir, 'a', 'audit.json')) as Record<string, unknown>;
    expect(audit['dataLock']).toBeUndefined();
    expect(audit['sourceOnlyBaseline']).toBe(1);
  });

  it('an unexpected exception in a handler is reported as a bug', async () => {
    const dir = scratch();
    const { outcome } = await run(toyPlan(CONFIG), { ...toyHandlers(), audit: async () => { throw new TypeError('x is undefined'); } }, join(dir, 'cache'), join(dir, 'a'));
    expect(outcome).toMatchObject({ status: 'failed', failedId: 'audit', isBug: true });
  });

  it('cancelling mid-training keeps only finished entries, and a rerun resumes to the same metrics', async () => {
    const dir = scratch();
    const plan = toyPlan(CONFIG);
    await run(plan, toyHandlers(), join(dir, 'reference-cache'), join(dir, 'reference'));

    const controller = new AbortController();
    const events: RunEvent[] = [];
    const outcome = await runPlan({
      plan, handlers: toyHandlers(), cacheDir: join(dir, 'cache'), runDir: join(dir, 'a'), seed: 7, engine: 'toy', classes: TOY_CLASSES, signal: controller.signal,
      sink: (e) => {
        events.push(e);
        // Stop in the second epoch of the second fold, between batches.
        if (e.type === 'batch' && e.id === 'train:toy:1' && e.epoch === 2 && e.batch === 2) controller.abort();
      },
    });
    expect(outcome.status).toBe('cancelled');
    expect(idsOf(events, 'node-cancelled')).toEqual(['train:toy:1']);
    expect(events.at(-1)).toMatchObject({ type: 'run-done', ok: false, cancelled: true });
    const cache = new NodeCache(join(dir, 'cache'));
    const trainKey = plan.nodes.find((n) => n.id === 'train:toy:1')?.key ?? '';
    expect(await cache.has(trainKey)).toBe(false);
    expect(existsSync(join(cache.workDir(trainKey), 'checkpoint.json'))).toBe(true);
    for (const key of readdirSync(join(dir, 'cache', 'nodes'))) expect(existsSync(join(dir, 'cache', 'nodes', key, 'finished'))).toBe(true);

    const resumed = await run(plan, toyHandlers(), join(dir, 'cache'), join(dir, 'b'));
    expect(resumed.outcome.status).toBe('done');
    expect(resumed.events.find((e) => e.type === 'node-resumed')).toMatchObject({ id: 'train:toy:1', from: 'epoch 1 of 3' });
    expect(idsOf(resumed.events, 'node-cached')).toContain('train:toy:0');
    expect(readJson(join(dir, 'b', 'metrics.json'))).toEqual(readJson(join(dir, 'reference', 'metrics.json')));
    expect(existsSync(cache.workDir(trainKey))).toBe(false);
  });

  it('a killed run leaves staging folders that the next run sweeps', async () => {
    const dir = scratch();
    const cache = new NodeCache(join(dir, 'cache'));
    const staging = await cache.stage('abc');
    await run(toyPlan(CONFIG), toyHandlers(), join(dir, 'cache'), join(dir, 'a'));
    expect(existsSync(staging)).toBe(false);
    expect(await cache.has('abc')).toBe(false);
  });
});
