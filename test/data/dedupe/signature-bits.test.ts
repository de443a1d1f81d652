// signatureOf's fast code (one fused pass for 128² 8-bit images, a bit-packed erosion, sample
// positions per row and column, eight DCT frequencies side by side) must give the bits of the
// definitions, written out here as plain loops as they first shipped: a cached signature file
// is keyed by the signature's version, not by the code that computed it.
import { describe, expect, it } from 'vitest';
import { areaGrey, signatureOf, COEFFS, GRID, THUMB_GRID } from '../../../src/data/dedupe/signature.ts';

const n = THUMB_GRID;

function plainLowDct(grid: Float64Array): Float64Array {
  const basis = (u: number, x: number): number => Math.cos(((2 * x + 1) * u * Math.PI) / (2 * GRID));
  const rows = new Float64Array(GRID * 8);
  for (let y = 0; y < GRID; y++) {
    for (let u = 0; u < 8; u++) {
      let s = 0;
      for (let x = 0; x < GRID; x++) s += grid[y * GRID + x]! * basis(u, x);
      rows[y * 8 + u] = s;
    }
  }
  const out = new Float64Array(64);
  for (let v = 0; v < 8; v++) {
    for (let u = 0; u < 8; u++) {
      let s = 0;
      for (let y = 0; y < GRID; y++) s += rows[y * 8 + u]! * basis(v, y);
      out[v * 8 + u] = s;
    }
  }
  return out;
}

function plainCentredGrid(fine: Float64Array): Float64Array {
  let sum = 0;
  let sx = 0;
  let sy = 0;
  for (let y = 0; y < n; y++) {
    for (let x = 0; x < n; x++) {
      const v = fine[y * n + x]!;
      sum += v;
      sx += v * x;
      sy += v * y;
    }
  }
  const c = (n - 1) / 2;
  const limit = 0.1 * n;
  const dx = sum > 0 ? Math.max(-limit, Math.min(limit, sx / sum - c)) : 0;
  const dy = sum > 0 ? Math.max(-limit, Math.min(limit, sy / sum - c)) : 0;
  const margin = 0.12 * n;
  const step = (n - 2 * margin) / GRID;
  const out = new Float64Array(GRID * GRID);
  for (let gy = 0; gy < GRID; gy++) {
    const fy = Math.min(n - 1, Math.max(0, margin + gy * step + (step - 1) / 2 + dy));
    const y0 = Math.min(n - 2, Math.floor(fy));
    const ty = fy - y0;
    for (let gx = 0; gx < GRID; gx++) {
      const fx = Math.min(n - 1, Math.max(0, margin + gx * step + (step - 1) / 2 + dx));
      const x0 = Math.min(n - 2, Math.floor(fx));
      const tx = fx - x0;
      const i = y0 * n + x0;
      const top = fine[i]! + (fine[i + 1]! - fine[i]!) * tx;
      const bottom = fine[i + n]! + (fine[i + n + 1]! - fine[i + n]!) * tx;
      out[gy * GRID + gx] = top + (bottom - top) * ty;
    }
  }
  return out;
}

function bilinear(fine: Float64Array, fx: number, fy: number): number {
  const x = Math.min(n - 1.001, Math.max(0, fx));
  const y = Math.min(n - 1.001, Math.max(0, fy));
  const x0 = Math.floor(x);
  const y0 = Math.floor(y);
  const tx = x - x0;
  const i = y0 * n + x0;
  const top = fine[i]! + (fine[i + 1]! - fine[i]!) * tx;
  const bottom = fine[i + n]! + (fine[i + n + 1]! - fine[i + n]!) * tx;
  return top + (bottom - top) * (y - y0);
}

function plainBodyFrameGrid(fine: Float64Array): Float64Array {
  let mean = 0;
  for (let i = 0; i < fine.length; i++) mean += fine[i]!;
  mean /= fine.length;
  let s = 0;
  let sx = 0;
  let sy = 0;
  let sxx = 0;
  let syy = 0;
  for (let y = 1; y < n - 1; y++) {
    for (let x = 1; x < n - 1; x++) {
      let inside = true;
      for (let dy = -1; dy <= 1 && inside; dy++) for (let dx = -1; dx <= 1; dx++) if (!(fine[(y + dy) * n + x + dx]! > mean)) inside = false;
      if (!inside) continue;
      s++;
      sx += x;
      sy += y;
      sxx += x * x;
      syy += y * y;
    }
  }
  if (s < 20) return plainCentredGrid(fine);
  const cx = sx / s;
  const cy = sy / s;
  const hx = 1.2 * Math.sqrt(Math.max(1, sxx / s - cx * cx));
  const hy = 1.2 * Math.sqrt(Math.max(1, syy / s - cy * cy));
  const out = new Float64Array(GRID * GRID);
  for (let gy = 0; gy < GRID; gy++) {
    const fy = cy + (((gy + 0.5) / GRID) * 2 - 1) * hy;
    for (let gx = 0; gx < GRID; gx++) out[gy * GRID + gx] = bilinear(fine, cx + (((gx + 0.5) / GRID) * 2 - 1) * hx, fy);
  }
  return out;
}

/** The fine grid by its definition: the generic area path, three equal channels of the grey image. */
function plainFine(px: Uint8Array, w: number, h: number, c: number): Float64Array {
  if (c === 3) return areaGrey(px, w, h, 3, n, n);
  const rgb = new Uint8Array(px.length * 3);
  px.forEach((v, i) => rgb.fill(v, 3 * i, 3 * i + 3));
  return areaGrey(rgb, w, h, 3, n, n);
}

describe('signature bits', () => {
  let seed = 17;
  const next = (): number => (seed = (seed * 48271) % 2147483647) / 2147483647;
  // A bright blob with noise (its mask crosses the 32-pixel word boundary), a blob pushed off
  // centre and against an edge, a flat image (no body: the centroid window), stripes (a ragged mask).
  const images: Record<string, (x: number, y: number, w: number, h: number, k: number) => number> = {
    blob: (x, y, w, h, k) => 255 * Math.min(1, 0.7 * Math.exp(-((x - w / 2 - 3 * k) ** 2 + (y - h / 2) ** 2) / (8 * w)) + 0.3 * next()),
    edge: (x, y, w, h, k) => 255 * Math.min(1, 0.8 * Math.exp(-((x - w + 2 + k) ** 2 + (y - h / 3) ** 2) / (4 * w)) + 0.15 * next()),
    flat: () => 90,
    stripes: (x, y, _w, _h, k) => ((x + 2 * y + k) % 11 < 6 ? 200 : 40) + 40 * next(),
  };
  for (const [name, value] of Object.entries(images)) {
    for (const [w, h, c] of [[128, 128, 1], [96, 80, 1], [64, 64, 3]] as const) {
      it(`${name}, ${w}×${h}×${c}: coefficients and thumbnail equal the plain loops`, () => {
        for (let k = 0; k < 3; k++) {
          const px = new Uint8Array(w * h * c);
          for (let i = 0; i < px.length; i++) {
            const p = Math.floor(i / c);
            px[i] = Math.max(0, Math.min(255, Math.round(value(p % w, Math.floor(p / w), w, h, k))));
          }
          const sig = signatureOf(px, w, h, c);
          const fine = plainFine(px, w, h, c);
          const views = [plainLowDct(plainCentredGrid(fine)), plainLowDct(plainBodyFrameGrid(fine))];
          views.forEach((dct, view) => {
            for (let j = 0; j < COEFFS; j++) expect(Object.is(sig.coeffs[view * COEFFS + j], Math.fround(dct[j + 1]!)), `#${k} view ${view} coeff ${j}`).toBe(true);
          });
          const thumb = Uint8Array.from(fine, (v) => Math.max(0, Math.min(255, Math.round(v))));
          expect(Buffer.from(sig.thumb).equals(Buffer.from(thumb))).toBe(true);
        }
      });
    }
  }
});
