/**
 * Seeded random streams whose position can be saved and restored, so that a fit resumed from a
 * checkpoint draws exactly the numbers an uninterrupted fit would have drawn.
 *
 * The streams are engine/random.ts's (alea, named `cvr|seed|node key|purpose`, so they draw the
 * same numbers), plus a saveable state, which resuming needs and engine's streams do not expose.
 */
import seedrandom from 'seedrandom';

export type RandomState = seedrandom.State.Alea;

export interface RandomStream {
  /** A float in [0, 1). */
  next(): number;
  /** The stream's position; `restoreStream(state)` continues from exactly here. */
  state(): RandomState;
}

/** Creates (or, given a saved state, restores) the stream for one purpose of one node. */
export type RandomStreamFactory = (purpose: string, saved?: RandomState) => RandomStream;

function wrap(prng: seedrandom.StatefulPRNG<RandomState>): RandomStream {
  return { next: () => prng(), state: () => prng.state() };
}

export function createStream(seed: number, nodeKey: string, purpose: string): RandomStream {
  return wrap(seedrandom.alea(`cvr|${seed}|${nodeKey}|${purpose}`, { state: true }));
}

export function restoreStream(state: RandomState): RandomStream {
  // seedrandom copies the state, so the saved object stays usable for a second restore.
  return wrap(seedrandom.alea('', { state }));
}

export function streamFactory(seed: number, nodeKey: string): RandomStreamFactory {
  return (purpose, saved) => (saved === undefined ? createStream(seed, nodeKey, purpose) : restoreStream(saved));
}

/** Fisher–Yates with the given stream; returns a new array. */
export function shuffled<T>(items: readonly T[], random: RandomStream): T[] {
  const out = items.slice();
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random.next() * (i + 1));
    const a = out[i] as T;
    out[i] = out[j] as T;
    out[j] = a;
  }
  return out;
}

/** Uniform in [low, high). */
export function uniform(random: RandomStream, low: number, high: number): number {
  return low + (high - low) * random.next();
}
