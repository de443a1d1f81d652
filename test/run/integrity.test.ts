/**
 * The cache cannot lie: every kind of damage (an edit, a flipped bit, a truncation) to each kind
 * of cached file (a node's output.json, trained weights, a preprocessed shard, the split's
 * output, the scan memo) is detected on the next run, reported with its code, discarded and
 * recomputed, and the rerun's metrics equal those of a clean run. A copied cache works on its
 * own files. Real `cvr run`s of the tiny two-source fixture (6 images a class, 1 epoch, 32 px).
 */
import { describe, expect, it } from 'vitest';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { main } from '../../src/cli/main.ts';
import { memoText } from '../../src/data/digest-memo.ts';
import { useTinyProject } from './fixtures/tiny-project.ts';

let dir = '';
let reference: unknown;
const cvrRun = useTinyProject('integrity', 'metrics accuracy, f1  confusion', (made) => ({ dir, reference } = made));

/** The entry folder of the node whose marker names `id`. */
function entryOf(cache: string, id: string): string {
  const nodes = join(dir, cache, 'nodes');
  for (const key of readdirSync(nodes)) {
    const marker = JSON.parse(readFileSync(join(nodes, key, 'finished'), 'utf8')) as { id: string };
    if (marker.id === id) return join(nodes, key);
  }
  throw new Error(`no entry for ${id}`);
}

function shardsOf(cache: string): string[] {
  const prep = join(dir, cache, 'prep');
  return readdirSync(prep).flatMap((level) => readdirSync(join(prep, level)).map((f) => join(prep, level, f)));
}

type Damage = 'edit' | 'flip' | 'truncate';

/** Damages `file` in place: `edit` rewrites some bytes (valid JSON stays valid JSON), `flip` flips one bit, `truncate` cuts it. */
function damage(file: string, how: Damage): void {
  const bytes = readFileSync(file);
  if (how === 'truncate') {
    truncateSync(file, Math.floor(bytes.length / 2));
    return;
  }
  if (how === 'flip') {
    // A bit near the end: in pixel or weight data, or inside a JSON value.
    const at = bytes.length - 3;
    bytes[at] = (bytes[at] ?? 0) ^ 0x01;
    writeFileSync(file, bytes);
    return;
  }
  const text = bytes.toString('latin1');
  if (file.endsWith('.json')) {
    // Change a digit: the file stays valid JSON of the same size, only the numbers lie.
    const at = text.search(/[0-8](?=[^"]*$)/);
    const i = at >= 0 ? at : text.search(/[0-8]/);
    writeFileSync(file, Buffer.from(`${text.slice(0, i)}${String(Number(text[i]) + 1)}${text.slice(i + 1)}`, 'latin1'));
  } else {
    // Overwrite 8 bytes in the middle of the data with other values.
    const at = Math.floor(bytes.length * 0.75);
    for (let j = 0; j < 8; j++) bytes[at + j] = ((bytes[at + j] ?? 0) + 37) & 255;
    writeFileSync(file, bytes);
  }
}

const TARGETS: Readonly<Record<string, { file: (cache: string) => string; code: string }>> = {
  'metrics output.json': { file: (c) => join(entryOf(c, 'metrics:resnet50'), 'output.json'), code: 'CVR851' },
  'trained weights': { file: (c) => join(entryOf(c, 'train:resnet50:0'), 'weights.bin'), code: 'CVR851' },
  'a prepared shard': { file: (c) => shardsOf(c)[0] ?? '', code: 'CVR851' },
  'the split output': { file: (c) => join(entryOf(c, 'split'), 'output.json'), code: 'CVR851' },
  'the scan memo': { file: (c) => join(dir, c, 'file-hashes.json'), code: 'CVR852' },
};


describe('a corrupt cache entry is detected, discarded and recomputed, never used', () => {
  const cases = Object.keys(TARGETS).flatMap((target) => (['edit', 'flip', 'truncate'] as const).map((how) => [target, how] as const));
  it.each(cases)('%s, damaged by %s', { timeout: 120_000 }, async (target, how) => {
    const cache = `cache-${target.replaceAll(' ', '-')}-${how}`;
    cpSync(join(dir, 'clean'), join(dir, cache), { recursive: true });
    const first = await cvrRun(cache);
    expect(first.code, first.output).toBe(0);
    expect(first.output).not.toMatch(/CVR85[12]/);
    const { file, code } = TARGETS[target] as (typeof TARGETS)[string];
    const victim = file(cache);
    const before = readFileSync(victim);
    damage(victim, how);
    expect(readFileSync(victim).equals(before)).toBe(false);

    const rerun = await cvrRun(cache);
    expect(rerun.code, rerun.output).toBe(0);
    expect(rerun.output).toContain(`[${code}]`);
    expect(rerun.metrics).toEqual(reference);
    // The damaged file was replaced by a good one: a third run uses the cache without complaint.
    const third = await cvrRun(cache);
    expect(third.code, third.output).toBe(0);
    expect(third.output).not.toMatch(/CVR85[12]/);
    expect(third.output).not.toMatch(/^\S+ start +train/m);
    expect(third.metrics).toEqual(reference);
  });

  it('an entry with a file added after commit, or its marker damaged, is recomputed too', { timeout: 120_000 }, async () => {
    cpSync(join(dir, 'clean'), join(dir, 'cache-extra'), { recursive: true });
    writeFileSync(join(entryOf('cache-extra', 'train:resnet50:0'), 'extra.bin'), 'x');
    const marker = join(entryOf('cache-extra', 'audit'), 'finished');
    writeFileSync(marker, readFileSync(marker, 'utf8').replace('"sha256":"', '"sha256":"0'));
    const rerun = await cvrRun('cache-extra');
    expect(rerun.code, rerun.output).toBe(0);
    expect(rerun.output.match(/\[CVR851\]/g)?.length).toBe(2);
    expect(rerun.output).toMatch(/^\S+ start +train:resnet50:0/m);
    expect(rerun.output).toMatch(/^\S+ start +audit/m);
    expect(rerun.metrics).toEqual(reference);
  });
});

describe('a copied cache is relocatable', () => {
  it('reads only its own files: with the original gone, every node is reused from the copy', { timeout: 120_000 }, async () => {
    cpSync(join(dir, 'clean'), join(dir, 'original'), { recursive: true });
    const before = await cvrRun('original');
    expect(before.code, before.output).toBe(0);
    cpSync(join(dir, 'original'), join(dir, 'moved', 'copy'), { recursive: true });
    rmSync(join(dir, 'original'), { recursive: true, force: true });
    // No path inside the copy names the original folder.
    for (const key of readdirSync(join(dir, 'moved', 'copy', 'nodes'))) {
      for (const name of readdirSync(join(dir, 'moved', 'copy', 'nodes', key))) {
        const file = join(dir, 'moved', 'copy', 'nodes', key, name);
        if (statSync(file).isFile()) expect(readFileSync(file, 'latin1')).not.toContain(join(dir, 'original'));
      }
    }
    const moved = await cvrRun(join('moved', 'copy'));
    expect(moved.code, moved.output).toBe(0);
    expect(moved.output).not.toMatch(/^\S+ start +(scan|prep|train|predict)/m);
    expect(moved.output).not.toMatch(/CVR85/);
    expect(moved.metrics).toEqual(reference);
  });
});

describe('cvr cache info|verify|gc', () => {
  async function cacheCommand(...args: string[]): Promise<{ code: number; output: string }> {
    let output = '';
    const io = { stdout: (t: string) => (output += t), stderr: (t: string) => (output += t), isTty: false, cwd: dir, env: {} };
    return { code: await main(['cache', ...args], io), output };
  }

  it('verify passes an intact cache and finds a damaged file; --discard removes the entry; gc removes orphans', { timeout: 120_000 }, async () => {
    cpSync(join(dir, 'clean'), join(dir, 'cmd'), { recursive: true });
    const entries = readdirSync(join(dir, 'cmd', 'nodes')).length;
    const info = await cacheCommand('info', '--cache', 'cmd');
    expect(info.code, info.output).toBe(0);
    expect(info.output).toContain(`entries: ${entries} finished`);
    expect(info.output).toMatch(/train +1 /);

    const intact = await cacheCommand('verify', '--cache', 'cmd');
    expect(intact.code, intact.output).toBe(0);
    expect(intact.output).toContain(`${entries} entries checked`);

    damage(join(entryOf('cmd', 'train:resnet50:0'), 'weights.bin'), 'flip');
    const broken = await cacheCommand('verify', '--cache', 'cmd');
    expect(broken.code, broken.output).toBe(1);
    expect(broken.output).toContain('[CVR851]');
    expect(broken.output).toContain('weights.bin');
    const discarded = await cacheCommand('verify', '--cache', 'cmd', '--discard');
    expect(discarded.code, discarded.output).toBe(0);
    expect(readdirSync(join(dir, 'cmd', 'nodes'))).toHaveLength(entries - 1);
    expect((await cacheCommand('verify', '--cache', 'cmd')).code).toBe(0);

    // Orphans: a shard no entry references, an old-layout file, an unfinished entry, a memo line of a vanished file.
    const shardsBefore = shardsOf('cmd').length;
    writeFileSync(join(dir, 'cmd', 'prep', 'orphan.shard'), 'old layout');
    const level = readdirSync(join(dir, 'cmd', 'prep')).find((n) => /^[0-9a-f]{2}$/.test(n)) ?? '00';
    writeFileSync(join(dir, 'cmd', 'prep', level, `${'f'.repeat(64)}.shard`), 'unreferenced');
    mkdirSync(join(dir, 'cmd', 'nodes', 'unfinished'), { recursive: true });
    const memoFile = join(dir, 'cmd', 'file-hashes.json');
    const memo = JSON.parse((/"entries":([\s\S]*)\}$/.exec(readFileSync(memoFile, 'utf8')) ?? [])[1] ?? '{}') as Record<string, unknown>;
    const kept = Object.keys(memo).length;
    writeFileSync(memoFile, memoText(Object.assign({}, memo, { [join(dir, 'gone.png')]: { size: 1, mtimeMs: 1, hash: 'x' } }) as Parameters<typeof memoText>[0]));
    const gc = await cacheCommand('gc', '--cache', 'cmd');
    expect(gc.code, gc.output).toBe(0);
    expect(gc.output).toContain('[CVR870]');
    expect(existsSync(join(dir, 'cmd', 'prep', 'orphan.shard'))).toBe(false);
    expect(existsSync(join(dir, 'cmd', 'nodes', 'unfinished'))).toBe(false);
    expect(shardsOf('cmd')).toHaveLength(shardsBefore);
    expect(readFileSync(memoFile, 'utf8')).not.toContain('gone.png');
    expect(readFileSync(memoFile, 'utf8').match(/"hash"/g)?.length).toBe(kept);
    // What gc kept is what a run needs: the rerun reuses everything but the discarded node.
    const rerun = await cvrRun('cmd');
    expect(rerun.code, rerun.output).toBe(0);
    expect(rerun.output).not.toMatch(/^\S+ start +(scan|prep|split)/m);
    expect(rerun.metrics).toEqual(reference);
  });
});
