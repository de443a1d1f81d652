import type { Raster } from '../raster.ts';

/** Where one lung is, in normalised image coordinates (0..1 across and down). */
export interface LungGeometry {
  /** -1: the patient's right lung (image left), +1: the left lung (image right). */
  readonly side: -1 | 1;
  readonly cx: number;
  readonly cy: number;
  /** Half extents across and down. */
  readonly ax: number;
  readonly ay: number;
  /** Soft mask of this lung in [0,1], at image resolution. */
  readonly mask: Raster;
}

/**
 * A picture under construction: `density` holds attenuation (radiograph) or display value
 * (CT), to which findings are added before the acquisition turns it into grey levels.
 */
export interface ChestPicture {
  readonly modality: 'cxr' | 'ct';
  readonly density: Raster;
  readonly lungs: readonly [LungGeometry, LungGeometry];
}
