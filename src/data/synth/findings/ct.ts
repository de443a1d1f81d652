import type { ChestPicture } from '../anatomy/types.ts';
import { reticularField, smoothField, splatLine } from '../fields.ts';
import type { Rng } from '../random.ts';
import { deriveRng } from '../random.ts';
import { gaussianBlur, makeRaster, smoothstep } from '../raster.ts';
import type { FindingClass } from './types.ts';

/** CVP on CT: multifocal, bilateral, subpleural ground glass, posterior-predominant; crazy paving when severe. */
function ctGroundGlass(pic: ChestPicture, severity: number, rng: Rng): void {
  const { width: w, height: h, data } = pic.density;
  const patches = smoothField(w, h, 9, rng);
  // crazy paving only in severe cases; the stream is drawn either way so that severity alone
  // does not reshuffle the patches
  const pavingSeed = rng.uint32();
  const paving = severity > 0.6 ? reticularField(w, h, Math.max(0.8, w / 120), deriveRng(pavingSeed, 'paving', 0, 'net')) : null;
  const amount = 0.12 + 0.3 * severity;
  const threshold = 0.6 - 1.0 * severity;
  forEachLungPixel(pic, (i, mi, tx, ty) => {
    const r = Math.sqrt(tx * tx + ty * ty);
    const subpleural = smoothstep(0.45, 0.85, r) * (0.6 + 0.4 * smoothstep(-0.5, 0.6, ty));
    const patch = smoothstep(threshold, threshold + 0.9, patches.data[i]!);
    const crazy = paving !== null ? 0.35 * (severity - 0.6) * 2.5 * paving.data[i]! : 0;
    data[i]! += amount * mi * subpleural * patch * (1 + crazy);
  });
}

/** OBP on CT: dense segmental consolidation in one lung, with air bronchograms. */
function ctConsolidation(pic: ChestPicture, severity: number, rng: Rng): void {
  const { width: w, height: h, data } = pic.density;
  const lung = pic.lungs[rng.chance(0.5) ? 0 : 1];
  const ang = rng.uniform(0, Math.PI * 2);
  const cx = lung.cx + Math.cos(ang) * lung.ax * 0.5;
  const cy = lung.cy + Math.abs(Math.sin(ang)) * lung.ay * 0.5;
  const radius = (0.35 + 0.4 * severity) * lung.ax;
  const field = smoothField(w, h, 10, rng);
  const bronchi = makeRaster(w, h);
  for (let b = 0; b < 4; b++) {
    const a2 = ang + Math.PI + rng.normal(0, 0.5);
    splatLine(bronchi, cx * w, cy * h, (cx + Math.cos(a2) * radius) * w, (cy + Math.sin(a2) * radius) * h, 1);
  }
  gaussianBlur(bronchi, Math.max(0.5, w / 350));
  const amount = 0.3 + 0.32 * severity;
  const m = lung.mask.data;
  for (let y = 0; y < h; y++) {
    const v = (y + 0.5) / h;
    for (let x = 0; x < w; x++) {
      const i = y * w + x;
      // outside the lung nothing is added: skip the distance there
      if (m[i]! <= 0) continue;
      const u = (x + 0.5) / w;
      const r = Math.hypot(u - cx, (v - cy) * 0.85) / radius + 0.4 * field.data[i]!;
      const c = smoothstep(1.05, 0.8, r);
      if (c <= 0) continue;
      data[i]! += amount * c * m[i]! * (1 - 0.6 * Math.min(1, bronchi.data[i]!));
    }
  }
}

/** OVP on CT: diffuse bilateral interstitial thickening (reticulation) with faint haze, central-predominant. */
function ctInterstitial(pic: ChestPicture, severity: number, rng: Rng): void {
  const { width: w, height: h, data } = pic.density;
  const net = reticularField(w, h, Math.max(0.7, w / 100), rng);
  const amount = 0.08 + 0.25 * severity;
  forEachLungPixel(pic, (i, mi, tx, ty) => {
    const central = 1 - 0.4 * smoothstep(0.3, 1, Math.sqrt(tx * tx + ty * ty));
    data[i]! += amount * mi * central * (0.8 * net.data[i]! + 0.3);
  });
}

/** Adds the class's CT finding to an axial slice. NOR adds nothing. */
export function addCtFinding(pic: ChestPicture, finding: FindingClass, severity: number, rng: Rng): void {
  switch (finding) {
    case 'NOR':
      return;
    case 'OBP':
      return ctConsolidation(pic, severity, rng);
    case 'OVP':
      return ctInterstitial(pic, severity, rng);
    case 'CVP':
      return ctGroundGlass(pic, severity, rng);
    default: {
      const never: never = finding;
      throw new Error(`internal error: unknown finding ${String(never)}`);
    }
  }
}

/**
 * Calls `f` for every pixel inside each lung's mask (weight `mi` > 0), with the pixel's
 * position in that lung's ellipse coordinates (`tx`, `ty`: 1 at the ellipse's edge).
 */
function forEachLungPixel(pic: ChestPicture, f: (i: number, mi: number, tx: number, ty: number) => void): void {
  const { width: w, height: h } = pic.density;
  for (const lung of pic.lungs) {
    const m = lung.mask.data;
    for (let y = 0; y < h; y++) {
      const ty = ((y + 0.5) / h - lung.cy) / lung.ay;
      for (let x = 0; x < w; x++) {
        const i = y * w + x;
        const mi = m[i]!;
        if (mi <= 0) continue;
        f(i, mi, ((x + 0.5) / w - lung.cx) / lung.ax, ty);
      }
    }
  }
}
