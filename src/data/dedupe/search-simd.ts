/**
 * Squared distances for the candidate index (search-index.ts) in WebAssembly SIMD: a plain
 * JavaScript loop over 63 float32 values costs ≈ 200 ns on the 2-core machine, four lanes at a
 * time in wasm a fraction of it. The module is a few hundred bytes assembled here (no toolchain,
 * no dependency): `full(a, b)` sums 16 × 4 lanes of rows that start at byte offsets a and b,
 * `lead(a, b)` 4 × 4 lanes. Lanes are float32 and four partial sums are added in a fixed order,
 * so the result is the same on every run and machine (IEEE float32, no fused multiply-add).
 */

/** Unsigned LEB128. */
function leb(v: number): number[] {
  const out: number[] = [];
  do {
    let byte = v & 0x7f;
    v >>>= 7;
    if (v !== 0) byte |= 0x80;
    out.push(byte);
  } while (v !== 0);
  return out;
}

const SIMD = 0xfd;
const LOAD = [SIMD, 0x00, 0x04]; // v128.load, align 2^4; offset follows
const SUB = [SIMD, 0xe5, 0x01]; // f32x4.sub
const MUL = [SIMD, 0xe6, 0x01]; // f32x4.mul
const ADD = [SIMD, 0xe4, 0x01]; // f32x4.add
const lane = (k: number): number[] => [SIMD, 0x1f, k]; // f32x4.extract_lane k
const get = (l: number): number[] => [0x20, l];
const set = (l: number): number[] => [0x21, l];
const tee = (l: number): number[] => [0x22, l];

/** Body of a function (a: i32, b: i32) → f32 summing `chunks` × 4 squared float32 differences. */
function body(chunks: number): number[] {
  // locals 2–5: four accumulators (independent chains), 6: the difference
  const code: number[] = [0x01, 0x05, 0x7b];
  for (let c = 0; c < chunks; c++) {
    const acc = 2 + (c % 4);
    code.push(...get(0), ...LOAD, ...leb(16 * c), ...get(1), ...LOAD, ...leb(16 * c), ...SUB, ...tee(6), ...get(6), ...MUL, ...get(acc), ...ADD, ...set(acc));
  }
  code.push(...get(2), ...get(3), ...ADD, ...get(4), ...get(5), ...ADD, ...ADD, ...tee(6));
  code.push(...lane(0), ...get(6), ...lane(1), 0x92, ...get(6), ...lane(2), ...get(6), ...lane(3), 0x92, 0x92, 0x0b);
  return [...leb(code.length), ...code];
}

function section(id: number, bytes: number[]): number[] {
  return [id, ...leb(bytes.length), ...bytes];
}

const name = (s: string): number[] => [s.length, ...Array.from(s, (ch) => ch.charCodeAt(0))];

/** The module's bytes: imports memory m.mem, exports full (16 chunks) and lead (`leadChunks`). */
export function moduleBytes(leadChunks: number): Uint8Array {
  return Uint8Array.from([
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    ...section(1, [0x01, 0x60, 0x02, 0x7f, 0x7f, 0x01, 0x7d]),
    ...section(2, [0x01, ...name('m'), ...name('mem'), 0x02, 0x00, 0x01]),
    ...section(3, [0x02, 0x00, 0x00]),
    ...section(7, [0x02, ...name('full'), 0x00, 0x00, ...name('lead'), 0x00, 0x01]),
    ...section(10, [0x02, ...body(16), ...body(leadChunks)]),
  ]);
}

export interface Distances {
  /** Float32 view of the memory: rows of 64 (63 coefficients and a 0) from 0, then rows of the lead coordinates. */
  readonly floats: Float32Array;
  /** Squared distance of two 64-float rows at these byte offsets. */
  readonly full: (a: number, b: number) => number;
  /** The same over the lead rows. */
  readonly lead: (a: number, b: number) => number;
}

/**
 * The same sums in plain JavaScript, rounded to float32 after every operation in the module's
 * order, so they are bit for bit the module's (a test checks): the fallback where a runtime lacks
 * wasm SIMD, and the module's reference.
 */
export function referenceDistance(floats: Float32Array, a: number, b: number, chunks: number): number {
  const f = Math.fround;
  const acc = new Float64Array(16);
  const p = a >>> 2;
  const q = b >>> 2;
  for (let c = 0; c < chunks; c++) {
    for (let l = 0; l < 4; l++) {
      const d = f(floats[p + 4 * c + l]! - floats[q + 4 * c + l]!);
      const slot = (c % 4) * 4 + l;
      acc[slot] = f(acc[slot]! + f(d * d));
    }
  }
  const lanes = [0, 1, 2, 3].map((l) => f(f(acc[l]! + acc[4 + l]!) + f(acc[8 + l]! + acc[12 + l]!)));
  return f(f(lanes[0]! + lanes[1]!) + f(lanes[2]! + lanes[3]!));
}

/** The parts of the WebAssembly API used here (the project's lib has no DOM types). */
interface Wasm {
  validate(bytes: Uint8Array): boolean;
  Memory: new (d: { initial: number }) => { buffer: ArrayBuffer };
  Module: new (bytes: Uint8Array) => object;
  Instance: new (m: object, imports: object) => { exports: Record<string, unknown> };
}

/** A memory of `bytes` and the two functions over it: wasm SIMD, or the reference where it is missing. */
export function simdDistances(bytes: number, leadChunks: number, useSimd = true): Distances {
  const bin = moduleBytes(leadChunks);
  const wasm = (globalThis as { WebAssembly?: Wasm }).WebAssembly;
  if (!useSimd || wasm === undefined || !wasm.validate(bin)) {
    const floats = new Float32Array(Math.ceil(bytes / 4));
    return { floats, full: (a, b) => referenceDistance(floats, a, b, 16), lead: (a, b) => referenceDistance(floats, a, b, leadChunks) };
  }
  const mem = new wasm.Memory({ initial: Math.ceil(bytes / 65536) + 1 });
  const instance = new wasm.Instance(new wasm.Module(bin), { m: { mem } });
  const exports = instance.exports as { full: (a: number, b: number) => number; lead: (a: number, b: number) => number };
  return { floats: new Float32Array(mem.buffer), full: exports.full, lead: exports.lead };
}
