/**
 * Planted near-duplicates for `cvr synth --near-duplicates N` (docs/dedupe.md): an image copied
 * into another (or the same) source after the edits real republished datasets apply — JPEG
 * re-encoding (quality 60–90), resizing (0.7–1.3×), a shift or border crop (≤ 5 %), brightness,
 * contrast and gamma (≤ 10 %), a burned-in marker, noise — with the ground truth in
 * `near-duplicates.json`. Hard negatives need no planting: other images of the same phantom
 * patient (same anatomy, another positioning) are listed beside them.
 */
import sharp from 'sharp';
import { drawText } from './glyphs.ts';
import type { Raster } from './raster.ts';
import type { Rng } from './random.ts';

export const NEAR_DUPLICATES_FILE = 'near-duplicates.json';

export interface PlantedCopy {
  /** The copy's file, relative to the output folder. */
  readonly copy: string;
  readonly original: string;
  readonly copySource: string;
  readonly originalSource: string;
  /** The edits applied, in order, with their amounts (`jpeg q72`, `resize 0.83`, …). */
  readonly edits: readonly string[];
}

export interface NearDuplicateTruth {
  readonly copies: readonly PlantedCopy[];
  /** Pairs of different images of one phantom patient: similar anatomy, not copies. */
  readonly hardNegatives: readonly (readonly [string, string])[];
}

function round2(x: number): string {
  return x.toFixed(2);
}

/** Shift by (dx, dy) pixels, or crop each border by the given pixels: new pixels are black. */
function shiftOrCrop(src: Raster, rng: Rng, edits: string[]): Raster {
  const { width: w, height: h } = src;
  if (rng.chance(0.5)) {
    const dx = Math.round(rng.uniform(-0.05, 0.05) * w);
    const dy = Math.round(rng.uniform(-0.05, 0.05) * h);
    const out = new Float32Array(w * h);
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        const sx = x - dx;
        const sy = y - dy;
        if (sx >= 0 && sy >= 0 && sx < w && sy < h) out[y * w + x] = src.data[sy * w + sx]!;
      }
    }
    edits.push(`shift ${dx},${dy}px`);
    return { width: w, height: h, data: out };
  }
  // at most 5 % of each dimension in all: left + right, top + bottom
  const cut = (n: number): [number, number] => {
    const total = rng.uniform(0, 0.05) * n;
    const first = Math.round(rng.next() * total);
    return [first, Math.round(total) - first > 0 ? Math.round(total) - first : 0];
  };
  const [l, r] = cut(w);
  const [t, b] = cut(h);
  const cw = w - l - r;
  const ch = h - t - b;
  const out = new Float32Array(cw * ch);
  for (let y = 0; y < ch; y++) for (let x = 0; x < cw; x++) out[y * cw + x] = src.data[(y + t) * w + x + l]!;
  edits.push(`crop ${l},${r},${t},${b}px`);
  return { width: cw, height: ch, data: out };
}

function intensity(img: Raster, rng: Rng, edits: string[]): void {
  const gamma = rng.uniform(0.9, 1.1);
  const contrast = rng.uniform(0.9, 1.1);
  const brightness = rng.uniform(-0.1, 0.1);
  const d = img.data;
  for (let i = 0; i < d.length; i++) d[i] = Math.pow(Math.max(0, d[i]!), gamma) * contrast + brightness;
  edits.push(`gamma ${round2(gamma)} contrast ${round2(contrast)} brightness ${round2(brightness)}`);
}

function marker(img: Raster, rng: Rng, edits: string[]): void {
  const text = ['L', 'R', 'AP', 'PORTABLE'][rng.int(0, 3)]!;
  const cell = Math.max(1, Math.round(img.width / 80));
  const x = rng.chance(0.5) ? 2 * cell : img.width - (text.length * 6 + 2) * cell;
  const y = rng.chance(0.5) ? 2 * cell : img.height - 10 * cell;
  drawText(img, text, x, y, cell, 1, 0.9);
  edits.push(`marker ${text}`);
}

function noise(img: Raster, rng: Rng, edits: string[]): void {
  const sd = rng.uniform(1, 4) / 255;
  const d = img.data;
  for (let i = 0; i < d.length; i++) d[i] = d[i]! + rng.normal(0, sd);
  edits.push(`noise sd ${round2(sd * 255)}`);
}

/**
 * An edited copy of a PNG: each edit but the JPEG round trip is drawn with probability ½ (at
 * least one of them applies); the result is 8-bit grey PNG, JPEG artefacts included.
 */
export async function editedCopy(png: Buffer, rng: Rng): Promise<{ png: Buffer; edits: string[] }> {
  const { data, info } = await sharp(png).greyscale().raw().toBuffer({ resolveWithObject: true });
  let img: Raster = { width: info.width, height: info.height, data: Float32Array.from(data.subarray(0, info.width * info.height), (v) => v / 255) };
  const edits: string[] = [];
  const steps = [shiftOrCrop, intensity, marker, noise, 'resize'] as const;
  let chosen = steps.filter(() => rng.chance(0.5));
  if (chosen.length === 0) chosen = [steps[rng.int(0, steps.length - 1)]!];
  let scale = 1;
  for (const step of chosen) {
    if (step === 'resize') scale = rng.uniform(0.7, 1.3);
    else if (step === shiftOrCrop) img = shiftOrCrop(img, rng, edits);
    else step(img, rng, edits);
  }
  const bytes = Buffer.from(Uint8Array.from(img.data, (v) => Math.max(0, Math.min(255, Math.round(v * 255)))));
  let pipe = sharp(bytes, { raw: { width: img.width, height: img.height, channels: 1 } });
  if (scale !== 1) {
    pipe = pipe.resize(Math.max(8, Math.round(img.width * scale)), Math.max(8, Math.round(img.height * scale)), { fit: 'fill' });
    edits.push(`resize ${round2(scale)}`);
  }
  const quality = rng.int(60, 90);
  const jpeg = await pipe.toColourspace('b-w').jpeg({ quality }).toBuffer();
  edits.push(`jpeg q${quality}`);
  const out = await sharp(jpeg).toColourspace('b-w').png({ compressionLevel: 1, adaptiveFiltering: false, palette: false }).toBuffer();
  return { png: out, edits };
}
