import seedrandom from 'seedrandom';

/**
 * Every random draw in cvr comes from a stream derived from (pipeline seed, node key, purpose),
 * so the same pipeline draws the same numbers whatever else runs, in whatever order. The purpose
 * names what the draws are for: `init:conv1_conv/kernel`, `dropout:top_dropout`, `shuffle`,
 * `augment`, … Two different purposes never share a stream.
 */
export interface RandomStream {
  /** A float in [0, 1). */
  next(): number;
  /** An integer in [0, n). */
  below(n: number): number;
  /**
   * A seed for a tfjs op that takes one (initializers, `tf.dropout`, `tf.randomUniform`): an
   * integer in [1, 2^31 − 1]. Never 0, because tfjs treats a falsy seed as "unseeded" and falls
   * back to Math.random.
   */
  opSeed(): number;
}

/** The text that names a stream; exposed so that tests and lock files can show it. */
export function streamName(seed: number, nodeKey: string, purpose: string): string {
  return `cvr|${seed}|${nodeKey}|${purpose}`;
}

export function randomStream(seed: number, nodeKey: string, purpose: string): RandomStream {
  return fromPrng(seedrandom.alea(streamName(seed, nodeKey, purpose)));
}

/** A saved position of a stream (alea's state), as a training checkpoint stores it. */
export type RandomState = seedrandom.State.Alea;

/** A stream that can say where it is, for draws a training checkpoint must resume. */
export interface SaveableRandomStream extends RandomStream {
  /** The position; `restoreRandomStream(state)` continues from exactly here. */
  state(): RandomState;
}

/** The same numbers as `randomStream(seed, nodeKey, purpose)`, plus a saveable position. */
export function saveableRandomStream(seed: number, nodeKey: string, purpose: string): SaveableRandomStream {
  const prng = seedrandom.alea(streamName(seed, nodeKey, purpose), { state: true });
  return { ...fromPrng(prng), state: () => prng.state() };
}

export function restoreRandomStream(state: RandomState): SaveableRandomStream {
  // seedrandom copies the state, so the saved object stays usable for a second restore.
  const prng = seedrandom.alea('', { state });
  return { ...fromPrng(prng), state: () => prng.state() };
}

/** Creates (or, given a saved position, restores) the stream for one purpose of one node. */
export type RandomStreamFactory = (purpose: string, saved?: RandomState) => SaveableRandomStream;

/** The streams of one node: `saveableRandomStream(seed, nodeKey, purpose)`, or a restored one. */
export function streamFactory(seed: number, nodeKey: string): RandomStreamFactory {
  return (purpose, saved) => (saved === undefined ? saveableRandomStream(seed, nodeKey, purpose) : restoreRandomStream(saved));
}

function fromPrng(prng: () => number): RandomStream {
  const next = (): number => prng();
  return {
    next,
    below: (n) => Math.floor(next() * n),
    opSeed: () => 1 + Math.floor(next() * 0x7ffffffe),
  };
}

/** One op seed for (seed, node key, purpose): what a weight initializer is given. */
export function derivedSeed(seed: number, nodeKey: string, purpose: string): number {
  return randomStream(seed, nodeKey, purpose).opSeed();
}

/** A Fisher–Yates shuffle of a copy; the input is left as it was. */
export function shuffled<T>(items: readonly T[], stream: RandomStream): T[] {
  const out = items.slice();
  for (let i = out.length - 1; i > 0; i--) {
    const j = stream.below(i + 1);
    const a = out[i] as T;
    out[i] = out[j] as T;
    out[j] = a;
  }
  return out;
}

/** A random permutation of 0 … n−1. */
export function permutation(n: number, stream: RandomStream): number[] {
  return shuffled(
    Array.from({ length: n }, (_, i) => i),
    stream,
  );
}
