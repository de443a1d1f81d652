/**
 * The scan must see the data as it is now: deleting, adding or rewriting an image reruns the
 * scan and everything after it on the next `cvr run`, while unchanged data reuses every node.
 * Runs the real data stages (scan, labels, split, audit) of `cvr run`'s wiring on a tiny image
 * set; training is left out to keep the test fast.
 */
import { describe, expect, it } from 'vitest';
import { copyFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { hasErrors } from '../../src/diag/diagnostic.ts';
import { loadPipelines } from '../../src/dsl/index.ts';
import { NodeCache } from '../../src/run/cache.ts';
import { executePlan } from '../../src/run/executor.ts';
import type { RunEvent } from '../../src/run/events.ts';
import { realRunDeps } from '../../src/run/wiring.ts';
import { idsOf } from './helpers.ts';
import { useTinyData, writeTinyPipeline } from './fixtures/tiny-data.ts';

let dir = '';
useTinyData('scan-fresh', 6, (made) => (dir = made));

// The audit reads the prepared images' near-duplicate signatures, so preparation runs too.
const DATA_NODES = new Set(['scan', 'labels', 'split', 'prep', 'audit']);

/** One `cvr run` up to the audit, on the same cache each time. */
async function runDataStages(file: string): Promise<{ ran: string[]; cached: string[]; images: number; keys: Map<string, string> }> {
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
  const split = (await result.output('split')) as { images: unknown[] };
  const keys = new Map(prepared.plan.nodes.map((n) => [n.id, n.key]));
  return { ran: idsOf(events, 'node-done').sort(), cached: idsOf(events, 'node-cached').sort(), images: split.images.length, keys };
}

describe('cvr run rescans changed data', () => {
  it('reruns scan, split and audit after an image is deleted, added or rewritten; reuses all on unchanged data', { timeout: 120_000 }, async () => {
    const file = writeTinyPipeline(dir, 'metrics accuracy');
    const all = ['audit', 'labels', 'prep:a', 'prep:b', 'scan:a', 'scan:b', 'split'];
    const first = await runDataStages(file);
    expect(first.ran).toEqual(all);
    expect(first.images).toBe(12);

    const again = await runDataStages(file);
    expect(again.ran).toEqual([]);
    expect(again.cached).toEqual(all);

    rmSync(join(dir, 'data', 'a', 'normal', 'img0.png'));
    const deleted = await runDataStages(file);
    expect(deleted.ran).toEqual(['audit', 'labels', 'prep:a', 'scan:a', 'split']);
    expect(deleted.cached).toEqual(['prep:b', 'scan:b']);
    expect(deleted.images).toBe(11);
    // Not executed here, but keyed anew: preprocessing of the changed source, training, prediction.
    const rekeyed = [...deleted.keys].filter(([id, key]) => again.keys.get(id) !== key).map(([id]) => id);
    expect(rekeyed).toEqual(expect.arrayContaining(['prep:a', 'train:resnet50:0', 'predict:resnet50:0', 'metrics:resnet50']));
    expect(rekeyed).not.toContain('prep:b');

    copyFileSync(join(dir, 'data', 'b', 'covid', 'img1.png'), join(dir, 'data', 'b', 'covid', 'extra.png'));
    const added = await runDataStages(file);
    expect(added.ran).toEqual(['audit', 'labels', 'prep:b', 'scan:b', 'split']);
    expect(added.images).toBe(12);

    // Same name, other pixels: the cached preprocessing and training must not be reused.
    const pixels = Buffer.alloc(32 * 32, 99);
    writeFileSync(join(dir, 'data', 'b', 'covid', 'extra.png'), await sharp(pixels, { raw: { width: 32, height: 32, channels: 1 } }).png().toBuffer());
    const rewritten = await runDataStages(file);
    expect(rewritten.ran).toContain('scan:b');
    expect(rewritten.cached).toContain('scan:a');

    const unchanged = await runDataStages(file);
    expect(unchanged.ran).toEqual([]);
    expect(unchanged.keys).toEqual(rewritten.keys);

    // A new mtime with the same bytes (a copy, a checkout) is read again but reuses everything.
    utimesSync(join(dir, 'data', 'a', 'normal', 'img1.png'), new Date(), new Date(Date.now() + 5_000));
    const touched = await runDataStages(file);
    expect(touched.ran).toEqual([]);
  });
});
