import { splatLine } from '../fields.ts';
import type { Rng } from '../random.ts';
import type { Raster } from '../raster.ts';
import { gaussianBlur, makeRaster } from '../raster.ts';
import type { CxrAnatomy } from './cxr.ts';

/**
 * What differs between two radiographs of one patient taken as separate studies (another day,
 * another room): the depth of inspiration (diaphragm height, rib spread, heart shadow), and the
 * devices on the patient — ECG electrodes with their leads, a tube or line. Real repeat studies
 * differ by far more than a republished copy's edits (docs/dedupe.md, hard negatives); sources
 * whose plan says `repeatStudies` draw these per image.
 */
export function studyAnatomy(a: CxrAnatomy, rng: Rng): CxrAnatomy {
  // deeper inspiration lowers the diaphragm, spreads the ribs and narrows the heart's shadow
  const depth = rng.uniform(-1, 1);
  const drop = 0.045 * depth;
  return {
    ...a,
    lungBottom: [a.lungBottom[0] + drop, a.lungBottom[1] + drop],
    domeHeight: a.domeHeight * (1 - 0.25 * depth),
    ribSpacing: a.ribSpacing * (1 + 0.07 * depth),
    heartA: a.heartA * (1 - 0.08 * depth),
    heartCy: a.heartCy + 0.5 * drop,
  };
}

/** Electrodes, leads and tubes as attenuation added to `density` (they show bright). */
export function drawDevices(density: Raster, rng: Rng): void {
  const { width: w, height: h, data } = density;
  const lines = makeRaster(w, h);
  const discs = makeRaster(w, h);
  const electrodes = rng.int(0, 4);
  for (let k = 0; k < electrodes; k++) {
    const u = rng.uniform(0.15, 0.85);
    const v = rng.uniform(0.12, 0.7);
    const r = rng.uniform(0.012, 0.018);
    for (let y = Math.floor((v - r) * h); y <= Math.ceil((v + r) * h); y++) {
      for (let x = Math.floor((u - r) * w); x <= Math.ceil((u + r) * w); x++) {
        if (x < 0 || y < 0 || x >= w || y >= h) continue;
        if (((x + 0.5) / w - u) ** 2 + ((y + 0.5) / h - v) ** 2 < r * r) discs.data[y * w + x] = 1;
      }
    }
    // the lead: a sagging curve off to the nearer side edge
    const side = u < 0.5 ? -0.05 : 1.05;
    const sag = rng.uniform(0.05, 0.25);
    let px = u * w;
    let py = v * h;
    for (let s = 1; s <= 12; s++) {
      const t = s / 12;
      const nx = (u + (side - u) * t) * w;
      const ny = (v + sag * Math.sin(Math.PI * t) + rng.normal(0, 0.004)) * h;
      splatLine(lines, px, py, nx, ny, 1);
      px = nx;
      py = ny;
    }
  }
  if (rng.chance(0.5)) {
    // a tube or central line from the neck down the mediastinum, ending at a random depth
    const end = rng.uniform(0.35, 0.65);
    const drift = rng.uniform(-0.06, 0.06);
    const x0 = 0.5 + rng.uniform(-0.04, 0.04);
    let px = x0 * w;
    let py = 0;
    for (let s = 1; s <= 16; s++) {
      const t = s / 16;
      const nx = (x0 + drift * t * t) * w;
      const ny = end * t * h;
      splatLine(lines, px, py, nx, ny, 2);
      px = nx;
      py = ny;
    }
  }
  gaussianBlur(lines, Math.max(0.6, w / 300));
  gaussianBlur(discs, Math.max(0.5, w / 400));
  for (let i = 0; i < data.length; i++) data[i]! += 0.45 * Math.min(1, lines.data[i]!) + 0.6 * discs.data[i]!;
}
