import { drawCtAnatomy, sampleCtAnatomy, sliceLevel } from './anatomy/ct.ts';
import { drawCxrAnatomy, sampleCxrAnatomy } from './anatomy/cxr.ts';
import { drawDevices, studyAnatomy } from './anatomy/study.ts';
import type { ArtifactProfile } from './artifacts.ts';
import { applyArtifacts, artifactSize } from './artifacts.ts';
import { addCtFinding } from './findings/ct.ts';
import { addCxrFinding } from './findings/cxr.ts';
import type { FindingClass } from './findings/types.ts';
import type { Rng } from './random.ts';
import { deriveRng } from './random.ts';
import type { Raster } from './raster.ts';
import { makeRaster } from './raster.ts';

export type Modality = 'cxr' | 'ct';

/** Everything that determines one image's pixels. */
export interface ImageRecipe {
  readonly seed: number;
  /** The random-stream key of the source (its artifacts are in `profile`). */
  readonly source: string;
  readonly patient: string;
  /** Index of the image within its source: the per-image stream. */
  readonly index: number;
  readonly modality: Modality;
  readonly finding: FindingClass;
  /** 0 (barely visible) .. 1 (obvious). */
  readonly severity: number;
  readonly profile: ArtifactProfile;
  /** The preset's base image size in pixels; the source's `profile.size` scales it. */
  readonly baseSize: number;
  /**
   * Each radiograph is a study of its own (SourcePlan.repeatStudies): inspiration, positioning
   * and devices vary per image, so a patient's repeat images differ as real ones do.
   */
  readonly studies?: boolean;
}

export interface RenderedImage {
  readonly width: number;
  readonly height: number;
  readonly pixels: Uint8Array;
  /** The true lung field (both lungs, positioned like the image): 255 inside, 0 outside. */
  readonly lungMask?: Uint8Array;
}

/** Both lungs' soft masks, positioned like the image, thresholded at one half. */
function lungMaskOf(lungs: readonly { readonly mask: Raster }[], positioning: Positioning): Uint8Array {
  const first = lungs[0]!.mask;
  const union = makeRaster(first.width, first.height);
  for (const lung of lungs) for (let i = 0; i < union.data.length; i++) union.data[i] = Math.max(union.data[i]!, lung.mask.data[i]!);
  const placed = applyPositioning(union, positioning, false);
  return Uint8Array.from(placed.data, (v) => (v >= 0.5 ? 255 : 0));
}

/**
 * Patient positioning: a small rotation, zoom and shift, resampled bilinearly. With `exposure`
 * (radiographs) each value then goes through the X-ray response 1 − exp(−k·density) in the same
 * pass; `exposure` is drawn after the positioning so the stream's order stays as it was.
 */
interface Positioning {
  readonly cos: number;
  readonly sin: number;
  readonly sx: number;
  readonly sy: number;
  readonly k: number;
}

function drawPositioning(w: number, h: number, rng: Rng, amount: number, exposure: readonly [number, number] | null): Positioning {
  const ang = rng.normal(0, 0.025 * amount);
  const zoom = 1 + rng.normal(0, 0.03 * amount);
  const sx = rng.normal(0, 0.015 * amount) * w;
  const sy = rng.normal(0, 0.015 * amount) * h;
  // X-ray: grey level rises with attenuation, 1 − exp(−k·density), k the exposure
  const k = exposure === null ? 0 : rng.uniform(exposure[0], exposure[1]);
  return { cos: Math.cos(ang) / zoom, sin: Math.sin(ang) / zoom, sx, sy, k };
}

function warp(src: Raster, rng: Rng, amount: number, exposure: readonly [number, number] | null): { image: Raster; positioning: Positioning } {
  const positioning = drawPositioning(src.width, src.height, rng, amount, exposure);
  return { image: applyPositioning(src, positioning, true), positioning };
}

/** Resamples `src` under the positioning; with `expose`, through the exposure response too. */
function applyPositioning(src: Raster, positioning: Positioning, expose: boolean): Raster {
  const { width: w, height: h, data } = src;
  const out = makeRaster(w, h);
  const { cos, sin, sx, sy } = positioning;
  const cx = w / 2;
  const cy = h / 2;
  const k = expose ? positioning.k : 0;
  const response = k === 0 ? null : exposureTable(k);
  const od = out.data;
  for (let y = 0; y < h; y++) {
    const dy = y - cy - sy;
    const sinDy = sin * dy;
    const cosDy = cos * dy;
    const row = y * w;
    for (let x = 0; x < w; x++) {
      const dx = x - cx - sx;
      const fx = cos * dx - sinDy + cx;
      const fy = sin * dx + cosDy + cy;
      // off the source (floor < 0 ⇔ f < 0); otherwise truncation is the floor
      if (fx < 0 || fy < 0) continue;
      const x0 = fx | 0;
      const y0 = fy | 0;
      if (x0 >= w - 1 || y0 >= h - 1) continue;
      const tx = fx - x0;
      const ty = fy - y0;
      const i = y0 * w + x0;
      const a = data[i]!;
      const b = data[i + 1]!;
      const c = data[i + w]!;
      const e = data[i + w + 1]!;
      const value = (a + (b - a) * tx) * (1 - ty) + (c + (e - c) * tx) * ty;
      // the float32 rounding of the stored value, as when exposure was a pass of its own
      od[row + x] = response === null ? value : exposed(response, k, Math.fround(value));
    }
  }
  return out;
}

/**
 * 1 − exp(−k·d) sampled over densities 0..EXPOSURE_MAX: Math.exp per pixel was the warp's main
 * cost. Linear interpolation between EXPOSURE_STEPS samples is within 1e-7 of the exact curve
 * (far below one grey level in 255); densities outside the table use Math.exp.
 */
const EXPOSURE_MAX = 4;
const EXPOSURE_STEPS = 8192;

function exposureTable(k: number): Float64Array {
  const table = new Float64Array(EXPOSURE_STEPS + 2);
  for (let j = 0; j < table.length; j++) table[j] = 1 - Math.exp((-k * j * EXPOSURE_MAX) / EXPOSURE_STEPS);
  return table;
}

function exposed(table: Float64Array, k: number, d: number): number {
  if (!(d >= 0 && d < EXPOSURE_MAX)) return 1 - Math.exp(-k * d);
  const f = d * (EXPOSURE_STEPS / EXPOSURE_MAX);
  const j = f | 0;
  const a = table[j]!;
  return a + (table[j + 1]! - a) * (f - j);
}

export function renderImage(r: ImageRecipe): RenderedImage {
  const size = artifactSize(r.profile, r.baseSize);
  const anatomyRng = deriveRng(r.seed, r.source, `patient:${r.patient}`, 'anatomy');
  const imageRng = deriveRng(r.seed, r.source, r.index, 'image');
  const findingRng = deriveRng(r.seed, r.source, r.index, 'finding');
  const artifactRng = deriveRng(r.seed, r.source, r.index, 'artifacts');
  let img: Raster;
  let lungMask: Uint8Array;
  if (r.modality === 'cxr') {
    // a separate stream for the study's variation: images without it keep their bytes
    const studyRng = r.studies === true ? deriveRng(r.seed, r.source, r.index, 'study') : null;
    const anatomy = sampleCxrAnatomy(anatomyRng);
    const pic = drawCxrAnatomy(studyRng === null ? anatomy : studyAnatomy(anatomy, studyRng), imageRng, size, size);
    addCxrFinding(pic, r.finding, r.severity, findingRng);
    if (studyRng !== null) drawDevices(pic.density, studyRng);
    // a separate study is positioned anew: more rotation and shift than one session's retake
    const warped = warp(pic.density, imageRng, studyRng === null ? 1 : 2, [1.05, 1.3]);
    img = warped.image;
    lungMask = lungMaskOf(pic.lungs, warped.positioning);
  } else {
    // each slice at its own chest level: one patient's slices show different anatomy
    const anatomy = sampleCtAnatomy(anatomyRng);
    const pic = drawCtAnatomy(anatomy, imageRng, size, size, sliceLevel(anatomy, r.index));
    addCtFinding(pic, r.finding, r.severity, findingRng);
    const warped = warp(pic.density, imageRng, 0.6, null);
    img = warped.image;
    lungMask = lungMaskOf(pic.lungs, warped.positioning);
  }
  return { width: img.width, height: img.height, pixels: applyArtifacts(img, r.profile, artifactRng), lungMask };
}
