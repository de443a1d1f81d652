/**
 * Principal axes of one view's coefficients, for the candidate index (search.ts). The low DCT
 * coefficients of grey, centred chest images are strongly correlated and their variances fall
 * off fast, so a few principal coordinates carry most of any distance: the index splits on them
 * and uses their partial distance as a cheap lower bound of the full one (an orthogonal
 * projection never lengthens a vector).
 */
import { COEFFS, VIEWS } from './signature.ts';

/** Images used for the covariance: every s-th, so that 100,000 images cost as much as this many. */
const COVARIANCE_SAMPLE = 5_000;

export interface Axes {
  readonly mean: Float64Array;
  /** `lead` unit rows of COEFFS values, by decreasing variance. */
  readonly rows: Float64Array;
  readonly lead: number;
}

/** Eigenvectors of a symmetric d × d matrix (cyclic Jacobi; deterministic), by decreasing eigenvalue. */
export function eigenvectors(matrix: Float64Array, d: number): { values: Float64Array; vectors: Float64Array } {
  const a = Float64Array.from(matrix);
  const v = new Float64Array(d * d);
  for (let i = 0; i < d; i++) v[i * d + i] = 1;
  for (let sweep = 0; sweep < 60; sweep++) {
    let off = 0;
    for (let p = 0; p < d; p++) for (let q = p + 1; q < d; q++) off += a[p * d + q]! ** 2;
    if (off < 1e-24) break;
    for (let p = 0; p < d; p++) {
      for (let q = p + 1; q < d; q++) {
        const apq = a[p * d + q]!;
        if (Math.abs(apq) < 1e-300) continue;
        const theta = (a[q * d + q]! - a[p * d + p]!) / (2 * apq);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const s = t * c;
        for (let k = 0; k < d; k++) {
          const akp = a[k * d + p]!;
          const akq = a[k * d + q]!;
          a[k * d + p] = c * akp - s * akq;
          a[k * d + q] = s * akp + c * akq;
        }
        for (let k = 0; k < d; k++) {
          const apk = a[p * d + k]!;
          const aqk = a[q * d + k]!;
          a[p * d + k] = c * apk - s * aqk;
          a[q * d + k] = s * apk + c * aqk;
        }
        for (let k = 0; k < d; k++) {
          const vkp = v[k * d + p]!;
          const vkq = v[k * d + q]!;
          v[k * d + p] = c * vkp - s * vkq;
          v[k * d + q] = s * vkp + c * vkq;
        }
      }
    }
  }
  const order = Array.from({ length: d }, (_, i) => i).sort((x, y) => a[y * d + y]! - a[x * d + x]! || x - y);
  const values = Float64Array.from(order, (i) => a[i * d + i]!);
  const vectors = new Float64Array(d * d);
  order.forEach((col, r) => {
    for (let k = 0; k < d; k++) vectors[r * d + k] = v[k * d + col]!;
  });
  return { values, vectors };
}

/** The view's mean and its `lead` leading principal axes (`views` rows of coefficients an image in `table`). */
export function principalAxes(table: Float32Array, n: number, view: number, lead: number, views = VIEWS): Axes {
  const d = COEFFS;
  const step = Math.max(1, Math.floor(n / COVARIANCE_SAMPLE));
  const mean = new Float64Array(d);
  let m = 0;
  for (let i = 0; i < n; i += step, m++) {
    const base = (i * views + view) * d;
    for (let k = 0; k < d; k++) mean[k]! += table[base + k]!;
  }
  for (let k = 0; k < d; k++) mean[k]! /= m;
  const cov = new Float64Array(d * d);
  const x = new Float64Array(d);
  for (let i = 0; i < n; i += step) {
    const base = (i * views + view) * d;
    for (let k = 0; k < d; k++) x[k] = table[base + k]! - mean[k]!;
    for (let p = 0; p < d; p++) {
      const xp = x[p]!;
      for (let q = p; q < d; q++) cov[p * d + q]! += xp * x[q]!;
    }
  }
  for (let p = 0; p < d; p++) for (let q = p; q < d; q++) cov[q * d + p] = cov[p * d + q]!;
  const { vectors } = eigenvectors(cov, d);
  return { mean, rows: vectors.slice(0, lead * d), lead };
}

/** Each image's leading principal coordinates in one view: n × lead float32. */
export function project(table: Float32Array, n: number, view: number, axes: Axes, views = VIEWS): Float32Array {
  const { mean, rows, lead } = axes;
  const d = COEFFS;
  const out = new Float32Array(n * lead);
  const x = new Float64Array(d);
  for (let i = 0; i < n; i++) {
    const base = (i * views + view) * d;
    for (let k = 0; k < d; k++) x[k] = table[base + k]! - mean[k]!;
    for (let c = 0; c < lead; c++) {
      let s = 0;
      const r = c * d;
      for (let k = 0; k < d; k++) s += rows[r + k]! * x[k]!;
      out[i * lead + c] = s;
    }
  }
  return out;
}
