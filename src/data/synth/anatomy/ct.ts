import { splatLine } from '../fields.ts';
import type { Rng } from '../random.ts';
import type { Raster } from '../raster.ts';
import { gaussianBlur, makeRaster, smoothstep } from '../raster.ts';
import type { ChestPicture, LungGeometry } from './types.ts';

/**
 * One patient's chest CT (image top = anterior, image left = patient's right), in a lung window:
 * air dark, lung parenchyma dark grey, fat and soft tissue light, bone white. The patient's
 * anatomy varies as real patients do (build, lung and heart size, mediastinum); each slice is
 * drawn at its own level of the chest (`sliceLevel`), so that one patient's slices show different
 * anatomy (apex: small lungs, trachea and aortic arch; mid: heart; base: a large heart and the
 * liver dome), not the same picture twice (docs/dedupe.md, hard negatives).
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
  /** The heart's offset to the patient's left (image right), a fraction of the width. */
  readonly heartDx: number;
  /** Right and left lung size factors (the lungs of one patient are not mirror images). */
  readonly lungScale: readonly [number, number];
  /** Where the patient's first slice lies (0 apex .. 1 base); the others follow (sliceLevel). */
  readonly level0: number;
  /** The body outline's superellipse exponent: 2 an ellipse, more a squarer build. */
  readonly bodyPower: number;
  /** Vertebra and aorta size factors, the aorta's offset, the ribs' angular phase. */
  readonly spine: number;
  readonly aorta: number;
  readonly aortaDx: number;
  readonly ribPhase: number;
}

export function sampleCtAnatomy(rng: Rng): CtAnatomy {
  const bodyA = rng.uniform(0.35, 0.45);
  return {
    bodyA,
    bodyB: bodyA * rng.uniform(0.62, 0.8),
    bodyCy: rng.uniform(0.48, 0.55),
    fat: rng.uniform(0.015, 0.06),
    lungA: rng.uniform(0.11, 0.16),
    lungB: rng.uniform(0.16, 0.23),
    lungGap: rng.uniform(0.14, 0.19),
    heartA: rng.uniform(0.08, 0.13),
    heartB: rng.uniform(0.08, 0.12),
    heartCy: rng.uniform(0.38, 0.45),
    ribs: rng.int(7, 10),
    heartDx: rng.uniform(0.01, 0.06),
    lungScale: [rng.uniform(0.88, 1.08), rng.uniform(0.88, 1.08)],
    level0: rng.next(),
    bodyPower: rng.uniform(1.8, 3),
    spine: rng.uniform(0.8, 1.2),
    aorta: rng.uniform(0.75, 1.3),
    aortaDx: rng.uniform(0.025, 0.07),
    ribPhase: rng.uniform(-0.15, 0.15),
  };
}

/**
 * The chest level (0 apex .. 1 base) of a patient's slice with image index `index`: successive
 * indices step by the golden ratio's fraction, so a patient's two or three slices lie at least
 * 0.23 of the chest apart, as slices picked from a volume to show different anatomy do.
 */
export function sliceLevel(a: CtAnatomy, index: number): number {
  const z = a.level0 + 0.6180339887 * index;
  return z - Math.floor(z);
}

/** The anatomy as it shows at level z: lung and heart extents, and which structures appear. */
interface CtSlice extends CtAnatomy {
  readonly z: number;
  /** 0..1: how much of the heart this level cuts. */
  readonly heart: number;
  /** Right and left lung half extents at this level. */
  readonly lungAs: readonly [number, number];
  readonly lungBs: readonly [number, number];
  readonly lungDy: number;
}

function atLevel(a: CtAnatomy, z: number): CtSlice {
  // lungs grow from the apex to mid chest, then narrow a little towards the domes
  const f = 0.6 + 0.4 * Math.sin((Math.PI / 2) * Math.min(1, z / 0.55)) - 0.12 * smoothstep(0.75, 1, z);
  const grow = 0.93 + 0.12 * z;
  return {
    ...a,
    z,
    bodyA: a.bodyA * grow,
    bodyB: a.bodyB * (0.96 + 0.08 * z),
    heart: smoothstep(0.28, 0.8, z),
    heartA: a.heartA * (0.6 + 0.5 * smoothstep(0.28, 0.9, z)),
    heartB: a.heartB * (0.6 + 0.5 * smoothstep(0.28, 0.9, z)),
    heartCy: a.heartCy + 0.03 * z,
    lungAs: [a.lungA * a.lungScale[0] * (0.6 + 0.4 * f), a.lungA * a.lungScale[1] * (0.6 + 0.4 * f)],
    lungBs: [a.lungB * a.lungScale[0] * f, a.lungB * a.lungScale[1] * f],
    // apical lungs sit posteriorly (lower in the image)
    lungDy: 0.06 * (1 - f),
  };
}

const AIR = 0.04;
const LUNG = 0.14;
const FAT = 0.68;
const SOFT = 0.82;
const BONE = 1;

export function drawCtAnatomy(anatomy: CtAnatomy, rng: Rng, w: number, h: number, level = 0.5): ChestPicture {
  const a = atLevel(anatomy, level);
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
    ax: a.lungAs[s]!,
    ay: a.lungBs[s]!,
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

function ctGeometry(a: CtSlice): CtGeometry {
  const cy = a.bodyCy;
  const lungCx = [0.5 - a.lungGap, 0.5 + a.lungGap] as const;
  const lungCy = cy - 0.01 + a.lungDy;
  const edge = 0.006;
  const spineCy = cy + a.bodyB * 0.7;
  return { lungCx, lungCy, edge, spineCy };
}

/** The scanner table: a shallow curved plate under the patient's back. */
function drawTable(a: CtSlice, density: Raster): void {
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

/** The body's grey at normalised radius br: skin and fat ring, muscle, then the thoracic cavity. */
function bodyValue(a: CtSlice, br: number): number {
  if (br < 1 - a.fat * 3.2) return SOFT;
  const inFat = smoothstep(1.01, 0.99, br);
  const muscle = smoothstep(1 - a.fat * 3.2, 1 - a.fat * 2.8, br) * (1 - smoothstep(1 - a.fat * 1.2, 1 - a.fat * 0.8, br));
  return AIR + (FAT - AIR) * inFat + (SOFT - FAT) * muscle;
}

/** Lung membership (0..1) of side s at (u, v): a tall ellipse indented by the heart and, at the base, the liver dome. */
function lungAt(a: CtSlice, g: CtGeometry, s: number, u: number, v: number): number {
  const la = a.lungAs[s]!;
  const lx = (u - g.lungCx[s]!) / la;
  const ly = (v - g.lungCy) / a.lungBs[s]!;
  if (lx * lx > 1.3 || ly * ly > 1.3) return 0;
  // flatten the anterior-medial part (mediastinum) and round the posterior
  const medial = s === 0 ? lx : -lx;
  const squeeze = medial > 0 ? 1 + 0.5 * medial * smoothstep(0.2, -0.6, ly) : 1;
  const sq = lx * squeeze;
  const r = Math.sqrt(sq * sq + ly * ly);
  const hx = (u - 0.5 - a.heartDx) / a.heartA;
  const hy = (v - a.heartCy) / a.heartB;
  const heart = a.heart > 0.05 ? smoothstep(0.95, 1.1, Math.sqrt(hx * hx + hy * hy) / Math.sqrt(a.heart)) : 1;
  // the right hemidiaphragm's dome (liver) rises into the lowest slices from behind
  let liver = 1;
  if (s === 0 && a.z > 0.8) {
    const t = (a.z - 0.8) / 0.2;
    const dx = (u - g.lungCx[0]!) / (la * 1.1);
    const dy = (v - (g.lungCy + a.lungBs[0]! * 0.35)) / (a.lungBs[0]! * 0.9);
    liver = smoothstep(0.9 * t, 0.9 * t + 0.1, Math.sqrt(dx * dx + dy * dy) + (1 - t));
  }
  return smoothstep(1 + g.edge / la, 1 - g.edge / la, r) * heart * liver;
}

/** Body, lungs (their masks too), aorta, trachea and vertebra, row by row inside the body ellipse. */
function drawSlice(a: CtSlice, g: CtGeometry, density: Raster, masks: readonly [Raster, Raster]): void {
  const { width: w, height: h } = density;
  const d = density.data;
  const cy = a.bodyCy;
  const { lungCy, spineCy } = g;
  const lungTop = lungCy - Math.max(a.lungBs[0], a.lungBs[1]);
  const lungBottom = lungCy + Math.max(a.lungBs[0], a.lungBs[1]);
  // the aortic arch crosses in front of the trachea in the highest slices, the ascending aorta lower
  const arch = a.z < 0.3;
  const aortaCy = arch ? lungCy - 0.04 : spineCy - 0.06;
  for (let y = 0; y < h; y++) {
    const v = (y + 0.5) / h;
    // columns that can lie inside the body ellipse (br < 1.01), with a pixel to spare
    const p = a.bodyPower;
    const byRow = Math.abs(v - cy) / a.bodyB;
    const reach = Math.pow(1.01, p) - Math.pow(byRow, p);
    if (reach <= 0) continue;
    const half = a.bodyA * Math.pow(reach, 1 / p);
    const xa = Math.max(0, Math.floor((0.5 - half) * w - 0.5) - 1);
    const xb = Math.min(w - 1, Math.ceil((0.5 + half) * w - 0.5) + 1);
    for (let x = xa; x <= xb; x++) {
      const u = (x + 0.5) / w;
      const i = y * w + x;
      const bx = (u - 0.5) / a.bodyA;
      const by = (v - cy) / a.bodyB;
      const br = Math.pow(Math.pow(Math.abs(bx), p) + Math.pow(Math.abs(by), p), 1 / p);
      if (br >= 1.01) continue; // air outside the body; nothing else lies there
      let val = bodyValue(a, br);
      let lungIn = 0;
      for (let s = 0; s < 2; s++) {
        const m = lungAt(a, g, s, u, v);
        masks[s as 0 | 1].data[i] = m;
        lungIn = Math.max(lungIn, m);
      }
      // dependent (posterior) lung is slightly denser
      const lungVal = LUNG + 0.05 * smoothstep(lungTop, lungBottom, v);
      val = val + (lungVal - val) * lungIn;
      if (arch) {
        // the arch: a soft-tissue band from front right to back left of the trachea
        const t = Math.max(0, Math.min(1, (u - 0.46) / 0.12));
        const ax = (u - (0.46 + 0.12 * t)) / (0.03 * a.aorta);
        const ay = (v - (aortaCy + 0.05 * t)) / (0.03 * a.aorta);
        if (ax * ax + ay * ay < 1) val = SOFT + 0.04;
      } else {
        const ax = (u - 0.5 - a.aortaDx) / (0.03 * a.aorta);
        const ay = (v - aortaCy) / (0.03 * a.aorta);
        if (ax * ax + ay * ay < 1) val = SOFT + 0.04;
      }
      if (a.z < 0.45) {
        // the trachea: an air circle in front of the spine
        const tx = (u - 0.5) / (0.022 * a.spine);
        const ty = (v - (lungCy + 0.01)) / (0.02 * a.spine);
        if (tx * tx + ty * ty < 1) val = AIR + 0.02;
      }
      const sx = (u - 0.5) / (0.055 * a.spine);
      const sy = (v - spineCy) / (0.05 * a.spine);
      const sr = Math.sqrt(sx * sx + sy * sy);
      if (sr < 1) val = sr > 0.82 ? BONE : 0.9;
      const cxv = (u - 0.5) / (0.025 * a.spine);
      const cyv = (v - (spineCy + 0.07 * a.spine)) / (0.022 * a.spine);
      if (cxv * cxv + cyv * cyv < 1) val = SOFT - 0.05;
      d[i] = val;
    }
  }
}

function drawCtRibs(a: CtSlice, rng: Rng, density: Raster): void {
  const { width: w, height: h } = density;
  const d = density.data;
  const cy = a.bodyCy;
  // ribs: small bright ovals in the chest wall along the posterior and lateral arc
  for (let k = 0; k < a.ribs; k++) {
    for (const s of [-1, 1]) {
      const ang = Math.PI / 2 + s * (0.35 + a.ribPhase + (k / a.ribs) * 1.9) + rng.normal(0, 0.04);
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

function drawCtVessels(a: CtSlice, g: CtGeometry, rng: Rng, density: Raster, masks: readonly [Raster, Raster]): void {
  const { width: w } = density;
  const h = density.height;
  const d = density.data;
  const { lungCx, lungCy } = g;
  // vessels: cross-sections (dots) and short in-plane segments, denser towards the hilum; a few
  // larger central ones as well, which (like real hilar vessels) still show on a small thumbnail
  const vessels = makeRaster(w, h);
  const large = makeRaster(w, h);
  for (let s = 0; s < 2; s++) {
    const la = a.lungAs[s]!;
    const lb = a.lungBs[s]!;
    const hx = lungCx[s]! + (s === 0 ? 1 : -1) * la * 0.5;
    for (let k = 0; k < 60; k++) {
      const r = Math.sqrt(rng.next()) * 0.95;
      const ang = rng.uniform(0, Math.PI * 2);
      const px = (lungCx[s]! + Math.cos(ang) * r * la) * w;
      const py = (lungCy + Math.sin(ang) * r * lb) * h;
      const strength = 1.4 * (1.1 - r);
      if (rng.chance(0.3)) {
        const dx = (hx * w - px) * 0.12;
        const dy = (lungCy * h - py) * 0.12;
        splatLine(vessels, px, py, px + dx, py + dy, strength);
      } else {
        splatLine(vessels, px, py, px + rng.uniform(-0.6, 0.6), py + rng.uniform(-0.6, 0.6), strength * 1.5);
      }
    }
    for (let k = 0; k < 10; k++) {
      const r = rng.uniform(0.15, 0.75);
      const ang = rng.uniform(0, Math.PI * 2);
      const px = (lungCx[s]! + Math.cos(ang) * r * la) * w;
      const py = (lungCy + Math.sin(ang) * r * lb) * h;
      const t = rng.uniform(0, 0.35);
      splatLine(large, px, py, px + (hx * w - px) * t, py + (lungCy * h - py) * t, rng.uniform(1.5, 3));
    }
  }
  gaussianBlur(vessels, Math.max(0.5, w / 300));
  gaussianBlur(large, Math.max(0.8, w / 110));
  for (let i = 0; i < d.length; i++) {
    const m = Math.max(masks[0].data[i]!, masks[1].data[i]!);
    d[i]! += (0.8 * Math.min(1, vessels.data[i]!) + 0.7 * Math.min(1, large.data[i]! * 2)) * m;
  }
}
