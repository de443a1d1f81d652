/**
 * One DICOM frame's stored pixel values, by transfer syntax: native (uncompressed) data read in
 * place, JPEG baseline/extended 8-bit with jpeg-js, JPEG lossless with jpeg-lossless-decoder-js,
 * JPEG 2000 with OpenJPEG (WebAssembly, @cornerstonejs/codec-openjpeg), RLE lossless in rle.ts.
 */
import { createRequire } from 'node:module';
import type { DicomHeader } from './parse.ts';
import { dicomParser } from './parse.ts';
import { decodeRle } from './rle.ts';
import type { DicomFailure, Samples } from './types.ts';

const require = createRequire(import.meta.url);

type Codec = 'native' | 'native-be' | 'jpeg' | 'jpeg-lossless' | 'j2k' | 'rle';

/** The transfer syntaxes cvr decodes, with their names. */
export const SUPPORTED_TRANSFER_SYNTAXES: Readonly<Record<string, { readonly name: string; readonly codec: Codec }>> = {
  '1.2.840.10008.1.2': { name: 'Implicit VR Little Endian', codec: 'native' },
  '1.2.840.10008.1.2.1': { name: 'Explicit VR Little Endian', codec: 'native' },
  '1.2.840.10008.1.2.1.99': { name: 'Deflated Explicit VR Little Endian', codec: 'native' },
  '1.2.840.10008.1.2.2': { name: 'Explicit VR Big Endian (retired)', codec: 'native-be' },
  '1.2.840.10008.1.2.4.50': { name: 'JPEG Baseline (Process 1)', codec: 'jpeg' },
  '1.2.840.10008.1.2.4.51': { name: 'JPEG Extended (Process 2 & 4), 8-bit samples only', codec: 'jpeg' },
  '1.2.840.10008.1.2.4.57': { name: 'JPEG Lossless, Non-Hierarchical (Process 14)', codec: 'jpeg-lossless' },
  '1.2.840.10008.1.2.4.70': { name: 'JPEG Lossless, First-Order Prediction (Process 14 SV1)', codec: 'jpeg-lossless' },
  '1.2.840.10008.1.2.4.90': { name: 'JPEG 2000 Lossless Only', codec: 'j2k' },
  '1.2.840.10008.1.2.4.91': { name: 'JPEG 2000', codec: 'j2k' },
  '1.2.840.10008.1.2.5': { name: 'RLE Lossless', codec: 'rle' },
};

/** Syntaxes seen in the wild that cvr refuses, named in the diagnostic. */
export const REFUSED_TRANSFER_SYNTAXES: Readonly<Record<string, string>> = {
  '1.2.840.10008.1.2.4.80': 'JPEG-LS Lossless',
  '1.2.840.10008.1.2.4.81': 'JPEG-LS Near-Lossless',
  '1.2.840.10008.1.2.4.92': 'JPEG 2000 Part 2 Multi-component Lossless',
  '1.2.840.10008.1.2.4.93': 'JPEG 2000 Part 2 Multi-component',
  '1.2.840.10008.1.2.4.201': 'High-Throughput JPEG 2000 Lossless',
  '1.2.840.10008.1.2.4.202': 'High-Throughput JPEG 2000 with RPCL Lossless',
  '1.2.840.10008.1.2.4.203': 'High-Throughput JPEG 2000',
  '1.2.840.10008.1.2.4.100': 'MPEG2 video',
  '1.2.840.10008.1.2.4.102': 'MPEG-4 AVC/H.264 video',
  '1.2.840.10008.1.2.4.110': 'JPEG XL Lossless',
  '1.2.840.10008.1.2.4.112': 'JPEG XL',
};

function fail(code: DicomFailure['code'], message: string, hint: string): DicomFailure {
  return { ok: false, code, message, hint };
}

function isFailure(x: unknown): x is DicomFailure {
  return typeof x === 'object' && x !== null && (x as { ok?: unknown }).ok === false;
}

function unsupportedSyntax(uid: string): DicomFailure {
  const known = REFUSED_TRANSFER_SYNTAXES[uid];
  const supported = Object.values(SUPPORTED_TRANSFER_SYNTAXES).map((s) => s.name);
  return fail(
    'CVR560',
    `DICOM transfer syntax ${uid}${known !== undefined ? ` (${known})` : ''} is not supported; cvr decodes ${supported.join(', ')}`,
    'transcode the file to an uncompressed or JPEG/JPEG 2000 syntax (e.g. `dcmconv +te` or `gdcmconv --raw`)',
  );
}

/** The frame's stored values: masked to Bits Stored, sign-extended when Pixel Representation is 1. */
export async function decodeFrame(h: DicomHeader): Promise<Samples | DicomFailure> {
  const syntax = SUPPORTED_TRANSFER_SYNTAXES[h.transferSyntax];
  if (syntax === undefined) return unsupportedSyntax(h.transferSyntax);
  const layout = checkLayout(h);
  if (layout !== null) return layout;
  const el = h.pixelData;
  if (el === undefined) return fail('CVR561', 'DICOM file has no Pixel Data (7FE0,0010)', 'the image was stripped from the file; re-export it');
  const bytes = h.dataSet.byteArray;
  const rgb = h.samplesPerPixel === 3;
  if (syntax.codec === 'native' || syntax.codec === 'native-be') {
    if (el.encapsulatedPixelData === true) return fail('CVR561', `Pixel Data is encapsulated but the transfer syntax ${h.transferSyntax} is uncompressed`, 'the file header contradicts its data; re-export it');
    return nativeSamples(h, bytes.subarray(el.dataOffset, el.dataOffset + Math.min(el.length, bytes.length - el.dataOffset)), syntax.codec === 'native-be');
  }
  if (el.encapsulatedPixelData !== true || el.fragments === undefined || el.fragments.length === 0) {
    return fail('CVR561', `transfer syntax ${h.transferSyntax} (${syntax.name}) needs encapsulated Pixel Data, and the file has none`, 'the file header contradicts its data; re-export it');
  }
  let frame: Uint8Array;
  try {
    frame = dicomParser.readEncapsulatedPixelDataFromFragments(h.dataSet, el, 0, el.fragments.length);
  } catch (error) {
    return fail('CVR561', `encapsulated Pixel Data cannot be read: ${String(error)}`, 'the file is truncated; re-export it');
  }
  let decoded: ArrayLike<number> | DicomFailure;
  try {
    switch (syntax.codec) {
      case 'jpeg':
        decoded = decodeJpeg(frame, h);
        break;
      case 'jpeg-lossless':
        decoded = decodeJpegLossless(frame, h);
        break;
      case 'j2k':
        decoded = await decodeJ2k(frame, h);
        break;
      case 'rle':
        decoded = decodeRle(frame, h);
        break;
      default: {
        const never: never = syntax.codec;
        throw new Error(`internal error: codec ${String(never)}`);
      }
    }
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    return fail('CVR562', `${syntax.name} pixel data cannot be decoded: ${message}`, 'the compressed stream is corrupt or truncated; re-export the file');
  }
  if (isFailure(decoded)) return decoded;
  const n = h.rows * h.columns * h.samplesPerPixel;
  if (decoded.length < n) return fail('CVR562', `${syntax.name} stream decoded to ${decoded.length} samples, expected ${h.columns}×${h.rows}×${h.samplesPerPixel}`, 'the compressed stream does not match the header; re-export the file');
  if (rgb) return { kind: 'rgb', values: Uint8Array.from({ length: n }, (_, i) => decoded[i] as number) };
  return { kind: 'grey', values: storedValues(decoded, n, h) };
}

/** Layouts cvr decodes: grey 1–16 bits in 8- or 16-bit words, or 8-bit RGB / YBR_FULL. */
function checkLayout(h: DicomHeader): DicomFailure | null {
  const grey = h.photometric === 'MONOCHROME1' || h.photometric === 'MONOCHROME2';
  if (h.frames > 1) {
    return fail('CVR564', `a multi-frame DICOM of ${h.frames} frames is a volume, not a 2-D image`, 'export the one frame (slice) you want as its own file, or leave the volume out of the source');
  }
  if (grey) {
    if (h.samplesPerPixel !== 1) return fail('CVR563', `${h.photometric} with ${h.samplesPerPixel} samples per pixel`, 'a grey image has one sample per pixel; the header is inconsistent');
    if (h.bitsAllocated !== 8 && h.bitsAllocated !== 16) return fail('CVR563', `Bits Allocated ${h.bitsAllocated} is not supported (8 or 16)`, 'convert the file to 16 bits allocated');
    if (h.bitsStored < 1 || h.bitsStored > h.bitsAllocated || h.highBit >= h.bitsAllocated || h.highBit + 1 < h.bitsStored) {
      return fail('CVR561', `Bits Stored ${h.bitsStored} / High Bit ${h.highBit} do not fit Bits Allocated ${h.bitsAllocated}`, 'the header is inconsistent; re-export the file');
    }
    return null;
  }
  if (h.photometric === 'RGB' || h.photometric.startsWith('YBR_')) {
    if (h.samplesPerPixel !== 3 || h.bitsAllocated !== 8) return fail('CVR563', `${h.photometric} with ${h.samplesPerPixel} samples of ${h.bitsAllocated} bits`, 'cvr decodes colour DICOM as 3 samples of 8 bits');
    return null;
  }
  return fail('CVR563', `photometric interpretation ${h.photometric} is not supported (MONOCHROME1, MONOCHROME2, RGB, YBR_FULL)`, 'convert the file to MONOCHROME2 (e.g. with dcmtk or gdcm)');
}

function storedValues(raw: ArrayLike<number>, n: number, h: DicomHeader): Int32Array {
  const mask = h.bitsStored >= 32 ? 0xffffffff : (1 << h.bitsStored) - 1;
  const sign = 1 << (h.bitsStored - 1);
  const signed = h.pixelRepresentation === 1;
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const v = (raw[i] as number) & mask;
    out[i] = signed && v & sign ? v - (mask + 1) : v;
  }
  return out;
}

function nativeSamples(h: DicomHeader, data: Uint8Array, bigEndian: boolean): Samples | DicomFailure {
  const pixels = h.rows * h.columns;
  const bytesPer = h.bitsAllocated / 8;
  const need = pixels * h.samplesPerPixel * bytesPer;
  if (data.length < need) return fail('CVR561', `Pixel Data holds ${data.length} bytes, expected ${need} (${h.columns}×${h.rows}×${h.samplesPerPixel} × ${bytesPer} bytes)`, 'the file is truncated; re-export it');
  if (h.samplesPerPixel === 3) {
    if (h.photometric !== 'RGB' && h.photometric !== 'YBR_FULL') return fail('CVR563', `uncompressed ${h.photometric} is not supported (RGB or YBR_FULL)`, 'convert the file to RGB or MONOCHROME2');
    return { kind: 'rgb', values: toRgb(h, data.subarray(0, need)) };
  }
  const shift = h.highBit + 1 - h.bitsStored;
  const words = new Uint32Array(pixels);
  if (bytesPer === 1) for (let i = 0; i < pixels; i++) words[i] = (data[i] as number) >> shift;
  else {
    for (let i = 0; i < pixels; i++) {
      const a = data[2 * i] as number;
      const b = data[2 * i + 1] as number;
      words[i] = (bigEndian ? (a << 8) | b : (b << 8) | a) >> shift;
    }
  }
  return { kind: 'grey', values: storedValues(words, pixels, h) };
}

/** 8-bit colour: planar or interleaved, RGB or YBR_FULL, to interleaved RGB. */
function toRgb(h: DicomHeader, data: Uint8Array): Uint8Array {
  const n = h.rows * h.columns;
  const out = new Uint8Array(n * 3);
  for (let i = 0; i < n; i++) {
    for (let c = 0; c < 3; c++) out[3 * i + c] = (h.planarConfiguration === 1 ? data[c * n + i] : data[3 * i + c]) as number;
  }
  if (h.photometric === 'YBR_FULL') {
    const clamp = (v: number): number => Math.max(0, Math.min(255, Math.round(v)));
    for (let i = 0; i < n; i++) {
      const y = out[3 * i] as number;
      const cb = (out[3 * i + 1] as number) - 128;
      const cr = (out[3 * i + 2] as number) - 128;
      out[3 * i] = clamp(y + 1.402 * cr);
      out[3 * i + 1] = clamp(y - 0.344136 * cb - 0.714136 * cr);
      out[3 * i + 2] = clamp(y + 1.772 * cb);
    }
  }
  return out;
}

/** The first SOFn marker's process and sample precision, read from the marker segments. */
export function jpegFrameInfo(frame: Uint8Array): { readonly marker: number; readonly precision: number; readonly width: number; readonly height: number } | null {
  let i = 2;
  if (frame[0] !== 0xff || frame[1] !== 0xd8) return null;
  while (i + 4 < frame.length) {
    if (frame[i] !== 0xff) return null;
    const marker = frame[i + 1] as number;
    if (marker === 0xff) {
      i++;
      continue;
    }
    const length = ((frame[i + 2] as number) << 8) | (frame[i + 3] as number);
    if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) {
      const height = ((frame[i + 5] as number) << 8) | (frame[i + 6] as number);
      const width = ((frame[i + 7] as number) << 8) | (frame[i + 8] as number);
      return { marker, precision: frame[i + 4] as number, width, height };
    }
    i += 2 + length;
  }
  return null;
}

type JpegDecode = (data: Uint8Array, options: Record<string, unknown>) => { width: number; height: number; data: Uint8Array };

function decodeJpeg(frame: Uint8Array, h: DicomHeader): ArrayLike<number> | DicomFailure {
  const info = jpegFrameInfo(frame);
  if (info === null) return fail('CVR562', 'JPEG stream has no frame header (SOF marker)', 'the compressed stream is corrupt or truncated; re-export the file');
  if (info.width !== h.columns || info.height !== h.rows) return streamSize('JPEG', info.width, info.height, h);
  if (info.marker === 0xc3) return decodeJpegLossless(frame, h);
  if (info.precision !== 8) {
    return fail('CVR560', `JPEG ${info.marker === 0xc1 ? 'extended' : 'lossy'} stream with ${info.precision}-bit samples is not supported (8-bit only)`, 'transcode the file to JPEG 2000 or an uncompressed syntax');
  }
  if (info.marker !== 0xc0 && info.marker !== 0xc1 && info.marker !== 0xc2) {
    return fail('CVR560', `JPEG process with SOF marker 0x${info.marker.toString(16)} is not supported`, 'transcode the file to JPEG baseline, JPEG 2000 or an uncompressed syntax');
  }
  const decode = require('jpeg-js').decode as JpegDecode;
  const out = decode(frame, { useTArray: true, formatAsRGBA: false, tolerantDecoding: false, maxResolutionInMP: 400, maxMemoryUsageInMB: 2048 });
  if (out.width !== h.columns || out.height !== h.rows) return fail('CVR562', `JPEG stream is ${out.width}×${out.height}, the header says ${h.columns}×${h.rows}`, 'the header contradicts the stream; re-export the file');
  if (h.samplesPerPixel === 3) return out.data;
  // jpeg-js writes grey as R = G = B.
  const grey = new Uint8Array(out.width * out.height);
  for (let i = 0; i < grey.length; i++) grey[i] = out.data[3 * i] as number;
  return grey;
}

interface LosslessDecoder {
  decode(buffer: ArrayBuffer, offset: number, length: number, numBytes: number): Uint8Array | Uint16Array;
  xDim?: number;
  yDim?: number;
}

function streamSize(what: string, width: number, height: number, h: DicomHeader): DicomFailure {
  return fail('CVR562', `${what} stream is ${width}×${height}, the header says ${h.columns}×${h.rows}`, 'the header contradicts the stream; re-export the file');
}

function decodeJpegLossless(frame: Uint8Array, h: DicomHeader): ArrayLike<number> | DicomFailure {
  const info = jpegFrameInfo(frame);
  if (info === null || info.marker !== 0xc3) return fail('CVR562', 'JPEG lossless stream has no lossless frame header (SOF3)', 'the compressed stream is corrupt or does not match the transfer syntax; re-export the file');
  if (info.width !== h.columns || info.height !== h.rows) return streamSize('JPEG lossless', info.width, info.height, h);
  const { Decoder } = require('jpeg-lossless-decoder-js') as { Decoder: new () => LosslessDecoder };
  const decoder = new Decoder();
  const copy = frame.slice();
  const out = decoder.decode(copy.buffer, 0, copy.length, h.bitsAllocated <= 8 ? 1 : 2);
  if (decoder.xDim !== undefined && (decoder.xDim !== h.columns || decoder.yDim !== h.rows)) {
    return fail('CVR562', `JPEG lossless stream is ${decoder.xDim}×${decoder.yDim}, the header says ${h.columns}×${h.rows}`, 'the header contradicts the stream; re-export the file');
  }
  return out;
}

interface J2kFrameInfo {
  width: number;
  height: number;
  bitsPerSample: number;
  componentCount: number;
  isSigned: boolean;
}
interface J2kDecoder {
  getEncodedBuffer(length: number): Uint8Array;
  decode(): void;
  getFrameInfo(): J2kFrameInfo;
  getDecodedBuffer(): Uint8Array;
  delete(): void;
}
interface OpenJpegModule {
  J2KDecoder: new () => J2kDecoder;
}

let openjpeg: Promise<OpenJpegModule> | undefined;
/** What OpenJPEG printed during the current decode: it goes into the diagnostic, not to the terminal. */
let openjpegLog: string[] = [];

/** The OpenJPEG WebAssembly module, instantiated once per process, its console output captured. */
export function openJpeg(): Promise<OpenJpegModule> {
  const capture = (text: string): void => {
    if (openjpegLog.length < 8) openjpegLog.push(text.replace(/^\[ERROR\]\s*/, '').trim());
  };
  openjpeg ??= (require('@cornerstonejs/codec-openjpeg/wasmjs') as (m: object) => Promise<OpenJpegModule>)({ print: capture, printErr: capture });
  return openjpeg;
}

/** Image size from the SIZ marker of a JPEG 2000 codestream (SOC FF4F then SIZ FF51), or null. */
export function j2kSize(frame: Uint8Array): { readonly width: number; readonly height: number } | null {
  for (let i = 0; i + 24 <= frame.length && i < 4096; i++) {
    if (frame[i] === 0xff && frame[i + 1] === 0x4f && frame[i + 2] === 0xff && frame[i + 3] === 0x51) {
      const view = new DataView(frame.buffer, frame.byteOffset + i + 4);
      // Lsiz, Rsiz, Xsiz, Ysiz, XOsiz, YOsiz
      return { width: view.getUint32(4) - view.getUint32(12), height: view.getUint32(8) - view.getUint32(16) };
    }
  }
  return null;
}

async function decodeJ2k(frame: Uint8Array, h: DicomHeader): Promise<ArrayLike<number> | DicomFailure> {
  const module = await openJpeg();
  const decoder = new module.J2KDecoder();
  openjpegLog = [];
  try {
    decoder.getEncodedBuffer(frame.length).set(frame);
    try {
      // The SIZ marker first: a stream larger than the DICOM header says is refused before decoding.
      const size = j2kSize(frame);
      if (size !== null && (size.width !== h.columns || size.height !== h.rows)) return streamSize('JPEG 2000', size.width, size.height, h);
      decoder.decode();
    } catch (error) {
      // OpenJPEG throws a bare number (a WebAssembly exception pointer); its printed lines say why.
      const why = openjpegLog.filter((l) => l !== '').join('; ');
      throw new Error(why !== '' ? why : `OpenJPEG failed (${String(error)})`);
    }
    const info = decoder.getFrameInfo();
    if (info.width !== h.columns || info.height !== h.rows || info.componentCount !== h.samplesPerPixel) {
      return fail('CVR562', `JPEG 2000 stream is ${info.width}×${info.height}×${info.componentCount}, the header says ${h.columns}×${h.rows}×${h.samplesPerPixel}`, 'the header contradicts the stream; re-export the file');
    }
    const buffer = decoder.getDecodedBuffer();
    // The decoded buffer lives in WebAssembly memory: copy it out before the decoder is freed.
    if (info.bitsPerSample <= 8) return info.isSigned ? new Int8Array(buffer.slice().buffer) : buffer.slice();
    const copy = buffer.slice();
    return info.isSigned ? new Int16Array(copy.buffer, 0, copy.length >> 1) : new Uint16Array(copy.buffer, 0, copy.length >> 1);
  } finally {
    decoder.delete();
  }
}
