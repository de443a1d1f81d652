/**
 * The lung field (docs/probes.md): the part of a chest image the probes `periphery_only`,
 * `lung_only` and `gradcam_in_lungs` blank or measure. The default is geometric: two ellipses in
 * normalised image coordinates (0..1 across and down), placed where `cvr synth` draws the lungs
 * of its radiograph phantoms (src/data/synth/anatomy/cxr.ts: lung centres 0.28–0.32 and
 * 0.68–0.72 across, apex 0.11–0.16 and costophrenic angles 0.70–0.78 down, half-widths
 * 0.12–0.16), so on the phantoms it covers the lungs up to their corners and a small margin.
 */
import type { ImageSource, Pixels } from './prep-cache.ts';

/** One ellipse: centre and half extents, in normalised image coordinates. */
export interface Ellipse {
  readonly cx: number;
  readonly cy: number;
  readonly ax: number;
  readonly ay: number;
}

/** The default lung field: the patient's right lung (image left) and left lung (image right). */
export const DEFAULT_LUNG_FIELD: readonly Ellipse[] = [
  { cx: 0.3, cy: 0.44, ax: 0.15, ay: 0.31 },
  { cx: 0.7, cy: 0.44, ax: 0.15, ay: 0.31 },
];

/** 1 where a pixel's centre lies inside one of the ellipses, else 0; row-major, width × height. */
export function lungFieldMask(width: number, height: number, field: readonly Ellipse[] = DEFAULT_LUNG_FIELD): Uint8Array {
  const mask = new Uint8Array(width * height);
  for (let y = 0; y < height; y++) {
    const v = (y + 0.5) / height;
    for (let x = 0; x < width; x++) {
      const u = (x + 0.5) / width;
      for (const e of field) {
        const dx = (u - e.cx) / e.ax;
        const dy = (v - e.cy) / e.ay;
        if (dx * dx + dy * dy <= 1) {
          mask[y * width + x] = 1;
          break;
        }
      }
    }
  }
  return mask;
}

/** The share of the image's pixels inside the mask. */
export function maskAreaShare(mask: Uint8Array): number {
  let inside = 0;
  for (const m of mask) inside += m;
  return mask.length === 0 ? 0 : inside / mask.length;
}

/** What a masked probe keeps: the lung field alone, or everything but it. */
export type MaskKeep = 'lung' | 'periphery';

/**
 * The same images with the lung field blanked (`periphery`: the model sees only what lies
 * outside the lungs) or everything but the lung field blanked (`lung`). Blanked samples are 0:
 * the same value in every image, so the blanked region itself carries nothing a model can use.
 */
export function maskedImages<S extends ImageSource>(source: S, keep: MaskKeep, field: Uint8Array | ((id: string) => Uint8Array) = lungFieldMask(source.width, source.height)): S {
  const { channels } = source;
  const blank = keep === 'lung' ? 0 : 1;
  const read = (id: string): Pixels => {
    // One mask for every image (ellipses), or each image's own (a declared mask folder).
    const mask = typeof field === 'function' ? field(id) : field;
    const pixels = source.read(id);
    const out = pixels.slice() as Pixels;
    for (let p = 0; p < mask.length; p++) {
      if (mask[p] !== blank) continue;
      for (let c = 0; c < channels; c++) out[p * channels + c] = 0;
    }
    return out;
  };
  return Object.assign(Object.create(source) as S, { read });
}
