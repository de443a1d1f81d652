/**
 * Planted near-duplicates for `cvr synth --near-duplicates N` (docs/dedupe.md): an image copied
 * into another (or the same) source after the edits real republished datasets apply — JPEG
 * re-encoding (quality 60–90), resizing (0.7–1.3×), a shift or border crop (≤ 5 %), brightness,
 * contrast and gamma (≤ 10 %), a burned-in marker, noise — with the ground truth in
 * `near-duplicates.json`. Hard negatives need no planting: other images of the same phantom
 * patient (same anatomy, another positioning) are listed beside them.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import sharp from 'sharp';
import { drawText } from './glyphs.ts';
import type { PlannedImage } from './plan.ts';
import type { SourcePlan } from './presets.ts';
import { deriveRng } from './random.ts';
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

/** A planted copy: the original, and the copy as a planned image of its target source. */
export interface CopyPlan {
  readonly original: PlannedImage;
  readonly copy: PlannedImage;
}

function pngPlans(plans: readonly SourcePlan[]): SourcePlan[] {
  return plans.filter((p) => (p.layout.format ?? 'png') === 'png');
}

/**
 * N originals (PNG sources only), each copied into a source that has a label of the same
 * finding — another source two times in three, its own otherwise — as a new patient there.
 */
export function planNearCopies(images: readonly PlannedImage[], plans: readonly SourcePlan[], n: number, seed: number): CopyPlan[] {
  const rng = deriveRng(seed, 'near-duplicates', 0, 'plan');
  const candidates = images.filter((i) => (i.plan.layout.format ?? 'png') === 'png');
  const targets = pngPlans(plans);
  const used = new Map<string, { patient: number; serial: number; nth: Map<string, number> }>();
  for (const img of images) {
    const u = used.get(img.plan.key) ?? { patient: 0, serial: 0, nth: new Map<string, number>() };
    u.patient = Math.max(u.patient, img.name.patient);
    u.serial = Math.max(u.serial, img.name.serial);
    u.nth.set(img.name.native, Math.max(u.nth.get(img.name.native) ?? 0, img.name.nth));
    used.set(img.plan.key, u);
  }
  const out: CopyPlan[] = [];
  for (let k = 0; k < n && candidates.length > 0; k++) {
    const original = candidates[rng.int(0, candidates.length - 1)]!;
    const others = targets.filter((p) => p.key !== original.plan.key && p.labels.some((l) => l.mix.some(([f]) => f === original.finding)));
    const plan = others.length > 0 && rng.chance(2 / 3) ? others[rng.int(0, others.length - 1)]! : original.plan;
    const label = plan === original.plan ? plan.labels.find((l) => l.native === original.name.native)! : plan.labels.find((l) => l.mix.some(([f]) => f === original.finding))!;
    const u = used.get(plan.key) ?? { patient: 0, serial: 0, nth: new Map<string, number>() };
    u.patient++;
    u.serial++;
    const nth = (u.nth.get(label.native) ?? 0) + 1;
    u.nth.set(label.native, nth);
    used.set(plan.key, u);
    const name = { native: label.native, patient: u.patient, view: 1, nth, serial: u.serial };
    const file = plan.layout.file(name);
    const manifest = plan.layout.manifest;
    out.push({
      original,
      copy: { plan, name, finding: original.finding, file, manifestRow: manifest === undefined ? null : manifest.row(name, file), recipe: { ...original.recipe, source: plan.key, patient: String(u.patient), index: u.serial } },
    });
  }
  return out;
}

/** Writes every copy (edited from its original's file) and returns the ground truth. */
export async function writeNearCopies(out: string, copies: readonly CopyPlan[], images: readonly PlannedImage[], seed: number): Promise<NearDuplicateTruth> {
  const planted: PlantedCopy[] = [];
  for (const [k, c] of copies.entries()) {
    const { png, edits } = await editedCopy(await readFile(join(out, c.original.file)), deriveRng(seed, 'near-duplicates', k, 'edits'));
    await mkdir(dirname(join(out, c.copy.file)), { recursive: true });
    await writeFile(join(out, c.copy.file), png);
    planted.push({ copy: c.copy.file, original: c.original.file, copySource: c.copy.plan.source, originalSource: c.original.plan.source, edits });
  }
  const byPatient = new Map<string, string[]>();
  for (const img of images) {
    const key = `${img.plan.key}\u0000${img.name.patient}`;
    const list = byPatient.get(key) ?? [];
    list.push(img.file);
    byPatient.set(key, list);
  }
  const hardNegatives: [string, string][] = [];
  for (const files of byPatient.values()) for (let i = 1; i < files.length; i++) hardNegatives.push([files[0]!, files[i]!]);
  return { copies: planted, hardNegatives };
}
