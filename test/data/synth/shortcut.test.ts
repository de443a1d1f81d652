import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import { synthesize } from '../../../src/data/synth/index.ts';
import { tempDir } from './helpers.ts';

// The shortcut preset must reproduce the paper's mechanism: a model trained on one source per
// class learns the source, while the disease is still learnable from a mixed source. A linear
// classifier on 32×32 pixels (plain logistic regression, deterministic) is enough to show both.
const S = 32;
type Sample = { x: Float64Array; y: number };

async function load(root: string, source: string): Promise<Sample[]> {
  const out: Sample[] = [];
  for (const label of ['NOR', 'CVP']) {
    const dir = join(root, source, label);
    const files = await readdir(dir).catch(() => [] as string[]);
    for (const f of files.sort()) {
      const buf = await sharp(join(dir, f)).extractChannel(0).resize(S, S).raw().toBuffer();
      out.push({ x: Float64Array.from(buf, (v) => v / 255), y: label === 'CVP' ? 1 : 0 });
    }
  }
  return out;
}

function fit(data: readonly Sample[], epochs = 150, lr = 0.05, l2 = 1e-3): (x: Float64Array) => number {
  const d = S * S;
  const mean = new Float64Array(d);
  for (const s of data) for (let i = 0; i < d; i++) mean[i]! += s.x[i]! / data.length;
  const w = new Float64Array(d);
  let b = 0;
  const score = (x: Float64Array): number => {
    let z = b;
    for (let i = 0; i < d; i++) z += w[i]! * (x[i]! - mean[i]!);
    return z;
  };
  for (let e = 0; e < epochs; e++) {
    const gw = new Float64Array(d);
    let gb = 0;
    for (const s of data) {
      const g = 1 / (1 + Math.exp(-score(s.x))) - s.y;
      for (let i = 0; i < d; i++) gw[i]! += g * (s.x[i]! - mean[i]!);
      gb += g;
    }
    for (let i = 0; i < d; i++) w[i]! -= lr * (gw[i]! / data.length + l2 * w[i]!);
    b -= (lr * gb) / data.length;
  }
  return (x) => (score(x) > 0 ? 1 : 0);
}

const accuracy = (f: (x: Float64Array) => number, data: readonly Sample[]): number => data.filter((s) => f(s.x) === s.y).length / data.length;
/** Every fifth sample held out: a fixed split, no randomness needed. */
const split = (data: readonly Sample[]): [Sample[], Sample[]] => [data.filter((_, i) => i % 5 !== 0), data.filter((_, i) => i % 5 === 0)];

let sources: Record<string, Sample[]> = {};
beforeAll(async () => {
  const out = await tempDir('shortcut-demo');
  const result = await synthesize({ preset: 'shortcut', out, seed: 1, scale: 0.5 });
  if (!result.ok) throw new Error(result.message);
  sources = Object.fromEntries(await Promise.all(['marked', 'clean', 'mixed', 'external-a', 'external-b'].map(async (s) => [s, await load(out, s)] as const)));
});

describe('the shortcut preset', () => {
  it('lets a single-source design score high on its own sources and at chance on independent ones', () => {
    const [train, held] = split([...sources['marked']!, ...sources['clean']!]);
    const f = fit(train);
    expect(accuracy(f, held)).toBeGreaterThan(0.85);
    expect(accuracy(f, sources['external-a']!)).toBeLessThan(0.65);
    expect(accuracy(f, sources['external-b']!)).toBeLessThan(0.65);
  });

  it('keeps the disease learnable: a model trained on the unmarked mixed source transfers', () => {
    const f = fit(sources['mixed']!);
    expect(accuracy(f, [...sources['external-a']!, ...sources['external-b']!])).toBeGreaterThan(0.65);
  });
});
