import seedrandom from 'seedrandom';

/**
 * A seeded stream of numbers. Every draw in the generator comes from one of these, derived
 * from (seed, source, image index, purpose), so an image never depends on the order in which
 * other images were made, and adding a source does not change the images of another.
 */
export interface Rng {
  /** Uniform in [0, 1). */
  readonly next: () => number;
  /** Uniform in [lo, hi). */
  readonly uniform: (lo: number, hi: number) => number;
  /** Normal with the given mean and standard deviation. */
  readonly normal: (mean: number, sd: number) => number;
  /** Integer in [lo, hi] inclusive. */
  readonly int: (lo: number, hi: number) => number;
  /** true with probability p. */
  readonly chance: (p: number) => boolean;
  /** An unsigned 32-bit integer, for seeding the fast pixel-noise generator. */
  readonly uint32: () => number;
}

export function deriveRng(seed: number, source: string, index: number | string, purpose: string): Rng {
  // alea is several times faster than the default ARC4 and passes the usual tests.
  const prng = seedrandom.alea(`cvr-synth|${seed}|${source}|${index}|${purpose}`);
  const next = (): number => prng();
  return {
    next,
    uniform: (lo, hi) => lo + (hi - lo) * prng(),
    normal: (mean, sd) => {
      const u = 1 - prng();
      const v = prng();
      return mean + sd * Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
    },
    int: (lo, hi) => lo + Math.floor(prng() * (hi - lo + 1)),
    chance: (p) => prng() < p,
    uint32: () => prng.int32() >>> 0,
  };
}

/**
 * Fills `out` with approximately standard-normal noise. Per-pixel noise is a hot loop of the
 * generator, so it draws one xorshift32 word per pixel (seeded from a derived stream) and sums
 * its four bytes: an Irwin–Hall sum, close enough to Gaussian for sensor noise and textures.
 */
export function fillGaussianNoise(out: Float32Array, state: number): void {
  // quantiseWithNoise draws the same numbers inline: keep the two in step
  let s = state === 0 ? 0x9e3779b9 : state >>> 0;
  // four bytes: mean 4·127.5, variance 4·(256² − 1)/12
  const mean = 510;
  const inv = 1 / Math.sqrt((4 * (256 * 256 - 1)) / 12);
  for (let i = 0; i < out.length; i++) {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    const acc = (s & 255) + ((s >>> 8) & 255) + ((s >>> 16) & 255) + ((s >>> 24) & 255);
    out[i] = (acc - mean) * inv;
  }
}

/**
 * The last step of every image in one pass: adds `scale` × the noise that fillGaussianNoise(state) draws
 * and quantises [0,1] to 8 bits, clamping — the same bytes as adding the noise to the float
 * raster and then quantising it, without writing the noisy floats back.
 */
export function quantiseWithNoise(data: Float32Array, state: number, scale: number): Uint8Array {
  const out = new Uint8Array(data.length);
  let s = state === 0 ? 0x9e3779b9 : state >>> 0;
  const mean = 510;
  const inv = 1 / Math.sqrt((4 * (256 * 256 - 1)) / 12);
  for (let i = 0; i < data.length; i++) {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    const acc = (s & 255) + ((s >>> 8) & 255) + ((s >>> 16) & 255) + ((s >>> 24) & 255);
    const v = Math.fround(data[i]! + scale * Math.fround((acc - mean) * inv)) * 255 + 0.5;
    out[i] = v <= 0 ? 0 : v >= 255 ? 255 : v;
  }
  return out;
}
