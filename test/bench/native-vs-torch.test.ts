// The benchmark's shape: interleaved rounds printed one by one, a summary with the median and the
// load average, CVR-Net's images/s; and without PyTorch, a line saying so instead of a crash.
import { spawnSync } from 'node:child_process';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { main } from '../../bench/native-vs-torch.ts';
import { probeNative } from '../../src/engine/native/index.ts';

afterEach(() => vi.restoreAllMocks());
const native = await probeNative();

describe.skipIf(!native.available)('bench native-vs-torch', () => {
  it('prints every round and a per-model summary; a missing PyTorch is reported, not fatal', { timeout: 120_000 }, async () => {
    const out: string[] = [];
    vi.spyOn(console, 'log').mockImplementation((line: string) => { out.push(line); });
    const code = await main(['--nets', 'cvrnet', '--size', '32', '--batch', '2', '--rounds', '3', '--steps', '1', '--big', '0', '--width', '0.0625', '--threads', '1', '--python', '/nonexistent/python3']);
    vi.restoreAllMocks();
    expect(code).toBe(0);
    const docs = out.map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(docs.find((d) => d['side'] === 'torch')?.['error']).toBeDefined();
    const rounds = docs.filter((d) => d['round'] !== undefined);
    expect(rounds.map((d) => d['round'])).toEqual([1, 2, 3]);
    // At one thread each round also gives images per CPU second.
    for (const d of rounds) expect(d['cvrPerCpuS']).toBeGreaterThan(0);
    const last = docs.at(-1) as { summary: Record<string, { cvrImagesPerSec: number }>; loadavgBefore: number[] };
    const perRound = rounds.map((d) => d['cvr'] as number).sort((x, y) => x - y);
    expect(last.summary['cvrnet']?.cvrImagesPerSec).toBe(perRound[1]);
    expect(last.loadavgBefore).toHaveLength(3);
  });

  it('native-cpu-profile: CPU time per addon function, inside and outside the addon', { timeout: 120_000 }, async () => {
    // Its own process: the native backend registers once per process, and it must register the
    // counting wrapper of the addon.
    const r = spawnSync(process.execPath, ['bin/bench.mjs', 'native-cpu-profile', '--model', 'cvrnet', '--size', '32', '--batch', '2', '--steps', '1', '--width', '0.0625', '--js-top', '3'], { encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    const docs = r.stdout.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Record<string, number | string>);
    const calls = new Map(docs.filter((d) => d['addon'] !== undefined).map((d) => [d['addon'], d['calls'] as number]));
    // CVR-Net's convolutions: forward, backward data and backward weights once each per layer.
    expect(calls.get('conv:0')).toBeGreaterThan(0);
    expect(calls.get('conv:2')).toBe(calls.get('conv:0'));
    // --js-top 3: the three JavaScript functions with the most self time in the timed steps.
    expect(docs.filter((d) => d['js'] !== undefined)).toHaveLength(3);
    const last = docs.at(-1)!;
    expect(last['stepCpuMs'] as number).toBeGreaterThanOrEqual(last['addonCpuMs'] as number);
  });
});
