/**
 * Near-duplicate detection (docs/dedupe.md), on chest phantoms: an edited copy within the
 * documented range (JPEG 60–90, resize 0.7–1.3×, shift/crop ≤ 5 %, intensity ≤ 10 %, marker,
 * noise) is found; an image of another patient is not. Expected outcomes come from the planted
 * ground truth, not from cvr's own output.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { decodeImage } from '../../../src/data/index.ts';
import { signatureOf, nearDuplicatePairs, clustersOf, candidatePairs } from '../../../src/data/dedupe/index.ts';
import { COEFFS, VIEWS } from '../../../src/data/dedupe/signature.ts';
import { NO_ARTIFACTS, renderImage, encodePng, editedCopy } from '../../../src/data/synth/index.ts';
import { deriveRng } from '../../../src/data/synth/random.ts';
import type { ImageRecipe } from '../../../src/data/synth/index.ts';

const SIZE = 96;
const settings = { width: 64, height: 64, channels: 1 as const, resize: 'area' as const };

function recipe(patient: string, index: number, modality: 'cxr' | 'ct' = 'cxr', studies = false): ImageRecipe {
  return { seed: 5, source: 'dedupe', patient, index, modality, finding: 'NOR', severity: 0, profile: NO_ARTIFACTS, baseSize: SIZE, ...(studies && { studies }) };
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

  it('finds an edited copy of a CT slice and of a radiograph study', { timeout: 120_000 }, async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom('cxr' as const, 'ct' as const), fc.integer({ min: 1, max: 40 }), fc.integer({ min: 0, max: 10_000 }), async (modality, patient, editSeed) => {
        const original = await png(recipe(String(patient), patient, modality, true));
        const { png: copy } = await editedCopy(original, deriveRng(editSeed, 'test', patient, 'edits'));
        const pairs = nearDuplicatePairs([await signature(original), await signature(copy)]);
        expect(pairs.map((p) => [p.a, p.b])).toEqual([[0, 1]]);
      }),
      { numRuns: 12, seed: 11 },
    );
  });

  // Hard negatives (docs/dedupe.md): another slice of the same CT patient (another chest level),
  // another study of the same radiograph patient (inspiration, positioning, devices), and
  // unrelated images of the same modality: none is a copy, none may be paired.
  it('does not pair a hard negative: another CT slice or another radiograph study of one patient', { timeout: 120_000 }, async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom('cxr' as const, 'ct' as const), fc.integer({ min: 1, max: 40 }), fc.integer({ min: 1, max: 2 }), async (modality, patient, step) => {
        const a = await png(recipe(String(patient), 10 * patient, modality, true));
        const b = await png(recipe(String(patient), 10 * patient + step, modality, true));
        expect(nearDuplicatePairs([await signature(a), await signature(b)])).toEqual([]);
      }),
      { numRuns: 16, seed: 3 },
    );
  });

  it('does not pair CT slices of different patients', { timeout: 120_000 }, async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 40 }), fc.integer({ min: 41, max: 80 }), async (p, q) => {
        const pairs = nearDuplicatePairs([await signature(await png(recipe(String(p), p, 'ct'))), await signature(await png(recipe(String(q), q, 'ct')))]);
        expect(pairs).toEqual([]);
      }),
      { numRuns: 12, seed: 9 },
    );
  });

  // Coefficient rows: VIEWS × COEFFS small integers, so that ties and medians are exact.
  const rowsArb = fc.array(fc.array(fc.integer({ min: -3, max: 3 }), { minLength: VIEWS * COEFFS, maxLength: VIEWS * COEFFS }), { minLength: 2, maxLength: 40 });
  const pairsOf = (found: Uint32Array): Set<string> => {
    const out = new Set<string>();
    for (let k = 0; k < found.length; k += 2) out.add(`${found[k]},${found[k + 1]}`);
    return out;
  };

  it('the index with one leaf for all images scans everything: it equals the exhaustive scan (brute force below)', () => {
    fc.assert(
      fc.property(rowsArb, fc.integer({ min: 1, max: 5 }), (rows, k) => {
        const table = Float32Array.from(rows.flat());
        expect(candidatePairs(table, { exactBelow: 0, perImage: k, leaf: rows.length })).toEqual(candidatePairs(table, { perImage: k }));
      }),
      { numRuns: 40 },
    );
  });

  // A seeded clustered set: 200 centres (coefficient spread falling with frequency, as DCT
  // coefficients' does), 1,800 jittered members, and 100 near-copies of members.
  const clustered = (): { table: Float32Array; copies: [number, number][] } => {
    let state = 7;
    const rand = (): number => ((state = (Math.imul(state, 1664525) + 1013904223) >>> 0) + 0.5) / 2 ** 32;
    const gauss = (): number => Math.sqrt(-2 * Math.log(rand())) * Math.cos(2 * Math.PI * rand());
    const d = VIEWS * COEFFS;
    const n = 2100;
    const table = new Float32Array(n * d);
    const spread = (k: number): number => 1 / (1 + (k % COEFFS) / 4);
    for (let i = 0; i < 2000; i++) {
      for (let k = 0; k < d; k++) table[i * d + k] = i < 200 ? gauss() * spread(k) : table[(i % 200) * d + k]! + 0.2 * gauss() * spread(k);
    }
    const copies: [number, number][] = [];
    for (let i = 2000; i < n; i++) {
      const of = ((i - 2000) * 37) % 2000;
      for (let k = 0; k < d; k++) table[i * d + k] = table[of * d + k]! + 0.01 * gauss() * spread(k);
      copies.push([of, i]);
    }
    return { table, copies };
  };

  it('the index (forced) finds most of the exhaustive scan\'s pairs and every near-copy on a seeded clustered set', { timeout: 120_000 }, () => {
    const { table, copies } = clustered();
    const exact = pairsOf(candidatePairs(table));
    const indexed = pairsOf(candidatePairs(table, { exactBelow: 0 }));
    // the exhaustive scan's own guarantee is checked against brute force in the next test
    const agree = [...exact].filter((p) => indexed.has(p)).length;
    expect(agree / exact.size).toBeGreaterThan(0.9); // measured 0.92: approximate, not a guarantee
    for (const [a, b] of copies) expect(indexed.has(`${a},${b}`)).toBe(true);
  });

  it('the index is deterministic, and its wasm SIMD distances equal the JavaScript reference bit for bit', { timeout: 120_000 }, () => {
    const { table } = clustered();
    const once = candidatePairs(table, { exactBelow: 0 });
    expect(candidatePairs(table, { exactBelow: 0 })).toEqual(once);
    expect(candidatePairs(table, { exactBelow: 0, simd: false })).toEqual(once);
    // the second view on a worker thread (search-worker.mjs), as above 20,000 images
    expect(candidatePairs(table, { exactBelow: 0, workerAbove: 0, threads: 2 })).toEqual(once);
  });

  it('the exhaustive scan keeps each image\'s k nearest per view (brute force)', () => {
    fc.assert(
      fc.property(rowsArb, fc.integer({ min: 1, max: 5 }), (rows, k) => {
        const n = rows.length;
        const found = pairsOf(candidatePairs(Float32Array.from(rows.flat()), { perImage: k }));
        const expected = new Set<string>();
        for (let view = 0; view < VIEWS; view++) {
          const d = (i: number, j: number): number => rows[i]!.slice(view * COEFFS, (view + 1) * COEFFS).reduce((s, v, t) => s + (v - rows[j]![view * COEFFS + t]!) ** 2, 0);
          for (let i = 0; i < n; i++) {
            const others = rows.map((_, j) => j).filter((j) => j !== i).sort((x, y) => d(i, x) - d(i, y) || x - y);
            for (const j of others.slice(0, k)) expected.add(`${Math.min(i, j)},${Math.max(i, j)}`);
          }
        }
        expect([...found].sort()).toEqual([...expected].sort());
      }),
      { numRuns: 50 },
    );
  });

  it('clusters are the connected components of the pairs', () => {
    expect(clustersOf(6, [{ a: 0, b: 3, similarity: 1 }, { a: 3, b: 5, similarity: 1 }, { a: 1, b: 2, similarity: 1 }])).toEqual([[0, 3, 5], [1, 2]]);
  });
});
