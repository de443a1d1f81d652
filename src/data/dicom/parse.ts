/**
 * Reads a DICOM file's header with dicom-parser and returns the attributes that decide its pixels.
 * Nothing here decodes pixel data; see codecs.ts and lut.ts.
 */
import { createRequire } from 'node:module';
import { inflateRawSync } from 'node:zlib';
import type { DataSet, Element } from 'dicom-parser';
import type { DicomFailure } from './types.ts';

type DicomParser = typeof import('dicom-parser');
const dicomParser = createRequire(import.meta.url)('dicom-parser') as DicomParser;

/** Byte 128..131 of a DICOM Part 10 file. */
const PREAMBLE = 'DICM';
const IMPLICIT_LE = '1.2.840.10008.1.2';
export const PIXEL_DATA = 'x7fe00010';
/** Inflating a deflated data set stops here: a few hundred MiB is more than any chest image. */
const MAX_INFLATED = 1 << 30;

export function hasDicomPreamble(bytes: Uint8Array): boolean {
  return bytes.length >= 132 && bytes[128] === 0x44 && bytes[129] === 0x49 && bytes[130] === 0x43 && bytes[131] === 0x4d;
}

/** `.dcm`, `.dicom` or `.dic` (any case), or a file whose bytes start with the DICM preamble. */
export function isDicomPath(path: string): boolean {
  return /\.(dcm|dicom|dic)$/i.test(path);
}

export interface DicomHeader {
  readonly dataSet: DataSet;
  readonly transferSyntax: string;
  readonly rows: number;
  readonly columns: number;
  readonly samplesPerPixel: number;
  readonly bitsAllocated: number;
  readonly bitsStored: number;
  readonly highBit: number;
  /** 0 unsigned, 1 two's complement. */
  readonly pixelRepresentation: number;
  readonly photometric: string;
  readonly planarConfiguration: number;
  readonly frames: number;
  readonly slope: number;
  readonly intercept: number;
  /** The first of the file's Window Center / Width pairs, when it has one. */
  readonly window: { readonly center: number; readonly width: number; readonly fn: string } | null;
  readonly modalityLut: Lut | null;
  readonly voiLut: Lut | null;
  readonly pixelData: Element | undefined;
}

/** A Modality or VOI LUT item: `entries` values, the first mapped to input `first`. */
export interface Lut {
  readonly first: number;
  readonly bits: number;
  readonly data: readonly number[];
}

function fail(code: DicomFailure['code'], message: string, hint: string): DicomFailure {
  return { ok: false, code, message, hint };
}

function firstNumber(ds: DataSet, tag: string): number | undefined {
  const text = ds.string(tag);
  if (text === undefined) return undefined;
  const value = Number.parseFloat(text.split('\\')[0] ?? '');
  return Number.isFinite(value) ? value : undefined;
}

function int(ds: DataSet, tag: string): number | undefined {
  const text = ds.string(tag);
  if (text === undefined) return undefined;
  const value = Number.parseInt(text, 10);
  return Number.isFinite(value) ? value : undefined;
}

function readLut(ds: DataSet, sequenceTag: string): Lut | null | DicomFailure {
  const items = ds.elements[sequenceTag]?.items;
  const item = items?.[0]?.dataSet;
  if (item === undefined) return null;
  const descriptor = item.elements.x00283002;
  const data = item.elements.x00283006;
  if (descriptor === undefined || data === undefined) return fail('CVR565', `${sequenceTag === 'x00283000' ? 'Modality' : 'VOI'} LUT item lacks its descriptor or data`, 'the LUT sequence is incomplete; rewrite the file or remove the sequence');
  // The descriptor is US or SS by the first mapped value; its first value 0 means 65536 entries.
  const entries = item.uint16('x00283002', 0) || 65536;
  const firstRaw = item.uint16('x00283002', 1) ?? 0;
  const signed = ds.uint16('x00280103') === 1;
  const first = signed && firstRaw > 32767 ? firstRaw - 65536 : firstRaw;
  const bits = item.uint16('x00283002', 2) ?? 16;
  const values: number[] = [];
  const wide = data.length >= entries * 2;
  for (let i = 0; i < entries; i++) {
    const v = wide ? item.uint16('x00283006', i) : item.byteArray[data.dataOffset + i];
    if (v === undefined) return fail('CVR565', `LUT data holds fewer than the ${entries} entries its descriptor declares`, 'the LUT is truncated; rewrite the file or remove the sequence');
    values.push(v);
  }
  if (bits < 1 || bits > 16) return fail('CVR565', `LUT descriptor declares ${bits} bits per entry`, 'a LUT entry has 8 to 16 bits');
  return { first, bits, data: values };
}

/**
 * Parses the header (and locates the pixel data) of a DICOM Part 10 file, or of a raw data set
 * without preamble, read as implicit VR little endian.
 */
export function parseDicomHeader(bytes: Uint8Array): DicomHeader | DicomFailure {
  let ds: DataSet;
  const inflater = (array: Uint8Array, position: number): Uint8Array => {
    const inflated = inflateRawSync(array.subarray(position), { maxOutputLength: MAX_INFLATED });
    const out = new Uint8Array(position + inflated.length);
    out.set(array.subarray(0, position), 0);
    out.set(inflated, position);
    return out;
  };
  try {
    const options = hasDicomPreamble(bytes) ? { inflater } : { TransferSyntaxUID: IMPLICIT_LE, inflater };
    ds = dicomParser.parseDicom(bytes, options as Parameters<DicomParser['parseDicom']>[1]);
  } catch (error) {
    const message = error instanceof Error ? error.message : typeof error === 'string' ? error : String(error);
    return fail('CVR561', `DICOM header cannot be parsed: ${message}`, 'the file is truncated or not DICOM; re-export it from the archive');
  }
  const transferSyntax = (ds.string('x00020010') ?? IMPLICIT_LE).replace(/\0/g, '').trim();
  const rows = ds.uint16('x00280010');
  const columns = ds.uint16('x00280011');
  const bitsAllocated = ds.uint16('x00280100');
  if (rows === undefined || columns === undefined || bitsAllocated === undefined || rows === 0 || columns === 0) {
    return fail('CVR561', 'DICOM file has no image: Rows, Columns or Bits Allocated is missing or zero', 'this may be a structured report, a presentation state or another non-image object; remove it from the source');
  }
  const bitsStored = ds.uint16('x00280101') ?? bitsAllocated;
  const window = readWindow(ds);
  if (window !== null && 'ok' in window) return window;
  const modalityLut = readLut(ds, 'x00283000');
  if (modalityLut !== null && 'ok' in modalityLut) return modalityLut;
  const voiLut = readLut(ds, 'x00283010');
  if (voiLut !== null && 'ok' in voiLut) return voiLut;
  return {
    dataSet: ds,
    transferSyntax,
    rows,
    columns,
    samplesPerPixel: ds.uint16('x00280002') ?? 1,
    bitsAllocated,
    bitsStored,
    highBit: ds.uint16('x00280102') ?? bitsStored - 1,
    pixelRepresentation: ds.uint16('x00280103') ?? 0,
    photometric: (ds.string('x00280004') ?? 'MONOCHROME2').trim().toUpperCase(),
    planarConfiguration: ds.uint16('x00280006') ?? 0,
    frames: int(ds, 'x00280008') ?? 1,
    slope: firstNumber(ds, 'x00281053') ?? 1,
    intercept: firstNumber(ds, 'x00281052') ?? 0,
    window,
    modalityLut,
    voiLut,
    pixelData: ds.elements[PIXEL_DATA],
  };
}

function readWindow(ds: DataSet): DicomHeader['window'] | DicomFailure {
  const center = firstNumber(ds, 'x00281050');
  const width = firstNumber(ds, 'x00281051');
  if (center === undefined || width === undefined) return null;
  const fn = (ds.string('x00281056') ?? 'LINEAR').trim().toUpperCase();
  if (fn !== 'LINEAR' && fn !== 'LINEAR_EXACT' && fn !== 'SIGMOID') {
    return fail('CVR565', `VOI LUT Function ${JSON.stringify(fn)} is not LINEAR, LINEAR_EXACT or SIGMOID`, 'rewrite the file with a standard VOI LUT function, or use `window auto`');
  }
  if (fn === 'LINEAR' ? width < 1 : width <= 0) {
    return fail('CVR565', `Window Width ${width} is below ${fn === 'LINEAR' ? '1' : 'or at 0'} (center ${center})`, 'the file\'s VOI window is invalid; fix the file or use `window auto`');
  }
  return { center, width, fn };
}

/** The number of frames, read from the header only (for volume detection); undefined when unreadable. */
export function headerFrames(bytes: Uint8Array): number | undefined {
  let ds: DataSet | undefined;
  try {
    ds = dicomParser.parseDicom(bytes, (hasDicomPreamble(bytes) ? { untilTag: PIXEL_DATA } : { untilTag: PIXEL_DATA, TransferSyntaxUID: IMPLICIT_LE }) as Parameters<DicomParser['parseDicom']>[1]);
  } catch (error) {
    // A head cut short still yields what was parsed before the cut.
    ds = (error as { dataSet?: DataSet } | undefined)?.dataSet;
  }
  if (ds === undefined) return undefined;
  return int(ds, 'x00280008') ?? 1;
}

export { dicomParser };
