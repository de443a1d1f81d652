import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeDicom } from '../../../src/data/dicom/index.ts';
import { writeDicom } from '../../../src/data/dicom/write.ts';
import { encodeJpegLossless, encodeRle } from './encoders.ts';

const W = 9;
const H = 5;
const stored = Array.from({ length: W * H }, (_, i) => (i * 977) % 4096);

/** Valid files of several syntaxes, to be damaged. */
const FILES: readonly Uint8Array[] = [
  writeDicom({ rows: H, columns: W, bitsAllocated: 16, bitsStored: 12, pixels: stored, windowCenter: 2000, windowWidth: 3000, slope: 2, intercept: -5 }),
  writeDicom({ rows: H, columns: W, bitsAllocated: 16, bitsStored: 12, transferSyntax: '1.2.840.10008.1.2.4.70', encapsulated: encodeJpegLossless(stored, W, H, 12) }),
  writeDicom({ rows: H, columns: W, bitsAllocated: 16, transferSyntax: '1.2.840.10008.1.2.5', encapsulated: encodeRle(stored, W * H, 1, 2) }),
  writeDicom({ rows: H, columns: W, bitsAllocated: 8, transferSyntax: '1.2.840.10008.1.2.1.99', pixels: stored.map((v) => v % 256) }),
];

const CODES = new Set(['CVR560', 'CVR561', 'CVR562', 'CVR563', 'CVR564', 'CVR565', 'CVR801']);

describe('damaged DICOM files', () => {
  it('decode to an image of the header size or to a coded failure, never a throw', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 0, max: FILES.length - 1 }),
        fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 6 }),
        fc.option(fc.nat(), { nil: undefined }),
        async (which, edits, cut) => {
          const bytes = FILES[which]!.slice();
          for (const [at, value] of edits) bytes[at % bytes.length] = value;
          const damaged = cut === undefined ? bytes : bytes.subarray(0, cut % bytes.length);
          const r = await decodeDicom(damaged, { maxPixels: 1 << 20 });
          if (r.ok) expect(r.image.pixels.length).toBe(r.image.width * r.image.height * r.image.channels);
          else expect(CODES.has(r.code)).toBe(true);
        },
      ),
      { numRuns: 300, seed: 1307 },
    );
  });
});
