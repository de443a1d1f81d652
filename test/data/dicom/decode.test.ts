import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import sharp from 'sharp';
import { decodeDicom, type DicomResult } from '../../../src/data/dicom/index.ts';
import { DEFLATED_LE, EXPLICIT_BE, IMPLICIT_LE, sequenceOf, writeDicom, type DicomImageSpec } from '../../../src/data/dicom/write.ts';
import { encodeJpegLossless, encodeRle } from './encoders.ts';

const W = 13;
const H = 7;

/** Seeded stored values in [lo, hi]: a ramp plus noise from a fixed LCG. */
function storedValues(lo: number, hi: number, seed = 1): number[] {
  let s = seed >>> 0;
  return Array.from({ length: W * H }, (_, i) => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    const t = i === 0 ? 0 : i === W * H - 1 ? 1 : (s / 2 ** 32 + i / (W * H)) / 2;
    return lo + Math.round(t * (hi - lo));
  });
}

interface Reference {
  readonly slope?: number;
  readonly intercept?: number;
  readonly center?: number;
  readonly width?: number;
  readonly monochrome1?: boolean;
  /** The VOI when there is no window: the modality range of the stored bits. */
  readonly range?: readonly [number, number];
  readonly auto?: boolean;
}

/**
 * The grey pipeline written out from PS3.3 C.11 as the standard states it (piecewise LINEAR
 * window), independently of src/data/dicom/lut.ts: Modality LUT, VOI to 0..65535, MONOCHROME1 inverted.
 */
function reference(stored: readonly number[], r: Reference): number[] {
  const x = stored.map((s) => s * (r.slope ?? 1) + (r.intercept ?? 0));
  const min = Math.min(...x);
  const max = Math.max(...x);
  return x.map((v) => {
    let y: number;
    if (r.center !== undefined && r.width !== undefined && !r.auto) {
      const c = r.center;
      const w = r.width;
      if (v <= c - 0.5 - (w - 1) / 2) y = 0;
      else if (v > c - 0.5 + (w - 1) / 2) y = 1;
      else y = (v - (c - 0.5)) / (w - 1) + 0.5;
    } else {
      const [lo, hi] = r.auto ? [min, max] : r.range!;
      y = (v - lo) / (hi - lo);
    }
    const out = Math.round(Math.min(1, Math.max(0, y)) * 65535);
    return r.monochrome1 ? 65535 - out : out;
  });
}

async function decoded(spec: DicomImageSpec, window: 'file' | 'auto' = 'file'): Promise<number[]> {
  const r = await decodeDicom(writeDicom(spec), { window });
  if (!r.ok) throw new Error(`${r.code}: ${r.message}`);
  expect([r.image.width, r.image.height]).toEqual([spec.columns, spec.rows]);
  return Array.from(r.image.pixels);
}

function failure(r: DicomResult): { code: string; message: string } {
  if (r.ok) throw new Error('expected a failure');
  return { code: r.code, message: r.message };
}

const base = { rows: H, columns: W } as const;

describe('DICOM decoding: the grey pipeline against a reference computed here', () => {
  it('MONOCHROME2, 16 bits allocated / 12 stored, rescale slope and intercept, the file window', async () => {
    const stored = storedValues(0, 4095);
    const spec = { ...base, bitsAllocated: 16, bitsStored: 12, pixels: stored, slope: 2, intercept: -1024, windowCenter: 3000, windowWidth: 5000 } as const;
    expect(await decoded(spec)).toEqual(reference(stored, { slope: 2, intercept: -1024, center: 3000, width: 5000 }));
  });

  it('MONOCHROME1, 8 bits, no window: the full stored range, inverted', async () => {
    const stored = storedValues(0, 255);
    const out = await decoded({ ...base, bitsAllocated: 8, photometric: 'MONOCHROME1', pixels: stored });
    expect(out).toEqual(reference(stored, { range: [0, 255], monochrome1: true }));
    // The same as 255 - s on the 8-bit scale (×257), as a plain check of the inversion.
    expect(out).toEqual(stored.map((s) => (255 - s) * 257));
  });

  it('MONOCHROME1, 16 bits with a window inverts after the window', async () => {
    const stored = storedValues(100, 60000, 7);
    const out = await decoded({ ...base, bitsAllocated: 16, photometric: 'MONOCHROME1', pixels: stored, windowCenter: 30000, windowWidth: 40000 });
    expect(out).toEqual(reference(stored, { center: 30000, width: 40000, monochrome1: true }));
  });

  it('signed CT-like values (pixel representation 1) with several windows: the first one is used', async () => {
    const hu = storedValues(-2000, 2000, 3);
    const out = await decoded({ ...base, bitsAllocated: 16, bitsStored: 16, pixelRepresentation: 1, modality: 'CT', pixels: hu, intercept: -24, windowCenter: '-600\\40', windowWidth: '1500\\400' });
    expect(out).toEqual(reference(hu, { intercept: -24, center: -600, width: 1500 }));
  });

  it('`window auto` is the min–max of the modality values, whatever window the file has', async () => {
    const stored = storedValues(500, 3500, 5);
    const out = await decoded({ ...base, bitsAllocated: 16, bitsStored: 12, pixels: stored, slope: 0.5, intercept: 10, windowCenter: 1, windowWidth: 2 }, 'auto');
    expect(out).toEqual(reference(stored, { slope: 0.5, intercept: 10, auto: true }));
    expect(Math.min(...out)).toBe(0);
    expect(Math.max(...out)).toBe(65535);
  });

  it('no window: 12 stored bits span the whole output range', async () => {
    const stored = storedValues(0, 4095, 11);
    expect(await decoded({ ...base, bitsAllocated: 16, bitsStored: 12, pixels: stored })).toEqual(reference(stored, { range: [0, 4095] }));
  });

  it('masks bits above High Bit (overlay bits in the pixel words)', async () => {
    const stored = storedValues(0, 4095, 13);
    const words = stored.map((v) => v | 0xf000);
    expect(await decoded({ ...base, bitsAllocated: 16, bitsStored: 12, highBit: 11, pixels: words })).toEqual(reference(stored, { range: [0, 4095] }));
  });

  it('LINEAR_EXACT and SIGMOID VOI functions follow their formulas', async () => {
    const stored = storedValues(0, 4095, 17);
    const exact = await decoded({ ...base, bitsAllocated: 16, bitsStored: 12, pixels: stored, windowCenter: 2000, windowWidth: 1000, voiFunction: 'LINEAR_EXACT' });
    expect(exact).toEqual(stored.map((x) => Math.round(Math.min(1, Math.max(0, (x - 2000) / 1000 + 0.5)) * 65535)));
    const sigmoid = await decoded({ ...base, bitsAllocated: 16, bitsStored: 12, pixels: stored, windowCenter: 2000, windowWidth: 1000, voiFunction: 'SIGMOID' });
    expect(sigmoid).toEqual(stored.map((x) => Math.round((1 / (1 + Math.exp((-4 * (x - 2000)) / 1000))) * 65535)));
  });

  it('a VOI LUT Sequence maps through its table when there is no window', async () => {
    const stored = storedValues(0, 255, 19);
    const table = Array.from({ length: 200 }, (_, i) => (i * 37) % 4096); // first mapped value 20, 12-bit entries
    const lut = sequenceOf([
      { tag: 0x00283002, vr: 'US', value: [200, 20, 12] },
      { tag: 0x00283006, vr: 'OW', value: table },
    ]);
    const out = await decoded({ ...base, bitsAllocated: 8, pixels: stored, extra: [{ tag: 0x00283010, vr: 'SQ', value: lut }] });
    expect(out).toEqual(stored.map((x) => Math.round((table[Math.max(0, Math.min(199, x - 20))]! / 4095) * 65535)));
  });

  it.each([
    ['implicit VR little endian', IMPLICIT_LE],
    ['explicit VR big endian', EXPLICIT_BE],
    ['deflated explicit VR little endian', DEFLATED_LE],
  ])('%s decodes to the same values as explicit VR little endian', async (_name, transferSyntax) => {
    const stored = storedValues(0, 4095, 23);
    const spec = { ...base, bitsAllocated: 16, bitsStored: 12, pixels: stored, slope: 1.5, intercept: -7, windowCenter: 2500, windowWidth: 3000 } as const;
    const want = reference(stored, { slope: 1.5, intercept: -7, center: 2500, width: 3000 });
    expect(await decoded({ ...spec, transferSyntax })).toEqual(want);
  });

  it('reads a raw data set without preamble (implicit VR) when the name says .dcm', async () => {
    const stored = storedValues(0, 255, 29);
    expect(await decoded({ ...base, bitsAllocated: 8, pixels: stored, part10: false })).toEqual(stored.map((s) => s * 257));
  });

  it('decodes uncompressed RGB, interleaved and planar, to 8-bit RGB', async () => {
    const rgb = Array.from({ length: W * H * 3 }, (_, i) => (i * 29) % 256);
    const planar = [0, 1, 2].flatMap((c) => Array.from({ length: W * H }, (_, i) => rgb[3 * i + c]!));
    expect(await decoded({ ...base, bitsAllocated: 8, samplesPerPixel: 3, pixels: rgb })).toEqual(rgb);
    expect(await decoded({ ...base, bitsAllocated: 8, samplesPerPixel: 3, planarConfiguration: 1, pixels: planar })).toEqual(rgb);
  });
});

describe('DICOM decoding: compressed transfer syntaxes', () => {
  it.each([
    ['1.2.840.10008.1.2.4.70', 16, 65535],
    ['1.2.840.10008.1.2.4.57', 12, 4095],
    ['1.2.840.10008.1.2.4.70', 8, 255],
  ])('JPEG lossless %s, %i-bit: exactly the stored values through the window', async (transferSyntax, precision, top) => {
    const stored = storedValues(0, top, precision);
    const bitsAllocated = precision > 8 ? 16 : 8;
    const frame = encodeJpegLossless(stored, W, H, precision);
    const spec = { ...base, bitsAllocated, bitsStored: precision, transferSyntax, encapsulated: frame, fragmentSize: 40, intercept: -100, windowCenter: top / 2, windowWidth: top / 1.5 } as const;
    expect(await decoded(spec)).toEqual(reference(stored, { intercept: -100, center: top / 2, width: top / 1.5 }));
  });

  it.each([
    [16, 16, 65535],
    [8, 8, 255],
  ] as const)('RLE lossless, %i bits allocated', async (bitsAllocated, bitsStored, top) => {
    const stored = storedValues(0, top, 31);
    // long constant stretches exercise the repeat runs
    for (let i = 20; i < 40; i++) stored[i] = stored[20]!;
    const frame = encodeRle(stored, W * H, 1, bitsAllocated === 16 ? 2 : 1);
    const out = await decoded({ ...base, bitsAllocated, bitsStored, transferSyntax: '1.2.840.10008.1.2.5', encapsulated: frame, photometric: 'MONOCHROME1' });
    expect(out).toEqual(reference(stored, { range: [0, top], monochrome1: true }));
  });

  it('RLE lossless RGB', async () => {
    const rgb = Array.from({ length: W * H * 3 }, (_, i) => (i * 53) % 256);
    const frame = encodeRle(rgb, W * H, 3, 1);
    expect(await decoded({ ...base, bitsAllocated: 8, samplesPerPixel: 3, transferSyntax: '1.2.840.10008.1.2.5', encapsulated: frame })).toEqual(rgb);
  });

  it.each([
    [16, 65535, false],
    [12, 4095, false],
    [16, 2000, true],
  ] as const)('JPEG 2000 lossless, %i bits up to %i (signed: %s), encoded by OpenJPEG here', async (bits, top, signed) => {
    const stored = signed ? storedValues(-top, top, 37) : storedValues(0, top, 37);
    const require = createRequire(import.meta.url);
    const openjpeg = await (require('@cornerstonejs/codec-openjpeg/wasmjs') as () => Promise<Record<string, new () => Record<string, (...a: unknown[]) => unknown>>>)();
    const encoder = new openjpeg.J2KEncoder!();
    const raw = encoder.getDecodedBuffer!({ width: W, height: H, bitsPerSample: bits, componentCount: 1, isSigned: signed, isUsingColorTransform: false }) as Uint8Array;
    const words = new Uint8Array(new (signed ? Int16Array : Uint16Array)(stored).buffer);
    raw.set(words);
    encoder.setQuality!(true, 0);
    encoder.setDecompositions!(2);
    encoder.encode!();
    const frame = (encoder.getEncodedBuffer!() as Uint8Array).slice();
    encoder.delete!();
    const spec = { ...base, bitsAllocated: 16, bitsStored: bits, pixelRepresentation: signed ? 1 : 0, transferSyntax: '1.2.840.10008.1.2.4.90', encapsulated: frame } as const;
    const range: [number, number] = signed ? [-(2 ** (bits - 1)), 2 ** (bits - 1) - 1] : [0, 2 ** bits - 1];
    expect(await decoded(spec)).toEqual(reference(stored, { range }));
  });

  it('JPEG baseline (grey, 8-bit): the values libjpeg-turbo decodes from the same stream, within one level', async () => {
    const stored = storedValues(0, 255, 41);
    const jpeg = await sharp(Uint8Array.from(stored), { raw: { width: W, height: H, channels: 1 } }).toColourspace('b-w').jpeg({ quality: 95 }).toBuffer();
    expect((await sharp(jpeg).metadata()).channels).toBe(1); // one grey component, as DICOM MONOCHROME2 wants
    const { data, info } = await sharp(jpeg).toColourspace('b-w').raw().toBuffer({ resolveWithObject: true });
    expect(info.channels).toBe(1);
    const out = await decoded({ ...base, bitsAllocated: 8, transferSyntax: '1.2.840.10008.1.2.4.50', encapsulated: new Uint8Array(jpeg), fragmentSize: 64 });
    const levels = out.map((v) => v / 257);
    expect(levels.every(Number.isInteger)).toBe(true);
    const worst = Math.max(...levels.map((v, i) => Math.abs(v - data[i]!)));
    expect(worst).toBeLessThanOrEqual(1);
  });
});

describe('DICOM decoding: refusals are coded diagnostics', () => {
  const ok = { ...base, bitsAllocated: 16, bitsStored: 12, pixels: storedValues(0, 4095) } as const;

  it('names an unsupported transfer syntax and the supported ones (CVR560)', async () => {
    const f = failure(await decodeDicom(writeDicom({ ...base, bitsAllocated: 16, transferSyntax: '1.2.840.10008.1.2.4.80', encapsulated: new Uint8Array([0xff, 0xd8, 0xff, 0xd9]) })));
    expect(f.code).toBe('CVR560');
    expect(f.message).toContain('JPEG-LS Lossless');
    expect(f.message).toContain('JPEG 2000');
    expect(failure(await decodeDicom(writeDicom({ ...ok, transferSyntax: '1.2.3.4' }))).code).toBe('CVR560');
  });

  it('refuses a 12-bit JPEG extended stream (CVR560) and a corrupt JPEG 2000 stream (CVR562)', async () => {
    const twelve = Uint8Array.from([0xff, 0xd8, 0xff, 0xc1, 0, 11, 12, 0, H, 0, W, 1, 1, 0x11, 0, 0xff, 0xd9]);
    expect(failure(await decodeDicom(writeDicom({ ...base, bitsAllocated: 16, bitsStored: 12, transferSyntax: '1.2.840.10008.1.2.4.51', encapsulated: twelve }))).code).toBe('CVR560');
    const junk = Uint8Array.from({ length: 64 }, (_, i) => (i * 7) % 256);
    expect(failure(await decodeDicom(writeDicom({ ...base, bitsAllocated: 16, transferSyntax: '1.2.840.10008.1.2.4.90', encapsulated: junk }))).code).toBe('CVR562');
  });

  it('refuses a compressed stream larger than its header says before decoding it (CVR562)', async () => {
    const stored = storedValues(0, 4095, 43);
    const lossless = encodeJpegLossless(stored, W, H, 12);
    const f = failure(await decodeDicom(writeDicom({ rows: H, columns: W + 1, bitsAllocated: 16, bitsStored: 12, transferSyntax: '1.2.840.10008.1.2.4.70', encapsulated: lossless })));
    expect(f).toEqual({ code: 'CVR562', message: expect.stringContaining(`stream is ${W}×${H}, the header says ${W + 1}×${H}`) as unknown as string });
    const rle = encodeRle(stored, W * H, 1, 2);
    expect(failure(await decodeDicom(writeDicom({ rows: H + 1, columns: W, bitsAllocated: 16, transferSyntax: '1.2.840.10008.1.2.5', encapsulated: rle }))).code).toBe('CVR562');
  });

  it('refuses PALETTE COLOR and 32 bits allocated (CVR563)', async () => {
    expect(failure(await decodeDicom(writeDicom({ ...ok, bitsAllocated: 8, bitsStored: 8, photometric: 'PALETTE COLOR', pixels: [1] })))).toMatchObject({ code: 'CVR563' });
    const words = writeDicom({ ...ok, bitsAllocated: 16, bitsStored: 16 });
    // patch Bits Allocated (0028,0100) to 32: explicit VR little endian "(28 00 00 01) US 02 00 10 00"
    const at = Buffer.from(words).indexOf(Buffer.from([0x28, 0x00, 0x00, 0x01, 0x55, 0x53, 0x02, 0x00]));
    expect(at).toBeGreaterThan(0);
    words[at + 8] = 32;
    expect(failure(await decodeDicom(words)).code).toBe('CVR563');
  });

  it('reports truncated pixel data, a non-image object and bytes that are not DICOM (CVR561)', async () => {
    const bytes = writeDicom(ok);
    expect(failure(await decodeDicom(bytes.subarray(0, bytes.length - 20))).code).toBe('CVR561');
    expect(failure(await decodeDicom(writeDicom({ ...base, rows: 0, bitsAllocated: 16 }))).code).toBe('CVR561');
    expect(failure(await decodeDicom(new TextEncoder().encode('not a dicom file at all, just text'))).code).toBe('CVR561');
  });

  it('refuses a window width below 1 (CVR565)', async () => {
    expect(failure(await decodeDicom(writeDicom({ ...ok, windowCenter: 100, windowWidth: 0 }))).code).toBe('CVR565');
  });

  it('refuses a multi-frame file as a volume (CVR564)', async () => {
    const f = failure(await decodeDicom(writeDicom({ ...ok, frames: 3, pixels: [...ok.pixels, ...ok.pixels, ...ok.pixels] })));
    expect(f.code).toBe('CVR564');
    expect(f.message).toContain('3 frames');
  });

  it('refuses more pixels than the limit before decoding (CVR801)', async () => {
    expect(failure(await decodeDicom(writeDicom(ok), { maxPixels: W * H - 1 })).code).toBe('CVR801');
  });
});
