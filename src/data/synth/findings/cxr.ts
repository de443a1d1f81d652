import type { ChestPicture, LungGeometry } from '../anatomy/types.ts';
import { reticularField, smoothField } from '../fields.ts';
import type { Rng } from '../random.ts';
import { gaussianBlur, makeRaster, smoothstep } from '../raster.ts';
import type { FindingClass } from './types.ts';

/**
 * OBP: focal lobar consolidation — a dense, fairly homogeneous opacity filling part of one lung
 * (sometimes a smaller second focus on the other side), bounded above or below like a lobe.
 */
function consolidation(pic: ChestPicture, severity: number, rng: Rng): void {
  const { width: w, height: h, data } = pic.density;
  const mainSide = rng.chance(0.55) ? 0 : 1;
  const foci: { lung: LungGeometry; scale: number }[] = [{ lung: pic.lungs[mainSide]!, scale: 1 }];
  if (rng.chance(0.15)) foci.push({ lung: pic.lungs[1 - mainSide]!, scale: 0.5 });
  const blob = makeRaster(w, h);
  for (const { lung, scale } of foci) {
    // lower zone most often, then middle, then upper
    const zone = rng.next();
    const ty = zone < 0.55 ? rng.uniform(0.35, 0.7) : zone < 0.85 ? rng.uniform(-0.1, 0.3) : rng.uniform(-0.6, -0.3);
    const cx = lung.cx + lung.side * rng.uniform(-0.3, 0.4) * lung.ax;
    const cy = lung.cy + ty * lung.ay;
    const radius = (0.5 + 0.55 * severity) * scale * lung.ax * rng.uniform(0.75, 1.05);
    const fissure = cy + (ty < 0.2 ? 1 : -1) * radius * rng.uniform(0.55, 0.8);
    const parts = rng.int(3, 6);
    for (let p = 0; p < parts; p++) {
      const px = cx + rng.normal(0, radius * 0.35);
      const py = cy + rng.normal(0, radius * 0.35);
      const pr = radius * rng.uniform(0.5, 0.8);
      const x0 = Math.max(0, Math.floor((px - pr * 1.6) * w));
      const x1 = Math.min(w - 1, Math.ceil((px + pr * 1.6) * w));
      const y0 = Math.max(0, Math.floor((py - pr * 1.6) * h));
      const y1 = Math.min(h - 1, Math.ceil((py + pr * 1.6) * h));
      for (let y = y0; y <= y1; y++) {
        const v = (y + 0.5) / h;
        // a fissure cuts the lobe off sharply on one side
        const cut = ty < 0.2 ? smoothstep(fissure + 0.01, fissure - 0.01, v) : smoothstep(fissure - 0.01, fissure + 0.01, v);
        for (let x = x0; x <= x1; x++) {
          const u = (x + 0.5) / w;
          const ddx = u - px;
          const ddy = v - py;
          const r2 = (ddx * ddx + ddy * ddy) / (pr * pr);
          blob.data[y * w + x]! += Math.exp(-r2) * cut * scale;
        }
      }
    }
  }
  const texture = smoothField(w, h, 14, rng);
  const mask0 = pic.lungs[0].mask.data;
  const mask1 = pic.lungs[1].mask.data;
  const amount = 0.2 + 0.6 * severity;
  for (let i = 0; i < data.length; i++) {
    const b = blob.data[i]!;
    if (b <= 0.01) continue;
    const c = smoothstep(0.1, 0.8, b) * (0.8 + 0.2 * texture.data[i]!);
    data[i]! += amount * c * Math.max(mask0[i]!, mask1[i]!);
  }
}

/**
 * OVP: diffuse bilateral interstitial pattern — a fine reticular net over both lungs, heavier
 * around the hila, with a light haze.
 */
function interstitial(pic: ChestPicture, severity: number, rng: Rng): void {
  const { width: w, height: h, data } = pic.density;
  const net = reticularField(w, h, Math.max(0.8, w / 90), rng);
  gaussianBlur(net, Math.max(0.4, w / 500));
  const haze = smoothField(w, h, 6, rng);
  const amount = 0.15 + 0.45 * severity;
  for (const lung of pic.lungs) {
    const m = lung.mask.data;
    for (let y = 0; y < h; y++) {
      const v = (y + 0.5) / h;
      const ty = (v - lung.cy) / lung.ay;
      for (let x = 0; x < w; x++) {
        const i = y * w + x;
        const mi = m[i]!;
        if (mi <= 0) continue;
        const u = (x + 0.5) / w;
        const q = ((u - lung.cx) / lung.ax) * lung.side; // -1 medial .. +1 lateral
        const perihilar = 1 - 0.45 * smoothstep(-0.6, 1, q) - 0.2 * Math.abs(ty);
        const local = 0.8 + 0.2 * haze.data[i]!;
        data[i]! += amount * mi * perihilar * local * (net.data[i]! + 0.3);
      }
    }
  }
}

/**
 * CVP: bilateral, peripheral, lower-zone ground-glass opacities — hazy, multifocal patches along
 * the lateral lung edge and the bases, lighter than consolidation (vessels stay visible).
 */
function groundGlass(pic: ChestPicture, severity: number, rng: Rng): void {
  const { width: w, height: h, data } = pic.density;
  const patches = smoothField(w, h, 7, rng);
  const amount = 0.2 + 0.6 * severity;
  const threshold = 0.5 - 0.9 * severity;
  for (const lung of pic.lungs) {
    const sideAmount = amount * rng.uniform(0.75, 1.1);
    const m = lung.mask.data;
    for (let y = 0; y < h; y++) {
      const v = (y + 0.5) / h;
      const ty = (v - lung.cy) / lung.ay; // -1 apex .. +1 base
      const lower = smoothstep(-0.35, 0.45, ty);
      for (let x = 0; x < w; x++) {
        const i = y * w + x;
        const mi = m[i]!;
        if (mi <= 0) continue;
        const u = (x + 0.5) / w;
        const q = ((u - lung.cx) / lung.ax) * lung.side;
        const peripheral = smoothstep(-0.1, 0.75, q);
        const patch = smoothstep(threshold, threshold + 1.2, patches.data[i]!);
        data[i]! += sideAmount * mi * lower * peripheral * (0.3 + 0.7 * patch);
      }
    }
  }
}

/** Adds the class's radiographic finding to a chest radiograph. NOR adds nothing. */
export function addCxrFinding(pic: ChestPicture, finding: FindingClass, severity: number, rng: Rng): void {
  switch (finding) {
    case 'NOR':
      return;
    case 'OBP':
      return consolidation(pic, severity, rng);
    case 'OVP':
      return interstitial(pic, severity, rng);
    case 'CVP':
      return groundGlass(pic, severity, rng);
    default: {
      const never: never = finding;
      throw new Error(`internal error: unknown finding ${String(never)}`);
    }
  }
}
