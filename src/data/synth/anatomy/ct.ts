import { splatLine } from '../fields.ts';
import type { Rng } from '../random.ts';
import type { Raster } from '../raster.ts';
import { gaussianBlur, makeRaster, smoothstep } from '../raster.ts';
import type { ChestPicture, LungGeometry } from './types.ts';

/**
 * One patient's axial chest CT slice (image top = anterior, image left = patient's right), in a
 * lung window: air dark, lung parenchyma dark grey, fat and soft tissue light, bone white.
 */
export interface CtAnatomy {
  readonly bodyA: number;
  readonly bodyB: number;
  readonly bodyCy: number;
  readonly fat: number;
  readonly lungA: number;
  readonly lungB: number;
  readonly lungGap: number;
  readonly heartA: number;
  readonly heartB: number;
  readonly heartCy: number;
  readonly ribs: number;
}

export function sampleCtAnatomy(rng: Rng): CtAnatomy {
  const bodyA = rng.uniform(0.38, 0.44);
  return {
    bodyA,
    bodyB: bodyA * rng.uniform(0.66, 0.76),
    bodyCy: rng.uniform(0.5, 0.54),
    fat: rng.uniform(0.02, 0.05),
    lungA: rng.uniform(0.12, 0.15),
    lungB: rng.uniform(0.18, 0.22),
    lungGap: rng.uniform(0.15, 0.18),
    heartA: rng.uniform(0.09, 0.12),
    heartB: rng.uniform(0.09, 0.12),
    heartCy: rng.uniform(0.4, 0.44),
    ribs: rng.int(7, 10),
  };
}

const AIR = 0.04;
const LUNG = 0.14;
const FAT = 0.68;
const SOFT = 0.82;
const BONE = 1;

export function drawCtAnatomy(a: CtAnatomy, rng: Rng, w: number, h: number): ChestPicture {
  const density = makeRaster(w, h, AIR);
  const masks = [makeRaster(w, h), makeRaster(w, h)] as const;
  const g = ctGeometry(a);
  drawTable(a, density);
  drawSlice(a, g, density, masks);
  drawCtRibs(a, rng, density);
  drawCtVessels(a, g, rng, density, masks);
  const { lungCx, lungCy } = g;
  const lungs = [0, 1].map((s): LungGeometry => ({
    side: s === 0 ? -1 : 1,
    cx: lungCx[s]!,
    cy: lungCy,
    ax: a.lungA,
    ay: a.lungB,
    mask: masks[s as 0 | 1],
  }));
  return { modality: 'ct', density, lungs: [lungs[0]!, lungs[1]!] };
}


/** Where the lungs and the spine lie (fractions of the image). */
interface CtGeometry {
  readonly lungCx: readonly [number, number];
  readonly lungCy: number;
  readonly edge: number;
  readonly spineCy: number;
}

function ctGeometry(a: CtAnatomy): CtGeometry {
  const cy = a.bodyCy;
  const lungCx = [0.5 - a.lungGap, 0.5 + a.lungGap] as const;
  const lungCy = cy - 0.01;
  const edge = 0.006;
  const spineCy = cy + a.bodyB * 0.7;
  return { lungCx, lungCy, edge, spineCy };
}

/** The scanner table: a shallow curved plate under the patient's back. */
function drawTable(a: CtAnatomy, density: Raster): void {
  const { width: w, height: h } = density;
  const d = density.data;
  const cy = a.bodyCy;
  // the scanner table: a shallow curved plate under the patient's back
  const tableY = cy + a.bodyB + 0.035;
  // the plate lies within 0.03 above and 0.012 below tableY (|u − 0.5| < 0.5 in the image)
  const tableRows = [Math.max(0, Math.floor((tableY - 0.03) * h) - 1), Math.min(h - 1, Math.ceil((tableY + 0.012) * h) + 1)] as const;
  for (let y = tableRows[0]; y <= tableRows[1]; y++) {
    const v = (y + 0.5) / h;
    for (let x = 0; x < w; x++) {
      const u = (x + 0.5) / w;
      const dy = v - (tableY - 0.12 * (u - 0.5) * (u - 0.5));
      if (dy > 0 && dy < 0.012 && Math.abs(u - 0.5) < 0.42) d[y * w + x] = 0.45;
    }
  }
}

/** Body, lungs (their masks too), aorta and vertebra, row by row inside the body ellipse. */
function drawSlice(a: CtAnatomy, g: CtGeometry, density: Raster, masks: readonly [Raster, Raster]): void {
  const { width: w, height: h } = density;
  const d = density.data;
  const cy = a.bodyCy;
  const { lungCx, lungCy, edge, spineCy } = g;
  for (let y = 0; y < h; y++) {
    const v = (y + 0.5) / h;
    // columns that can lie inside the body ellipse (br < 1.01), with a pixel to spare
    const byRow = (v - cy) / a.bodyB;
    const reach = 1.0201 - byRow * byRow;
    if (reach <= 0) continue;
    const half = a.bodyA * Math.sqrt(reach);
    const xa = Math.max(0, Math.floor((0.5 - half) * w - 0.5) - 1);
    const xb = Math.min(w - 1, Math.ceil((0.5 + half) * w - 0.5) + 1);
    for (let x = xa; x <= xb; x++) {
      const u = (x + 0.5) / w;
      const i = y * w + x;
      // body: skin/fat ring, muscle, then the thoracic cavity
      const bx = (u - 0.5) / a.bodyA;
      const by = (v - cy) / a.bodyB;
      const br = Math.sqrt(bx * bx + by * by);
      if (br >= 1.01) continue; // air outside the body; nothing else lies there
      let val = AIR;
      {
        const inFat = smoothstep(1.01, 0.99, br);
        val = AIR + (FAT - AIR) * inFat;
        const muscle = smoothstep(1 - a.fat * 3.2, 1 - a.fat * 2.8, br) * (1 - smoothstep(1 - a.fat * 1.2, 1 - a.fat * 0.8, br));
        val += (SOFT - FAT) * muscle;
        if (br < 1 - a.fat * 3.2) val = SOFT;
      }
      // lungs: two tall ellipses, indented medially by the heart (anterior) and the spine
      let lungIn = 0;
      for (let s = 0; s < 2; s++) {
        const lx = (u - lungCx[s]!) / a.lungA;
        const ly = (v - lungCy) / a.lungB;
        if (lx * lx > 1.3 || ly * ly > 1.3) continue;
        // flatten the anterior-medial part (mediastinum) and round the posterior
        const medial = s === 0 ? lx : -lx;
        const squeeze = medial > 0 ? 1 + 0.5 * medial * smoothstep(0.2, -0.6, ly) : 1;
        const sq = lx * squeeze;
        const r = Math.sqrt(sq * sq + ly * ly);
        const hx = (u - 0.5 - 0.03) / a.heartA;
        const hy = (v - a.heartCy) / a.heartB;
        const heart = Math.sqrt(hx * hx + hy * hy);
        const m = smoothstep(1 + edge / a.lungA, 1 - edge / a.lungA, r) * smoothstep(0.95, 1.1, heart);
        masks[s as 0 | 1].data[i] = m;
        lungIn = Math.max(lungIn, m);
      }
      // dependent (posterior) lung is slightly denser
      const lungVal = LUNG + 0.05 * smoothstep(lungCy - a.lungB, lungCy + a.lungB, v);
      val = val + (lungVal - val) * lungIn;
      // descending aorta beside the spine, vertebral body with cortex and canal
      const ax = (u - 0.545) / 0.03;
      const ay = (v - (spineCy - 0.06)) / 0.03;
      if (ax * ax + ay * ay < 1) val = SOFT + 0.04;
      const sx = (u - 0.5) / 0.055;
      const sy = (v - spineCy) / 0.05;
      const sr = Math.sqrt(sx * sx + sy * sy);
      if (sr < 1) val = sr > 0.82 ? BONE : 0.9;
      const cxv = (u - 0.5) / 0.025;
      const cyv = (v - (spineCy + 0.07)) / 0.022;
      if (cxv * cxv + cyv * cyv < 1) val = SOFT - 0.05;
      d[i] = val;
    }
  }
}

function drawCtRibs(a: CtAnatomy, rng: Rng, density: Raster): void {
  const { width: w, height: h } = density;
  const d = density.data;
  const cy = a.bodyCy;
  // ribs: small bright ovals in the chest wall along the posterior and lateral arc
  for (let k = 0; k < a.ribs; k++) {
    for (const s of [-1, 1]) {
      const ang = Math.PI / 2 + s * (0.35 + (k / a.ribs) * 1.9) + rng.normal(0, 0.04);
      const rx = 0.5 + Math.cos(ang) * a.bodyA * (1 - a.fat * 2);
      const ry = cy + Math.sin(ang) * a.bodyB * (1 - a.fat * 2);
      const rr = 0.012 + rng.uniform(0, 0.006);
      for (let y = Math.floor((ry - rr * 2) * h); y <= Math.ceil((ry + rr * 2) * h); y++) {
        for (let x = Math.floor((rx - rr * 2) * w); x <= Math.ceil((rx + rr * 2) * w); x++) {
          if (x < 0 || y < 0 || x >= w || y >= h) continue;
          const q = (((x + 0.5) / w - rx) / (rr * 1.6)) ** 2 + (((y + 0.5) / h - ry) / rr) ** 2;
          if (q < 1) d[y * w + x] = q > 0.5 ? BONE : 0.88;
        }
      }
    }
  }
}

function drawCtVessels(a: CtAnatomy, g: CtGeometry, rng: Rng, density: Raster, masks: readonly [Raster, Raster]): void {
  const { width: w } = density;
  const h = density.height;
  const d = density.data;
  const { lungCx, lungCy } = g;
  // vessels: cross-sections (dots) and short in-plane segments, denser towards the hilum
  const vessels = makeRaster(w, h);
  for (let s = 0; s < 2; s++) {
    const hx = lungCx[s]! + (s === 0 ? 1 : -1) * a.lungA * 0.5;
    for (let k = 0; k < 60; k++) {
      const r = Math.sqrt(rng.next()) * 0.95;
      const ang = rng.uniform(0, Math.PI * 2);
      const px = (lungCx[s]! + Math.cos(ang) * r * a.lungA) * w;
      const py = (lungCy + Math.sin(ang) * r * a.lungB) * h;
      const strength = 1.4 * (1.1 - r);
      if (rng.chance(0.3)) {
        const dx = (hx * w - px) * 0.12;
        const dy = (lungCy * h - py) * 0.12;
        splatLine(vessels, px, py, px + dx, py + dy, strength);
      } else {
        splatLine(vessels, px, py, px + rng.uniform(-0.6, 0.6), py + rng.uniform(-0.6, 0.6), strength * 1.5);
      }
    }
  }
  gaussianBlur(vessels, Math.max(0.5, w / 300));
  for (let i = 0; i < d.length; i++) {
    const m = Math.max(masks[0].data[i]!, masks[1].data[i]!);
    d[i]! += 0.8 * Math.min(1, vessels.data[i]!) * m;
  }
}
