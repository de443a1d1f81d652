/**
 * One file format for weights and checkpoints: 8-byte magic, uint32 LE header length, a JSON
 * header (caller's metadata and the tensor table), then float32 data. Written atomically, so a
 * checkpoint on disk is always a complete one.
 */
import { readFile } from 'node:fs/promises';
import { writeChunksAtomic } from '../data/index.ts';

const MAGIC = Buffer.from('CVRTENS1', 'latin1');

export interface NamedArray {
  readonly name: string;
  readonly shape: readonly number[];
  readonly data: Float32Array;
}

export async function writeTensorFile(file: string, meta: unknown, arrays: readonly NamedArray[]): Promise<void> {
  let offset = 0;
  const table = arrays.map((a) => {
    const entry = { name: a.name, shape: a.shape, offset, length: a.data.length };
    offset += a.data.length;
    return entry;
  });
  const header = Buffer.from(JSON.stringify({ meta, tensors: table }), 'utf8');
  // Pad so the float data starts at a multiple of 4 and can be viewed without copying.
  const pad = Buffer.alloc((4 - ((12 + header.length) % 4)) % 4, 0x20);
  const lenPadded = Buffer.alloc(4);
  lenPadded.writeUInt32LE(header.length + pad.length);
  const data = arrays.map((a) => new Uint8Array(a.data.buffer, a.data.byteOffset, a.data.byteLength));
  await writeChunksAtomic(file, [MAGIC, lenPadded, header, pad, ...data]);
}

export type TensorFile<M> = { readonly meta: M; readonly arrays: readonly NamedArray[] };

/** Undefined when the file is missing or is not a complete tensor file. */
export async function readTensorFile<M>(file: string): Promise<TensorFile<M> | undefined> {
  let buf: Buffer;
  try {
    buf = await readFile(file);
  } catch {
    return undefined;
  }
  if (buf.length < 12 || !buf.subarray(0, 8).equals(MAGIC)) return undefined;
  const len = buf.readUInt32LE(8);
  try {
    const header = JSON.parse(buf.subarray(12, 12 + len).toString('utf8')) as {
      meta: M;
      tensors: { name: string; shape: number[]; offset: number; length: number }[];
    };
    const base = 12 + len;
    const arrays = header.tensors.map((t) => {
      const start = base + t.offset * 4;
      if (start + t.length * 4 > buf.length) throw new Error('truncated');
      // Copy: the views must not keep the whole file buffer alive or alias each other.
      const data = new Float32Array(t.length);
      Buffer.from(data.buffer).set(buf.subarray(start, start + t.length * 4));
      return { name: t.name, shape: t.shape, data };
    });
    return { meta: header.meta, arrays };
  } catch {
    return undefined;
  }
}
