import { afterEach, describe, expect, it, vi } from 'vitest';
import { main } from '../../bench/train.ts';
import { realProbeHost, type ProbeHost } from '../../src/engine/index.ts';

/** This machine, except that npm dropped @tensorflow/tfjs-node (the usual offline outcome). */
const withoutTfjsNode: ProbeHost = { ...realProbeHost(), packageDir: (pkg) => (pkg === '@tensorflow/tfjs-node' ? undefined : realProbeHost().packageDir(pkg)) };

const capture = (): { out: string[]; err: string[] } => {
  const out: string[] = [];
  const err: string[] = [];
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => (out.push(String(chunk)), true));
  vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => (err.push(String(chunk)), true));
  return { out, err };
};
afterEach(() => vi.restoreAllMocks());

describe('bench train', () => {
  it('prints one JSON line with engine, model, size, batch and images_per_s', async () => {
    const io = capture();
    const code = await main(['--model', 'resnet50', '--size', '32', '--batch', '2', '--steps', '1', '--width', '0.125', '--engine', 'cpu']);
    vi.restoreAllMocks();
    expect(code).toBe(0);
    const lines = io.out.join('').trim().split('\n');
    expect(lines).toHaveLength(1);
    const doc = JSON.parse(lines[0] as string) as Record<string, unknown>;
    expect(doc).toMatchObject({ engine: 'cpu', model: 'resnet50', size: 32, batch: 2, steps: 1, width: 0.125 });
    expect(doc['images_per_s']).toBeGreaterThan(0);
    expect((doc['versions'] as Record<string, string>)['tfjs-core']).toMatch(/^\d+\.\d+\.\d+$/);
  });

  it('exits 2 on missing arguments and 1 with CVR701 for an unavailable engine', async () => {
    const io = capture();
    expect(await main(['--model', 'resnet50'])).toBe(2);
    // On every machine: the engine is made missing, not looked for.
    const forced = await main(['--model', 'resnet50', '--size', '32', '--batch', '1', '--steps', '1', '--engine', 'tfjs-node'], withoutTfjsNode);
    vi.restoreAllMocks();
    expect(forced).toBe(1);
    expect(io.err.join('')).toMatch(/error\[CVR701\] engine "tfjs-node" is not available: /);
    expect(io.out).toEqual([]);
  });
});
