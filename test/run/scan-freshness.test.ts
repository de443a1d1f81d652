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
import { idsOf, runDataStages } from './helpers.ts';
import { useTinyData, writeTinyPipeline } from './fixtures/tiny-data.ts';

let dir = '';
useTinyData('scan-fresh', 6, (made) => (dir = made));

/** One `cvr run` up to the audit, on the same cache each time. */
async function dataStages(file: string): Promise<{ ran: string[]; cached: string[]; images: number; keys: Map<string, string> }> {
  const { result, events, plan } = await runDataStages(file, dir);
  const split = (await result.output('split')) as { images: unknown[] };
  const keys = new Map(plan.nodes.map((n) => [n.id, n.key]));
  return { ran: idsOf(events, 'node-done').sort(), cached: idsOf(events, 'node-cached').sort(), images: split.images.length, keys };
}

describe('cvr run rescans changed data', () => {
  it('reruns scan, split and audit after an image is deleted, added or rewritten; reuses all on unchanged data', { timeout: 120_000 }, async () => {
    const file = writeTinyPipeline(dir, 'metrics accuracy');
    const all = ['audit', 'labels', 'prep:a', 'prep:b', 'scan:a', 'scan:b', 'split'];
    const first = await dataStages(file);
    expect(first.ran).toEqual(all);
    expect(first.images).toBe(12);

    const again = await dataStages(file);
    expect(again.ran).toEqual([]);
    expect(again.cached).toEqual(all);

    rmSync(join(dir, 'data', 'a', 'normal', 'img0.png'));
    const deleted = await dataStages(file);
    expect(deleted.ran).toEqual(['audit', 'labels', 'prep:a', 'scan:a', 'split']);
    expect(deleted.cached).toEqual(['prep:b', 'scan:b']);
    expect(deleted.images).toBe(11);
    // Not executed here, but keyed anew: preprocessing of the changed source, training, prediction.
    const rekeyed = [...deleted.keys].filter(([id, key]) => again.keys.get(id) !== key).map(([id]) => id);
    expect(rekeyed).toEqual(expect.arrayContaining(['prep:a', 'train:resnet50:0', 'predict:resnet50:0', 'metrics:resnet50']));
    expect(rekeyed).not.toContain('prep:b');

    copyFileSync(join(dir, 'data', 'b', 'covid', 'img1.png'), join(dir, 'data', 'b', 'covid', 'extra.png'));
    const added = await dataStages(file);
    expect(added.ran).toEqual(['audit', 'labels', 'prep:b', 'scan:b', 'split']);
    expect(added.images).toBe(12);

    // Same name, other pixels: the cached preprocessing and training must not be reused.
    const pixels = Buffer.alloc(32 * 32, 99);
    writeFileSync(join(dir, 'data', 'b', 'covid', 'extra.png'), await sharp(pixels, { raw: { width: 32, height: 32, channels: 1 } }).png().toBuffer());
    const rewritten = await dataStages(file);
    expect(rewritten.ran).toContain('scan:b');
    expect(rewritten.cached).toContain('scan:a');

    const unchanged = await dataStages(file);
    expect(unchanged.ran).toEqual([]);
    expect(unchanged.keys).toEqual(rewritten.keys);

    // A new mtime with the same bytes (a copy, a checkout) is read again but reuses everything.
    utimesSync(join(dir, 'data', 'a', 'normal', 'img1.png'), new Date(), new Date(Date.now() + 5_000));
    const touched = await dataStages(file);
    expect(touched.ran).toEqual([]);
  });
});
