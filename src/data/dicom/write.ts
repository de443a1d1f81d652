/**
 * A small DICOM Part 10 writer: enough for `cvr synth` to write a DICOM source and for the tests
 * to make files of every layout the decoder reads (explicit or implicit VR little endian,
 * explicit big endian, deflated, and encapsulated pixel data for the compressed syntaxes).
 * It writes grey or RGB secondary-capture-like images, not a full information object.
 */
import { deflateRawSync } from 'node:zlib';

export const EXPLICIT_LE = '1.2.840.10008.1.2.1';
export const IMPLICIT_LE = '1.2.840.10008.1.2';
export const EXPLICIT_BE = '1.2.840.10008.1.2.2';
export const DEFLATED_LE = '1.2.840.10008.1.2.1.99';
/** Digital X-Ray Image Storage – For Presentation. */
export const DX_STORAGE = '1.2.840.10008.5.1.4.1.1.1.1';
const IMPLEMENTATION_UID = '1.2.826.0.1.3680043.10.1307.1';

/** One data element: tag as 0xGGGGEEEE, its VR, and its value (text, numbers or raw bytes). */
export interface DicomElement {
  readonly tag: number;
  readonly vr: string;
  readonly value: string | readonly number[] | Uint8Array;
}

export interface DicomImageSpec {
  readonly rows: number;
  readonly columns: number;
  readonly bitsAllocated: 8 | 16;
  readonly bitsStored?: number;
  readonly highBit?: number;
  readonly pixelRepresentation?: 0 | 1;
  readonly photometric?: string;
  readonly samplesPerPixel?: 1 | 3;
  readonly planarConfiguration?: 0 | 1;
  readonly transferSyntax?: string;
  /** Stored values, row-major (interleaved for colour): for uncompressed syntaxes. */
  readonly pixels?: ArrayLike<number>;
  /** The compressed frame, written as encapsulated fragments (split at `fragmentSize`). */
  readonly encapsulated?: Uint8Array;
  readonly fragmentSize?: number;
  readonly slope?: number;
  readonly intercept?: number;
  /** Written as given (a string may hold several values, `a\b`). */
  readonly windowCenter?: number | string;
  readonly windowWidth?: number | string;
  readonly voiFunction?: string;
  readonly frames?: number;
  readonly modality?: string;
  readonly patientId?: string;
  readonly viewPosition?: string;
  readonly sopInstanceUid?: string;
  /** Further elements, e.g. a VOI LUT Sequence. */
  readonly extra?: readonly DicomElement[];
  /** false: a raw data set without preamble and file meta (always implicit VR little endian). */
  readonly part10?: boolean;
}

const LONG_VRS = new Set(['OB', 'OW', 'OF', 'OD', 'OL', 'SQ', 'UT', 'UN', 'UC', 'UR']);

function ds(n: number): string {
  // Decimal String: at most 16 characters.
  const s = String(n);
  return s.length <= 16 ? s : n.toPrecision(10);
}

function encodeValue(vr: string, value: DicomElement['value'], little: boolean): Uint8Array {
  if (value instanceof Uint8Array) return padEven(value, 0);
  if (typeof value === 'string') return padEven(new TextEncoder().encode(value), vr === 'UI' ? 0 : 0x20);
  const size = vr === 'US' || vr === 'SS' ? 2 : vr === 'UL' || vr === 'SL' || vr === 'FL' ? 4 : vr === 'FD' ? 8 : 2;
  const out = new Uint8Array(value.length * size);
  const view = new DataView(out.buffer);
  value.forEach((v, i) => {
    if (vr === 'US' || vr === 'OW') view.setUint16(i * size, v, little);
    else if (vr === 'SS') view.setInt16(i * size, v, little);
    else if (vr === 'UL') view.setUint32(i * size, v, little);
    else if (vr === 'SL') view.setInt32(i * size, v, little);
    else if (vr === 'FL') view.setFloat32(i * size, v, little);
    else if (vr === 'FD') view.setFloat64(i * size, v, little);
    else throw new Error(`internal error: numeric value for VR ${vr}`);
  });
  return out;
}

function padEven(bytes: Uint8Array, pad: number): Uint8Array {
  if (bytes.length % 2 === 0) return bytes;
  const out = new Uint8Array(bytes.length + 1);
  out.set(bytes);
  out[bytes.length] = pad;
  return out;
}

function tagBytes(tag: number, little: boolean): Uint8Array {
  const out = new Uint8Array(4);
  const view = new DataView(out.buffer);
  view.setUint16(0, tag >>> 16, little);
  view.setUint16(2, tag & 0xffff, little);
  return out;
}

/** One element, explicit or implicit VR; `undefinedLength` for encapsulated pixel data and sequences. */
export function encodeElement(tag: number, vr: string, body: Uint8Array, explicit: boolean, little: boolean, undefinedLength = false): Uint8Array {
  const parts: Uint8Array[] = [tagBytes(tag, little)];
  const length = undefinedLength ? 0xffffffff : body.length;
  if (explicit) {
    const head = new Uint8Array(LONG_VRS.has(vr) ? 8 : 4);
    const view = new DataView(head.buffer);
    head[0] = vr.charCodeAt(0);
    head[1] = vr.charCodeAt(1);
    if (LONG_VRS.has(vr)) view.setUint32(4, length, little);
    else view.setUint16(2, length, little);
    parts.push(head);
  } else {
    const head = new Uint8Array(4);
    new DataView(head.buffer).setUint32(0, length, little);
    parts.push(head);
  }
  parts.push(body);
  return concat(parts);
}

function concat(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** An item (FFFE,E000) with its bytes, always little endian as the encapsulation demands. */
function item(body: Uint8Array): Uint8Array {
  const head = new Uint8Array(8);
  const view = new DataView(head.buffer);
  view.setUint16(0, 0xfffe, true);
  view.setUint16(2, 0xe000, true);
  view.setUint32(4, body.length, true);
  return concat([head, body]);
}

/** A sequence with one item holding `elements` (explicit VR little endian only). */
export function sequenceOf(elements: readonly DicomElement[]): Uint8Array {
  const body = concat([...elements].sort((a, b) => a.tag - b.tag).map((e) => encodeElement(e.tag, e.vr, encodeValue(e.vr, e.value, true), true, true)));
  return item(body);
}

function pixelBytes(spec: DicomImageSpec, little: boolean): Uint8Array {
  const pixels = spec.pixels ?? [];
  if (spec.bitsAllocated === 8) return padEven(Uint8Array.from(pixels, (v) => v & 0xff), 0);
  const out = new Uint8Array(pixels.length * 2);
  const view = new DataView(out.buffer);
  for (let i = 0; i < pixels.length; i++) view.setUint16(2 * i, (pixels[i] as number) & 0xffff, little);
  return out;
}

/** The bytes of a DICOM file for `spec`. */
export function writeDicom(spec: DicomImageSpec): Uint8Array {
  const part10 = spec.part10 ?? true;
  const syntax = part10 ? (spec.transferSyntax ?? EXPLICIT_LE) : IMPLICIT_LE;
  const explicit = syntax !== IMPLICIT_LE;
  const little = syntax !== EXPLICIT_BE;
  const sop = spec.sopInstanceUid ?? '1.2.826.0.1.3680043.10.1307.2.1';
  const spp = spec.samplesPerPixel ?? 1;
  const bitsStored = spec.bitsStored ?? spec.bitsAllocated;
  const elements: DicomElement[] = [
    { tag: 0x00080016, vr: 'UI', value: DX_STORAGE },
    { tag: 0x00080018, vr: 'UI', value: sop },
    { tag: 0x00080060, vr: 'CS', value: spec.modality ?? 'DX' },
    { tag: 0x00100020, vr: 'LO', value: spec.patientId ?? 'anonymous' },
    { tag: 0x00280002, vr: 'US', value: [spp] },
    { tag: 0x00280004, vr: 'CS', value: spec.photometric ?? (spp === 3 ? 'RGB' : 'MONOCHROME2') },
    { tag: 0x00280010, vr: 'US', value: [spec.rows] },
    { tag: 0x00280011, vr: 'US', value: [spec.columns] },
    { tag: 0x00280100, vr: 'US', value: [spec.bitsAllocated] },
    { tag: 0x00280101, vr: 'US', value: [bitsStored] },
    { tag: 0x00280102, vr: 'US', value: [spec.highBit ?? bitsStored - 1] },
    { tag: 0x00280103, vr: 'US', value: [spec.pixelRepresentation ?? 0] },
  ];
  if (spp === 3) elements.push({ tag: 0x00280006, vr: 'US', value: [spec.planarConfiguration ?? 0] });
  if (spec.frames !== undefined) elements.push({ tag: 0x00280008, vr: 'IS', value: String(spec.frames) });
  if (spec.viewPosition !== undefined) elements.push({ tag: 0x00185101, vr: 'CS', value: spec.viewPosition });
  if (spec.windowCenter !== undefined) elements.push({ tag: 0x00281050, vr: 'DS', value: typeof spec.windowCenter === 'number' ? ds(spec.windowCenter) : spec.windowCenter });
  if (spec.windowWidth !== undefined) elements.push({ tag: 0x00281051, vr: 'DS', value: typeof spec.windowWidth === 'number' ? ds(spec.windowWidth) : spec.windowWidth });
  if (spec.voiFunction !== undefined) elements.push({ tag: 0x00281056, vr: 'CS', value: spec.voiFunction });
  if (spec.intercept !== undefined) elements.push({ tag: 0x00281052, vr: 'DS', value: ds(spec.intercept) });
  if (spec.slope !== undefined) elements.push({ tag: 0x00281053, vr: 'DS', value: ds(spec.slope) });
  elements.push(...(spec.extra ?? []));
  elements.sort((a, b) => a.tag - b.tag);
  const body: Uint8Array[] = elements.map((e) => encodeElement(e.tag, e.vr, encodeValue(e.vr, e.value, little), explicit, little));
  if (spec.encapsulated !== undefined) {
    const size = spec.fragmentSize ?? spec.encapsulated.length;
    const fragments: Uint8Array[] = [item(new Uint8Array(0))];
    for (let at = 0; at < spec.encapsulated.length; at += size) fragments.push(item(padEven(spec.encapsulated.subarray(at, at + size), 0)));
    const end = new Uint8Array([0xfe, 0xff, 0xdd, 0xe0, 0, 0, 0, 0]);
    body.push(encodeElement(0x7fe00010, 'OB', concat([...fragments, end]), explicit, little, true));
  } else if (spec.pixels !== undefined) {
    body.push(encodeElement(0x7fe00010, spec.bitsAllocated === 16 ? 'OW' : 'OB', pixelBytes(spec, little), explicit, little));
  }
  let dataset = concat(body);
  if (!part10) return dataset;
  if (syntax === DEFLATED_LE) dataset = new Uint8Array(deflateRawSync(dataset));
  const meta = [
    encodeElement(0x00020001, 'OB', new Uint8Array([0, 1]), true, true),
    encodeElement(0x00020002, 'UI', encodeValue('UI', DX_STORAGE, true), true, true),
    encodeElement(0x00020003, 'UI', encodeValue('UI', sop, true), true, true),
    encodeElement(0x00020010, 'UI', encodeValue('UI', syntax, true), true, true),
    encodeElement(0x00020012, 'UI', encodeValue('UI', IMPLEMENTATION_UID, true), true, true),
  ];
  const metaBody = concat(meta);
  const groupLength = encodeElement(0x00020000, 'UL', encodeValue('UL', [metaBody.length], true), true, true);
  const preamble = new Uint8Array(132);
  preamble.set([0x44, 0x49, 0x43, 0x4d], 128);
  return concat([preamble, groupLength, metaBody, dataset]);
}
