/**
 * Encoders the tests use to make compressed DICOM frames, written from the standards and
 * independent of the decoders under test: JPEG lossless (ITU T.81 process 14, first-order
 * prediction, one component) and DICOM RLE (PS3.5 Annex G, PackBits per byte plane).
 */

class BitWriter {
  private readonly bytes: number[] = [];
  private acc = 0;
  private count = 0;

  write(value: number, bits: number): void {
    for (let i = bits - 1; i >= 0; i--) {
      this.acc = (this.acc << 1) | ((value >> i) & 1);
      this.count++;
      if (this.count === 8) this.flushByte();
    }
  }

  private flushByte(): void {
    this.bytes.push(this.acc);
    if (this.acc === 0xff) this.bytes.push(0x00); // byte stuffing
    this.acc = 0;
    this.count = 0;
  }

  finish(): number[] {
    while (this.count !== 0) this.write(1, 1); // pad with ones
    return this.bytes;
  }
}

/**
 * A lossless JPEG (SOF3) of one grey component, predictor 1 (left; above on the first column),
 * no point transform. Every category 0..16 gets a 5-bit Huffman code equal to its number.
 */
export function encodeJpegLossless(values: ArrayLike<number>, width: number, height: number, precision: number): Uint8Array {
  const out: number[] = [0xff, 0xd8];
  const u16 = (v: number): number[] => [(v >> 8) & 0xff, v & 0xff];
  out.push(0xff, 0xc3, ...u16(11), precision, ...u16(height), ...u16(width), 1, 1, 0x11, 0);
  const bits = new Array<number>(16).fill(0);
  bits[4] = 17; // 17 codes of length 5
  const huffval = Array.from({ length: 17 }, (_, i) => i);
  out.push(0xff, 0xc4, ...u16(2 + 1 + 16 + 17), 0x00, ...bits, ...huffval);
  out.push(0xff, 0xda, ...u16(8), 1, 1, 0x00, 1, 0, 0);
  const w = new BitWriter();
  const mask = 0xffff;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const v = values[y * width + x] as number;
      let pred: number;
      if (x === 0 && y === 0) pred = 1 << (precision - 1);
      else if (y === 0) pred = values[x - 1] as number;
      else if (x === 0) pred = values[(y - 1) * width] as number;
      else pred = values[y * width + x - 1] as number;
      let diff = (v - pred) & mask;
      if (diff >= 32768) diff -= 65536;
      if (diff === -32768) {
        w.write(16, 5);
        continue;
      }
      const mag = Math.abs(diff);
      const ssss = mag === 0 ? 0 : Math.floor(Math.log2(mag)) + 1;
      w.write(ssss, 5);
      if (ssss > 0) w.write(diff > 0 ? diff : diff + (1 << ssss) - 1, ssss);
    }
  }
  out.push(...w.finish(), 0xff, 0xd9);
  return Uint8Array.from(out);
}

function packBits(plane: Uint8Array): number[] {
  const out: number[] = [];
  let i = 0;
  while (i < plane.length) {
    let run = 1;
    while (i + run < plane.length && run < 128 && plane[i + run] === plane[i]) run++;
    if (run >= 3) {
      out.push(257 - run, plane[i] as number);
      i += run;
      continue;
    }
    let end = i;
    while (end < plane.length && end - i < 128 && !(end + 2 < plane.length && plane[end] === plane[end + 1] && plane[end] === plane[end + 2])) end++;
    out.push(end - i - 1, ...plane.subarray(i, end));
    i = end;
  }
  if (out.length % 2 === 1) out.push(128); // pad with a no-op
  return out;
}

/** A DICOM RLE frame of `samples` per pixel of `bytesPer` bytes (interleaved input values). */
export function encodeRle(values: ArrayLike<number>, pixels: number, samples: number, bytesPer: 1 | 2): Uint8Array {
  const segments: number[][] = [];
  for (let s = 0; s < samples; s++) {
    for (let b = 0; b < bytesPer; b++) {
      const shift = 8 * (bytesPer - 1 - b);
      const plane = Uint8Array.from({ length: pixels }, (_, i) => ((values[i * samples + s] as number) >> shift) & 0xff);
      segments.push(packBits(plane));
    }
  }
  const header = new Uint8Array(64);
  const view = new DataView(header.buffer);
  view.setUint32(0, segments.length, true);
  let offset = 64;
  segments.forEach((seg, i) => {
    view.setUint32(4 + 4 * i, offset, true);
    offset += seg.length;
  });
  return Uint8Array.from([...header, ...segments.flat()]);
}
