import { drawText, fillRect, GLYPH_HEIGHT, textCells } from './glyphs.ts';
import type { Rng } from './random.ts';
import { quantiseWithNoise } from './random.ts';
import type { Raster } from './raster.ts';
import { gaussianBlur, resampleBilinear, smoothstep, toUint8 } from './raster.ts';

export type Corner = 'top-left' | 'top-right' | 'bottom-left' | 'bottom-right';

/** Text or a lead marker burned into a corner of every image of a source. */
export interface MarkerArtifact {
  readonly text: string;
  readonly corner: Corner;
  /** Glyph height as a fraction of the image height: the marker's strength in size. */
  readonly height: number;
  /** Grey level of the glyphs (1 = white) and how fully they replace the image (0..1). */
  readonly value: number;
  readonly opacity: number;
  /** Draw the text on a filled box of the opposite grey level (a label plate). */
  readonly plate: boolean;
  /** Probability that an image of the source carries the marker. */
  readonly probability: number;
}

/**
 * How one source's scanner, protocol and post-processing mark its images. Every field is a
 * strength: 0 (or 1 for multiplicative ones) means "no artifact".
 */
export interface ArtifactProfile {
  readonly marker: MarkerArtifact | null;
  /** Intensity curve: out = clamp((in - 0.5) · contrast + 0.5 + brightness) ^ gamma. */
  readonly gamma: number;
  readonly contrast: number;
  readonly brightness: number;
  /** Additive Gaussian noise, standard deviation in grey levels of [0,1]. */
  readonly noise: number;
  /** Blur, standard deviation as a fraction of the image width. */
  readonly blur: number;
  /** Resolution: rendered at this fraction of the size, then scaled up (1 = full). */
  readonly resolution: number;
  /** A hard frame (scanner or film-digitiser border) of this fraction of the size, at `borderValue`. */
  readonly border: number;
  readonly borderValue: number;
  /** Collimator shutters: the outer fraction on each side darkened, with a soft edge. */
  readonly collimation: number;
  /** CT reconstruction circle: outside this radius (fraction of the size) the image is `borderValue`. */
  readonly fieldOfView: number;
  /** Image size relative to the preset's base size. */
  readonly size: number;
}

export const NO_ARTIFACTS: ArtifactProfile = {
  marker: null,
  gamma: 1,
  contrast: 1,
  brightness: 0,
  noise: 0.01,
  blur: 0,
  resolution: 1,
  border: 0,
  borderValue: 0,
  collimation: 0,
  fieldOfView: 0,
  size: 1,
};

export function artifactSize(profile: ArtifactProfile, base: number): number {
  return Math.max(16, Math.round(base * profile.size));
}

/** The intensity curve through a lookup table: Math.pow per pixel was the generator's hottest spot. */
function applyCurve(img: Raster, p: ArtifactProfile): void {
  const steps = 4096;
  const lut = new Float32Array(steps + 1);
  for (let k = 0; k <= steps; k++) {
    let v = (k / steps - 0.5) * p.contrast + 0.5 + p.brightness;
    v = v <= 0 ? 0 : v >= 1 ? 1 : v;
    lut[k] = p.gamma === 1 ? v : Math.pow(v, p.gamma);
  }
  const d = img.data;
  for (let i = 0; i < d.length; i++) {
    const x = d[i]!;
    d[i] = lut[x <= 0 ? 0 : x >= 1 ? steps : (x * steps + 0.5) | 0]!;
  }
}

function applyFrame(img: Raster, p: ArtifactProfile): void {
  const { width: w, height: h, data } = img;
  const col = p.collimation;
  const hard = Math.round(p.border * Math.min(w, h));
  const fov = p.fieldOfView;
  if (col <= 0 && hard <= 0 && fov <= 0) return;
  const soft = 0.02;
  for (let y = 0; y < h; y++) {
    const v = (y + 0.5) / h;
    for (let x = 0; x < w; x++) {
      const i = y * w + x;
      const u = (x + 0.5) / w;
      if (col > 0) {
        const inside = Math.min(u - col, 1 - col - u, v - col * 0.6, 1 - col * 0.6 - v);
        const keep = smoothstep(-soft, soft, inside);
        data[i] = data[i]! * (0.12 + 0.88 * keep);
      }
      if (fov > 0 && (u - 0.5) * (u - 0.5) + (v - 0.5) * (v - 0.5) > fov * fov) data[i] = p.borderValue;
      if (hard > 0 && (x < hard || y < hard || x >= w - hard || y >= h - hard)) data[i] = p.borderValue;
    }
  }
}

function applyMarker(img: Raster, m: MarkerArtifact, rng: Rng): void {
  if (!rng.chance(m.probability)) return;
  const { width: w, height: h } = img;
  const cell = Math.max(1, Math.round((m.height * h) / GLYPH_HEIGHT));
  const tw = textCells(m.text) * cell;
  const th = GLYPH_HEIGHT * cell;
  const pad = Math.max(1, Math.round(cell * 1.2));
  const margin = Math.round(0.04 * w) + rng.int(0, Math.max(1, Math.round(0.015 * w)));
  const left = m.corner.endsWith('left');
  const top = m.corner.startsWith('top');
  const x = left ? margin + pad : w - margin - pad - tw;
  const y = top ? margin + pad : h - margin - pad - th;
  if (m.plate) fillRect(img, x - pad, y - pad, tw + 2 * pad, th + 2 * pad, 1 - m.value, m.opacity);
  drawText(img, m.text, x, y, cell, m.value, m.opacity);
}

/**
 * Applies a source's acquisition artifacts to a finished picture in [0,1]: resolution and blur,
 * the intensity curve, collimation / borders / field of view, the burned-in marker, then noise,
 * and returns the 8-bit pixels (the noise is added while quantising: one pass fewer).
 */
export function applyArtifacts(img: Raster, p: ArtifactProfile, rng: Rng): Uint8Array {
  let out = img;
  if (p.resolution < 1) {
    const lw = Math.max(8, Math.round(img.width * p.resolution));
    const lh = Math.max(8, Math.round(img.height * p.resolution));
    out = resampleBilinear(resampleBilinear(img, lw, lh), img.width, img.height);
  }
  if (p.blur > 0) gaussianBlur(out, p.blur * out.width);
  applyCurve(out, p);
  applyFrame(out, p);
  if (p.marker !== null) applyMarker(out, p.marker, rng);
  return p.noise > 0 ? quantiseWithNoise(out.data, rng.uint32(), p.noise) : toUint8(out);
}
