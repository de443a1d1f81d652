/**
 * Near-duplicate detection (docs/dedupe.md), on chest phantoms: an edited copy within the
 * documented range (JPEG 60–90, resize 0.7–1.3×, shift/crop ≤ 5 %, intensity ≤ 10 %, marker,
 * noise) is found; an image of another patient is not. Expected outcomes come from the planted
 * ground truth, not from cvr's own output.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { decodeImage } from '../../../src/data/index.ts';
import { signatureOf, nearDuplicatePairs, clustersOf, candidatePairs, hashTable } from '../../../src/data/dedupe/index.ts';
import { NO_ARTIFACTS, renderImage, encodePng, editedCopy } from '../../../src/data/synth/index.ts';
import { deriveRng } from '../../../src/data/synth/random.ts';
import type { ImageRecipe } from '../../../src/data/synth/index.ts';

const SIZE = 96;
const settings = { width: 64, height: 64, channels: 1 as const, resize: 'area' as const };

function recipe(patient: string, index: number): ImageRecipe {
  return { seed: 5, source: 'dedupe', patient, index, modality: 'cxr', finding: 'NOR', severity: 0, profile: NO_ARTIFACTS, baseSize: SIZE };
}

async function png(r: ImageRecipe): Promise<Buffer> {
  return encodePng(renderImage(r));
}

async function signature(bytes: Buffer) {
  const d = await decodeImage('x.png', bytes, settings, 1e9);
  if (!d.ok) throw new Error('decode failed');
  return signatureOf(d.pixels, 64, 64, 1);
}

describe('near-duplicates', () => {
  it('finds an edited copy within the documented range', { timeout: 120_000 }, async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 40 }), fc.integer({ min: 0, max: 10_000 }), async (patient, editSeed) => {
        const original = await png(recipe(String(patient), patient));
        const { png: copy } = await editedCopy(original, deriveRng(editSeed, 'test', patient, 'edits'));
        const pairs = nearDuplicatePairs([await signature(original), await signature(copy)]);
        expect(pairs.map((p) => [p.a, p.b])).toEqual([[0, 1]]);
      }),
      { numRuns: 12, seed: 42 },
    );
  });

  it('does not pair images of different patients', { timeout: 120_000 }, async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 40 }), fc.integer({ min: 41, max: 80 }), async (p, q) => {
        const pairs = nearDuplicatePairs([await signature(await png(recipe(String(p), p))), await signature(await png(recipe(String(q), q)))]);
        expect(pairs).toEqual([]);
      }),
      { numRuns: 12, seed: 7 },
    );
  });

  it('candidate search finds every pair within 7 bits that a brute-force scan finds', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.nat(), fc.nat(), fc.nat(), fc.nat()), { minLength: 2, maxLength: 60 }), fc.array(fc.nat({ max: 63 }), { maxLength: 7 }), (rows, flips) => {
        const sigs = rows.map(([a, b, c, d]) => ({ phash: [a >>> 0, b >>> 0] as const, dhash: [c >>> 0, d >>> 0] as const, thumb: new Uint8Array(0) }));
        // a planted neighbour of the first row, `flips` bits away on the DCT hash
        const first = sigs[0]!;
        let [hi, lo] = first.phash;
        for (const bit of new Set(flips)) bit < 32 ? (hi = (hi ^ (1 << bit)) >>> 0) : (lo = (lo ^ (1 << (bit - 32))) >>> 0);
        sigs.push({ ...first, phash: [hi, lo] as const });
        const table = hashTable(sigs);
        const found = candidatePairs(table, { radius: 7, perImage: 1000 });
        const got = new Set<string>();
        for (let k = 0; k < found.length; k += 2) got.add(`${found[k]},${found[k + 1]}`);
        const bits = (x: number): number => x.toString(2).replace(/0/g, '').length;
        for (let i = 0; i < sigs.length; i++) {
          for (let j = i + 1; j < sigs.length; j++) {
            const dp = bits((sigs[i]!.phash[0] ^ sigs[j]!.phash[0]) >>> 0) + bits((sigs[i]!.phash[1] ^ sigs[j]!.phash[1]) >>> 0);
            const dd = bits((sigs[i]!.dhash[0] ^ sigs[j]!.dhash[0]) >>> 0) + bits((sigs[i]!.dhash[1] ^ sigs[j]!.dhash[1]) >>> 0);
            expect(got.has(`${i},${j}`)).toBe(dp <= 7 || dd <= 7);
          }
        }
      }),
      { numRuns: 50 },
    );
  });

  it('clusters are the connected components of the pairs', () => {
    expect(clustersOf(6, [{ a: 0, b: 3, similarity: 1 }, { a: 3, b: 5, similarity: 1 }, { a: 1, b: 2, similarity: 1 }])).toEqual([[0, 3, 5], [1, 2]]);
  });
});
