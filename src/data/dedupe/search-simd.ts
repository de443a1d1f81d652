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

/**
 * Code leaving on the stack the float32 sum of `chunks` × 4 squared differences of the rows at
 * the byte offsets in locals a and b: four accumulators (independent chains, locals acc…acc+3,
 * zero on entry) and a scratch v128 local t.
 */
function sum(a: number, b: number, chunks: number, acc: number, t: number): number[] {
  const code: number[] = [];
  for (let c = 0; c < chunks; c++) {
    const slot = acc + (c % 4);
    code.push(...get(a), ...LOAD, ...leb(16 * c), ...get(b), ...LOAD, ...leb(16 * c), ...SUB, ...tee(t), ...get(t), ...MUL, ...get(slot), ...ADD, ...set(slot));
  }
  code.push(...get(acc), ...get(acc + 1), ...ADD, ...get(acc + 2), ...get(acc + 3), ...ADD, ...ADD, ...tee(t));
  code.push(...lane(0), ...get(t), ...lane(1), 0x92, ...get(t), ...lane(2), ...get(t), ...lane(3), 0x92, 0x92);
  return code;
}

/** (a: i32, b: i32) → f32: one sum. */
function plain(chunks: number): number[] {
  const code = [0x01, 0x05, 0x7b, ...sum(0, 1, chunks, 2, 6), 0x0b];
  return [...leb(code.length), ...code];
}

/** (la, lb, fa, fb: i32, bound: f64) → f32: the lead sum when it exceeds the bound, else the full sum. */
function bounded(leadChunks: number): number[] {
  // locals 5–8 and 9–12: the two sums' accumulators, 13: scratch, 14: the lead sum (f32)
  const code = [0x02, 0x09, 0x7b, 0x01, 0x7d, ...sum(0, 1, leadChunks, 5, 13), ...tee(14), 0xbb, ...get(4), 0x64];
  code.push(0x04, 0x7d, ...get(14), 0x05, ...sum(2, 3, 16, 9, 13), 0x0b, 0x0b);
  return [...leb(code.length), ...code];
}

function section(id: number, bytes: number[]): number[] {
  return [id, ...leb(bytes.length), ...bytes];
}

const name = (s: string): number[] => [s.length, ...Array.from(s, (ch) => ch.charCodeAt(0))];

/** The module's bytes: imports memory m.mem, exports full (16 chunks), lead (`leadChunks`) and bounded. */
export function moduleBytes(leadChunks: number): Uint8Array {
  return Uint8Array.from([
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    ...section(1, [0x02, 0x60, 0x02, 0x7f, 0x7f, 0x01, 0x7d, 0x60, 0x05, 0x7f, 0x7f, 0x7f, 0x7f, 0x7c, 0x01, 0x7d]),
    ...section(2, [0x01, ...name('m'), ...name('mem'), 0x02, 0x00, 0x01]),
    ...section(3, [0x03, 0x00, 0x00, 0x01]),
    ...section(7, [0x03, ...name('full'), 0x00, 0x00, ...name('lead'), 0x00, 0x01, ...name('bounded'), 0x00, 0x02]),
    ...section(10, [0x03, ...plain(16), ...plain(leadChunks), ...bounded(leadChunks)]),
  ]);
}

export interface Distances {
  /** Float32 view of the memory: rows of 64 (63 coefficients and a 0) from 0, then rows of the lead coordinates. */
  readonly floats: Float32Array;
  /** Squared distance of two 64-float rows at these byte offsets. */
  readonly full: (a: number, b: number) => number;
  /** The same over the lead rows. */
  readonly lead: (a: number, b: number) => number;
  /** `lead(la, lb)` when it exceeds `bound`, else `full(fa, fb)`: the lower bound and the distance in one call. */
  readonly bounded: (la: number, lb: number, fa: number, fb: number, bound: number) => number;
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
    const full = (a: number, b: number): number => referenceDistance(floats, a, b, 16);
    const lead = (a: number, b: number): number => referenceDistance(floats, a, b, leadChunks);
    return { floats, full, lead, bounded: (la, lb, fa, fb, bound) => (lead(la, lb) > bound ? lead(la, lb) : full(fa, fb)) };
  }
  const mem = new wasm.Memory({ initial: Math.ceil(bytes / 65536) + 1 });
  const instance = new wasm.Instance(new wasm.Module(bin), { m: { mem } });
  const exports = instance.exports as unknown as Omit<Distances, 'floats'>;
  return { floats: new Float32Array(mem.buffer), full: exports.full, lead: exports.lead, bounded: exports.bounded };
}
