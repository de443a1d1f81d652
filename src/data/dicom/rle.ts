/**
 * DICOM RLE Lossless (PS3.5 Annex G): a 64-byte header of segment offsets, then one PackBits
 * segment per byte plane, most significant byte first, sample by sample.
 */
import type { DicomHeader } from './parse.ts';

export function decodeRle(frame: Uint8Array, h: DicomHeader): Uint8Array | Uint16Array {
  if (frame.length < 64) throw new Error('RLE header is shorter than 64 bytes');
  const view = new DataView(frame.buffer, frame.byteOffset, frame.byteLength);
  const segments = view.getUint32(0, true);
  const bytesPer = h.bitsAllocated / 8;
  if (segments !== bytesPer * h.samplesPerPixel) throw new Error(`RLE header declares ${segments} segments, expected ${bytesPer * h.samplesPerPixel}`);
  const pixels = h.rows * h.columns;
  const planes: Uint8Array[] = [];
  for (let s = 0; s < segments; s++) {
    const start = view.getUint32(4 + 4 * s, true);
    const end = s + 1 < segments ? view.getUint32(8 + 4 * s, true) : frame.length;
    if (start < 64 || end > frame.length || end < start) throw new Error(`RLE segment ${s + 1} lies outside the frame`);
    // A repeat run of 2 bytes makes at most 128: a short segment cannot fill a large image (no huge allocation for a tiny file).
    if ((end - start) * 64 < pixels) throw new Error(`RLE segment ${s + 1} has ${end - start} bytes, too few for ${pixels} pixels`);
    planes.push(unpackBits(frame.subarray(start, end), pixels, s + 1));
  }
  const out = bytesPer === 1 ? new Uint8Array(pixels * h.samplesPerPixel) : new Uint16Array(pixels * h.samplesPerPixel);
  for (let sample = 0; sample < h.samplesPerPixel; sample++) {
    for (let i = 0; i < pixels; i++) {
      let v = 0;
      for (let b = 0; b < bytesPer; b++) v = (v << 8) | (planes[sample * bytesPer + b]![i] as number);
      out[i * h.samplesPerPixel + sample] = v;
    }
  }
  return out;
}

function unpackBits(src: Uint8Array, size: number, segment: number): Uint8Array {
  const out = new Uint8Array(size);
  let i = 0;
  let o = 0;
  while (o < size && i < src.length) {
    const n = src[i++] as number;
    if (n < 128) {
      const count = n + 1;
      if (i + count > src.length || o + count > size) throw new Error(`RLE segment ${segment}: a literal run overruns the data`);
      out.set(src.subarray(i, i + count), o);
      i += count;
      o += count;
    } else if (n > 128) {
      const count = 257 - n;
      if (i >= src.length || o + count > size) throw new Error(`RLE segment ${segment}: a repeat run overruns the data`);
      out.fill(src[i++] as number, o, o + count);
      o += count;
    }
  }
  if (o < size) throw new Error(`RLE segment ${segment} decodes to ${o} bytes, expected ${size}`);
  return out;
}
