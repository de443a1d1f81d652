import type { Rng } from '../random.ts';
import type { Raster } from '../raster.ts';
import { gaussianBlur, makeRaster, smoothstep } from '../raster.ts';
import { vesselTree } from '../fields.ts';
import type { ChestPicture, LungGeometry } from './types.ts';

/** One patient's chest, as drawn on a frontal (PA/AP) radiograph. Normalised coordinates. */
export interface CxrAnatomy {
  readonly bodyHalfWidth: number;
  readonly neckHalfWidth: number;
  readonly shoulderY: number;
  readonly lungTop: number;
  /** Costophrenic angles, right (image left) and left. */
  readonly lungBottom: readonly [number, number];
  readonly lungInner: number;
  readonly lungOuter: number;
  readonly domeHeight: number;
  readonly heartCx: number;
  readonly heartCy: number;
  readonly heartA: number;
  readonly heartB: number;
  /** The heart's long axis runs from upper right (patient) to the apex at lower left. */
  readonly heartTilt: number;
  readonly mediastinumHalfWidth: number;
  readonly ribStart: number;
  readonly ribSpacing: number;
  readonly softTissue: number;
  readonly gastricBubble: boolean;
}

export function sampleCxrAnatomy(rng: Rng): CxrAnatomy {
  const lungOuter = rng.uniform(0.31, 0.37);
  const bottom = rng.uniform(0.7, 0.78);
  return {
    bodyHalfWidth: lungOuter + rng.uniform(0.06, 0.1),
    neckHalfWidth: rng.uniform(0.08, 0.11),
    shoulderY: rng.uniform(0.08, 0.13),
    lungTop: rng.uniform(0.11, 0.16),
    lungBottom: [bottom - rng.uniform(0.01, 0.04), bottom],
    lungInner: rng.uniform(0.045, 0.07),
    lungOuter,
    domeHeight: rng.uniform(0.05, 0.1),
    heartCx: 0.5 + rng.uniform(0.05, 0.08),
    heartCy: rng.uniform(0.58, 0.63),
    heartA: rng.uniform(0.14, 0.18),
    heartB: rng.uniform(0.1, 0.13),
    heartTilt: rng.uniform(0.35, 0.6),
    mediastinumHalfWidth: rng.uniform(0.055, 0.075),
    ribStart: rng.uniform(0.1, 0.13),
    ribSpacing: rng.uniform(0.058, 0.068),
    softTissue: rng.uniform(0.9, 1.15),
    gastricBubble: rng.chance(0.6),
  };
}

function lungMask(a: CxrAnatomy, side: -1 | 1, w: number, h: number): { mask: Raster; geom: Omit<LungGeometry, 'mask'> } {
  const mask = makeRaster(w, h);
  const inner = 0.5 + side * a.lungInner;
  const outer = 0.5 + side * a.lungOuter;
  const cx = (inner + outer) / 2;
  const halfW = Math.abs(outer - inner) / 2;
  const top = a.lungTop;
  const bottom = a.lungBottom[side === -1 ? 0 : 1];
  const edge = 0.012;
  for (let y = 0; y < h; y++) {
    const v = (y + 0.5) / h;
    const t = (v - top) / (bottom - top);
    if (t < -0.05 || t > 1.05) continue;
    // rounded apex: the lung widens over its upper 45 %
    const profile = t <= 0 ? 0 : t < 0.45 ? Math.sqrt(1 - ((0.45 - t) / 0.45) ** 2) : 1;
    // the lateral edge bulges a little at mid height
    const hw = halfW * profile * (1 + 0.06 * Math.sin(Math.PI * Math.min(1, Math.max(0, t))));
    // only pixels within hw + edge of the axis can be inside (m > -1); the test below stays exact
    const xa = Math.max(0, Math.floor((cx - hw - edge) * w - 0.5) - 1);
    const xb = Math.min(w - 1, Math.ceil((cx + hw + edge) * w - 0.5) + 1);
    for (let x = xa; x <= xb; x++) {
      const u = (x + 0.5) / w;
      const du = (u - cx) / Math.max(halfW, 1e-6);
      // diaphragm dome: highest at the lung's middle, lower at the costophrenic angle
      const dome = bottom - a.domeHeight * Math.max(0, 1 - du * du) - (side === 1 ? 0 : 0.015);
      const inX = (hw - Math.abs(u - cx)) / edge;
      const inY = (dome - v) / edge;
      const inTop = (v - top) / edge;
      const m = Math.min(inX, inY, inTop);
      if (m > -1) mask.data[y * w + x] = smoothstep(-1, 1, m);
    }
  }
  return { mask, geom: { side, cx, cy: (top + bottom) / 2, ax: halfW, ay: (bottom - top) / 2 } };
}

/** Adds a thin curved band (rib, clavicle) v = f(u) of half-thickness `half` (normalised). */
function addBand(
  d: Raster,
  u0: number,
  u1: number,
  curve: (u: number) => number,
  half: number,
  amount: number,
  cortex: number,
  fadeFrom = 2,
): void {
  const { width: w, height: h, data } = d;
  const x0 = Math.max(0, Math.floor(Math.min(u0, u1) * w));
  const x1 = Math.min(w - 1, Math.ceil(Math.max(u0, u1) * w));
  const halfPx = half * h;
  for (let x = x0; x <= x1; x++) {
    const u = (x + 0.5) / w;
    const fade = smoothstep(0, 0.15, Math.min(Math.abs(u - u0), Math.abs(u - u1)) / Math.abs(u1 - u0));
    const cy = curve(u) * h;
    const ya = Math.max(0, Math.floor(cy - halfPx - 1));
    const yb = Math.min(h - 1, Math.ceil(cy + halfPx + 1));
    for (let y = ya; y <= yb; y++) {
      const r = Math.abs(y + 0.5 - cy) / halfPx;
      if (r >= 1.3) continue;
      // bone: denser cortex at the edges of the band, soft fall-off outside it
      const p = r < 1 ? 1 - cortex + cortex * r * r : 1 - smoothstep(1, 1.3, r);
      // ribs below the diaphragm vanish into the abdomen's soft tissue
      const below = 1 - smoothstep(fadeFrom, fadeFrom + 0.08, (y + 0.5) / h);
      data[y * w + x]! += amount * p * fade * below;
    }
  }
}

/**
 * Draws the chest's attenuation: body and shoulders, lungs (air lowers attenuation), mediastinum,
 * spine, heart, diaphragm and abdomen, ribs, clavicles and vessel markings.
 */
export function drawCxrAnatomy(a: CxrAnatomy, rng: Rng, w: number, h: number): ChestPicture {
  const density = makeRaster(w, h);
  const right = lungMask(a, -1, w, h);
  const left = lungMask(a, 1, w, h);
  drawSoftTissue(a, density, right, left);
  drawGastricBubble(a, density);
  drawRibs(a, density);
  drawClavicles(a, density);
  drawVesselMarkings(a, rng, density, right, left);
  return {
    modality: 'cxr',
    density,
    lungs: [
      { ...right.geom, mask: right.mask },
      { ...left.geom, mask: left.mask },
    ],
  };
}

type LungPicture = { readonly mask: Raster; readonly geom: Omit<LungGeometry, 'mask'> };

/** Body and shoulders, lungs, mediastinum, spine, trachea, heart, diaphragm and abdomen. */
function drawSoftTissue(a: CxrAnatomy, density: Raster, right: LungPicture, left: LungPicture): void {
  const { width: w, height: h } = density;
  const d = density.data;
  const domeTop = Math.min(a.lungBottom[0], a.lungBottom[1]) - a.domeHeight;
  const hcos = Math.cos(a.heartTilt);
  const hsin = Math.sin(a.heartTilt);
  // terms that depend on the column alone, computed once per column instead of once per pixel
  const colU = new Float64Array(w);
  const colShoulder = new Float64Array(w);
  const colSpine = new Float64Array(w);
  const colTrachea = new Float64Array(w);
  for (let x = 0; x < w; x++) {
    const u = (x + 0.5) / w;
    const adx = Math.abs(u - 0.5);
    const sx = (adx - (a.bodyHalfWidth + 0.03)) / 0.07;
    colU[x] = u;
    colShoulder[x] = sx * sx;
    colSpine[x] = 1 - smoothstep(0.028, 0.038, adx);
    colTrachea[x] = 1 - smoothstep(0.011, 0.019, adx);
  }
  const rightMask = right.mask.data;
  const leftMask = left.mask.data;
  for (let y = 0; y < h; y++) {
    const v = (y + 0.5) / h;
    // liver, spleen and the rest of the abdomen under the diaphragm
    const abdomen = 0.3 * smoothstep(domeTop - 0.02, domeTop + 0.06, v);
    const bodyHw = a.neckHalfWidth + (a.bodyHalfWidth + 0.04 - a.neckHalfWidth) * smoothstep(a.shoulderY - 0.08, a.shoulderY + 0.04, v) - 0.04 * smoothstep(0.3, 1, v);
    const medHw = a.mediastinumHalfWidth * (1 + 0.35 * smoothstep(0.22, 0.3, v) * (1 - smoothstep(0.32, 0.42, v)));
    // vertebral end plates give the spine its banding
    const vertebra = Math.cos((Math.PI * (v - a.ribStart)) / a.ribSpacing) ** 8;
    const sy = (v - (a.shoulderY + 0.07)) / 0.08;
    const sy2 = sy * sy;
    const inMediastinum = v > 0.02 && v < 0.8;
    const medFade = inMediastinum ? smoothstep(0.02, 0.1, v) * (1 - smoothstep(domeTop - 0.06, domeTop + 0.02, v)) : 0;
    const spine = 0.15 + 0.1 * vertebra;
    const inTrachea = v < 0.36;
    const trachea = inTrachea ? 0.3 * (1 - smoothstep(0.28, 0.36, v)) : 0;
    const hdv = v - a.heartCy;
    for (let x = 0; x < w; x++) {
      const u = colU[x]!;
      const i = y * w + x;
      const du = (u - 0.5) / bodyHw;
      let t = 1 - du * du;
      let val = 0;
      if (t > 0) {
        t = Math.sqrt(t);
        val += a.softTissue * (0.3 + 0.5 * t);
      }
      // shoulders / humeral heads at the upper corners
      const sr2 = colShoulder[x]! + sy2;
      if (sr2 < 1) val += 0.35 * Math.sqrt(1 - sr2);
      if (inMediastinum) {
        const adx = Math.abs(u - 0.5);
        val += 0.38 * (1 - smoothstep(medHw * 0.8, medHw * 1.2, adx)) * medFade;
        val += spine * colSpine[x]!;
      }
      // the trachea: an air column in the upper mediastinum
      if (inTrachea) val -= trachea * colTrachea[x]!;
      const hdu = u - a.heartCx;
      const hx = (hdu * hcos + hdv * hsin) / a.heartA;
      const hy = (hdv * hcos - hdu * hsin) / a.heartB;
      const hr = hx * hx + hy * hy;
      const heart = hr < 1.3 ? smoothstep(1.3, 0.75, hr) : 0;
      if (heart > 0) val += 0.45 * heart * Math.sqrt(Math.max(0.15, 1 - Math.min(1, hr)));
      // the heart displaces the lung in front of and behind it
      const r = rightMask[i]!;
      const l = leftMask[i]!;
      const lungRaw = r > l ? r : l;
      if (t > 0) val += abdomen * t * (1 - lungRaw);
      const lung = lungRaw * (1 - 0.75 * heart);
      val -= 0.75 * lung * (t > 0 ? t : 0);
      d[i] = Math.max(0.06, val);
    }
  }
}

function drawGastricBubble(a: CxrAnatomy, density: Raster): void {
  const { width: w, height: h } = density;
  const d = density.data;
  if (a.gastricBubble) {
    const gx = a.heartCx + a.heartA * 0.6;
    const gy = a.lungBottom[1] + 0.05;
    for (let y = Math.floor((gy - 0.05) * h); y < Math.ceil((gy + 0.05) * h); y++) {
      for (let x = Math.floor((gx - 0.07) * w); x < Math.ceil((gx + 0.07) * w); x++) {
        if (x < 0 || y < 0 || x >= w || y >= h) continue;
        const r = ((x + 0.5) / w - gx) ** 2 / 0.06 ** 2 + ((y + 0.5) / h - gy) ** 2 / 0.035 ** 2;
        if (r < 1) d[y * w + x]! -= 0.35 * (1 - r) * (1 - r);
      }
    }
  }
}

function drawRibs(a: CxrAnatomy, density: Raster): void {
  // posterior ribs: from the spine up and out, then down along the chest wall; anterior ribs fainter
  const ribHalf = 0.0085;
  for (let k = 0; k < 10; k++) {
    const v0 = a.ribStart + k * a.ribSpacing;
    for (const s of [-1, 1] as const) {
      const reach = a.lungOuter + 0.03;
      const post = (u: number): number => {
        const q = Math.abs(u - 0.5) / reach;
        return v0 - 0.035 * q + 0.16 * q * q + 0.02 * k * q;
      };
      const fadeFrom = a.lungBottom[s === -1 ? 0 : 1] - 0.04;
      addBand(density, 0.5 + s * 0.035, 0.5 + s * reach, post, ribHalf * (1 + 0.04 * k), 0.2, 0.55, fadeFrom);
      const ant = (u: number): number => {
        const q = Math.abs(u - 0.5) / reach;
        return v0 + 0.1 + 0.12 * (1 - q) - 0.02 * q;
      };
      if (k < 6) addBand(density, 0.5 + s * 0.12, 0.5 + s * (reach - 0.02), ant, ribHalf * 0.9, 0.04, 0.2, fadeFrom);
    }
  }
}

function drawClavicles(a: CxrAnatomy, density: Raster): void {
  // clavicles
  for (const s of [-1, 1] as const) {
    const y0 = a.shoulderY + 0.06;
    const clav = (u: number): number => y0 - 0.05 * (Math.abs(u - 0.5) / 0.3) + 0.01 * Math.sin(Math.abs(u - 0.5) * 12);
    addBand(density, 0.5 + s * 0.04, 0.5 + s * (a.bodyHalfWidth - 0.02), clav, 0.011, 0.3, 0.4);
  }
}

function drawVesselMarkings(a: CxrAnatomy, rng: Rng, density: Raster, right: LungPicture, left: LungPicture): void {
  const { width: w, height: h } = density;
  const d = density.data;
  // vessel markings spreading from the hila, visible only over the lungs
  const vessels = makeRaster(w, h);
  for (const lung of [right, left]) {
    const s = lung.geom.side;
    const hx = (0.5 + s * (a.lungInner + 0.04)) * w;
    const hy = (a.lungTop + 0.32 * (a.lungBottom[0] - a.lungTop)) * h;
    for (let b = 0; b < 9; b++) {
      const base = s === 1 ? 0 : Math.PI;
      const ang = base - s * rng.uniform(-1.4, 1.2);
      vesselTree(vessels, rng, hx, hy, ang, rng.uniform(0.12, 0.26) * w, 0.9, 2);
    }
  }
  gaussianBlur(vessels, Math.max(0.6, w / 220));
  for (let i = 0; i < d.length; i++) {
    const lung = Math.max(right.mask.data[i]!, left.mask.data[i]!);
    d[i]! += 0.65 * Math.min(1, vessels.data[i]!) * lung;
  }
}
