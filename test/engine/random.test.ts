import { describe, expect, it } from 'vitest';
import { derivedSeed, permutation, randomStream, shuffled } from '../../src/engine/index.ts';

const draw = (seed: number, key: string, purpose: string, n = 5): number[] => {
  const s = randomStream(seed, key, purpose);
  return Array.from({ length: n }, () => s.next());
};

describe('random streams', () => {
  it('repeat exactly for the same (seed, node key, purpose)', () => {
    expect(draw(42, 'train:cvrnet:0', 'shuffle')).toEqual(draw(42, 'train:cvrnet:0', 'shuffle'));
  });

  it.each([
    ['seed', [43, 'train:cvrnet:0', 'shuffle']],
    ['node key', [42, 'train:cvrnet:1', 'shuffle']],
    ['purpose', [42, 'train:cvrnet:0', 'augment']],
  ] as const)('differ when the %s differs', (_what, [seed, key, purpose]) => {
    expect(draw(seed, key, purpose)).not.toEqual(draw(42, 'train:cvrnet:0', 'shuffle'));
  });

  it('gives tfjs op seeds that are never 0 (tfjs would treat 0 as unseeded)', () => {
    const s = randomStream(0, '', '');
    for (let i = 0; i < 10_000; i++) {
      const v = s.opSeed();
      expect(Number.isInteger(v) && v >= 1 && v < 2 ** 31).toBe(true);
    }
    expect(derivedSeed(1, 'k', 'init:a/kernel')).toBe(derivedSeed(1, 'k', 'init:a/kernel'));
    expect(derivedSeed(1, 'k', 'init:a/kernel')).not.toBe(derivedSeed(1, 'k', 'init:b/kernel'));
  });

  it('shuffles to a seeded permutation without touching the input', () => {
    const items = Array.from({ length: 50 }, (_, i) => i);
    const a = shuffled(items, randomStream(1, 'split', 'shuffle'));
    expect(items).toEqual(Array.from({ length: 50 }, (_, i) => i));
    expect([...a].sort((x, y) => x - y)).toEqual(items);
    expect(a).not.toEqual(items);
    expect(a).toEqual(shuffled(items, randomStream(1, 'split', 'shuffle')));
    expect(permutation(50, randomStream(2, 'split', 'shuffle'))).not.toEqual(a);
  });
});
