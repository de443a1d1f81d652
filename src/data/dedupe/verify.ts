/**
 * Pixel-level verification of a candidate pair (docs/dedupe.md). Grey, centred chest images all
 * correlate highly as they are; their high-pass detail (rib and vessel edges, markers, texture)
 * is what tells two images apart. Each image's high-pass maps are computed once
 * (`prepareThumb`: the thumbnail minus a box-blurred copy, on a 32×32 and a 64×64 grid); a pair
 * is compared by aligning b's map to a's by a per-axis scale and shift (a border crop becomes a
 * zoom once both are resized to the prepared size), found by coordinate search on the coarse
 * grid and refined on the fine one, and scoring the Pearson correlation of the two maps inside
 * a margin — and, under the same alignment, the agreement of the inner patches one by one
 * (`localAgreement`): the similarity is the lower of the two. Warping the precomputed map (not
 * re-filtering a warped thumbnail) makes one evaluation a single pass over the window: tens of
 * microseconds a pair in all.
 */
import { THUMB_GRID as GRID } from './signature.ts';

/** Largest scale change searched (± per axis) and largest shift, as fractions of the side. */
const MAX_SCALE = 0.07;
const MAX_SHIFT = 0.08;
/** Candidates whose best coarse correlation is below this are rejected before the fine stage. */
const COARSE_FLOOR = 0.85;
/**
 * Local agreement: the aligned window is cut into PATCHES × PATCHES patches; the outer ring is
 * left out (burned-in markers, a crop's or shift's black fill and the body outline lie there) and
 * the similarity is at most the PATCH_RANK-th lowest (0-based: the 3rd lowest) of the 16 inner
 * patches' correlations. One global correlation is dominated by the strongest edges (body
 * outline, spine, diaphragm), which chests of one build share; an edited copy agrees in every
 * inner region, another patient's image or another study of one patient disagrees in several
 * (the lung fields' vessels, devices, the diaphragm's height). Figures: docs/dedupe.md.
 */
const PATCHES = 6;
const PATCH_RANK = 2;

function boxBlur(src: Float32Array, n: number, r: number): Float32Array {
  const tmp = new Float32Array(n * n);
  const out = new Float32Array(n * n);
  const w = 1 / (2 * r + 1);
  for (let y = 0; y < n; y++) {
    for (let x = 0; x < n; x++) {
      let s = 0;
      for (let d = -r; d <= r; d++) s += src[y * n + Math.min(n - 1, Math.max(0, x + d))]!;
      tmp[y * n + x] = s * w;
    }
  }
  for (let y = 0; y < n; y++) {
    for (let x = 0; x < n; x++) {
      let s = 0;
      for (let d = -r; d <= r; d++) s += tmp[Math.min(n - 1, Math.max(0, y + d)) * n + x]!;
      out[y * n + x] = s * w;
    }
  }
  return out;
}

/** The high-pass (on the fine grid: band-pass) map of an n × n grey grid (blur radius n/16). */
export function highPass(grid: ArrayLike<number>, n = GRID): Float32Array {
  // On the fine grid, a 3×3 box first: a band-pass. Pixel-level detail is what re-encoding,
  // noise and a pipeline's nearest-neighbour resize (the default) change most, so it is left out.
  const src = n === GRID ? boxBlur(Float32Array.from(grid), n, 1) : Float32Array.from(grid);
  const blurred = boxBlur(src, n, Math.max(1, Math.round(n / 16)));
  for (let i = 0; i < src.length; i++) src[i] = src[i]! - blurred[i]!;
  return src;
}

/** The n/2 × n/2 grid of 2 × 2 means. */
export function halved(grid: ArrayLike<number>, n = GRID): Float32Array {
  const h = n / 2;
  const out = new Float32Array(h * h);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < h; x++) {
      const i = 2 * y * n + 2 * x;
      out[y * h + x] = (grid[i]! + grid[i + 1]! + grid[i + n]! + grid[i + n + 1]!) / 4;
    }
  }
  return out;
}

/** One image's map on one grid: the map itself, and its window normalised (zero mean, unit norm). */
interface Level {
  readonly n: number;
  readonly margin: number;
  readonly map: Float32Array;
  /** The window (margin cut off), zero mean and unit norm, row-major. */
  readonly unit: Float32Array;
}

function level(map: Float32Array, n: number): Level {
  const margin = Math.round(n / 10);
  const side = n - 2 * margin;
  const unit = new Float32Array(side * side);
  let mean = 0;
  for (let y = 0; y < side; y++) for (let x = 0; x < side; x++) mean += unit[y * side + x] = map[(y + margin) * n + x + margin]!;
  mean /= unit.length;
  let norm = 0;
  for (let i = 0; i < unit.length; i++) norm += (unit[i]! - mean) ** 2;
  const inv = norm > 0 ? 1 / Math.sqrt(norm) : 0;
  for (let i = 0; i < unit.length; i++) unit[i] = (unit[i]! - mean) * inv;
  return { n, margin, map, unit };
}

/** What verification needs of one image, computed once: its coarse and fine high-pass maps. */
export interface Prepared {
  readonly coarse: Level;
  readonly fine: Level;
}

export function prepareThumb(grid: Uint8Array): Prepared {
  return { coarse: level(highPass(halved(grid), GRID / 2), GRID / 2), fine: level(highPass(grid), GRID) };
}

/** Scratch buffers for the per-axis sample positions, reused across calls (one thread). */
const index0 = new Int32Array(256);
const frac = new Float32Array(256);
const rowIndex = new Int32Array(256);
const rowFrac = new Float32Array(256);

function axis(n: number, margin: number, s: number, d: number, idx: Int32Array, t: Float32Array): void {
  const c = (n - 1) / 2;
  for (let k = 0; k < n - 2 * margin; k++) {
    const f = Math.min(n - 1, Math.max(0, c + (k + margin - c) * s + d * n));
    const i = Math.min(n - 2, Math.floor(f));
    idx[k] = i;
    t[k] = f - i;
  }
}

/** Bilinear sample between m[top], m[top + 1] and the next row's m[bottom], m[bottom + 1] (small: V8 inlines it in the loops). */
function lerp2(m: Float32Array, top: number, bottom: number, tx: number, ty: number): number {
  const t = m[top]! + (m[top + 1]! - m[top]!) * tx;
  const b = m[bottom]! + (m[bottom + 1]! - m[bottom]!) * tx;
  return t + (b - t) * ty;
}

/**
 * Correlation of a's window with b's map sampled (bilinear) at x' = c + (x − c)·sx + dx·n per
 * axis: one pass, accumulating the sums a Pearson correlation needs (a's window is already
 * zero-mean and unit-norm, so only b's moments are summed).
 */
function score(a: Level, b: Level, sx: number, sy: number, dx: number, dy: number): number {
  const { n, margin } = a;
  const side = n - 2 * margin;
  axis(n, margin, sx, dx, index0, frac);
  axis(n, margin, sy, dy, rowIndex, rowFrac);
  const m = b.map;
  const u = a.unit;
  let sb = 0;
  let sbb = 0;
  let sab = 0;
  for (let y = 0; y < side; y++) {
    const r0 = rowIndex[y]! * n;
    const r1 = r0 + n;
    const ty = rowFrac[y]!;
    const o = y * side;
    for (let x = 0; x < side; x++) {
      const i = index0[x]!;
      const tx = frac[x]!;
      const v = lerp2(m, r0 + i, r1 + i, tx, ty);
      sb += v;
      sbb += v * v;
      sab += u[o + x]! * v;
    }
  }
  const varB = sbb - (sb * sb) / (side * side);
  return varB > 0 ? sab / Math.sqrt(varB) : 0;
}

/** Coordinate search with halving steps from `p` (scale x, scale y, shift x, shift y as fractions). */
function align(a: Level, b: Level, p: number[], fractions: readonly number[], rounds = 4): number {
  let best = score(a, b, p[0]!, p[1]!, p[2]!, p[3]!);
  const limits = [MAX_SCALE, MAX_SCALE, MAX_SHIFT, MAX_SHIFT];
  const q = [0, 0, 0, 0];
  for (const fraction of fractions) {
    let improved = true;
    for (let round = 0; improved && round < rounds; round++) {
      improved = false;
      for (let k = 0; k < 4; k++) {
        const base = k < 2 ? 1 : 0;
        const step = limits[k]! * fraction;
        for (const sign of [1, -1]) {
          for (let j = 0; j < 4; j++) q[j] = p[j]!;
          q[k] = Math.max(base - limits[k]!, Math.min(base + limits[k]!, q[k]! + sign * step));
          if (q[k] === p[k]) continue;
          const s = score(a, b, q[0]!, q[1]!, q[2]!, q[3]!);
          if (s > best + 1e-9) {
            best = s;
            p[k] = q[k]!;
            improved = true;
          }
        }
      }
    }
  }
  return best;
}

/**
 * The similarity of two images in [-1, 1]: b is aligned to a on the coarse grid (where a shift
 * of a few per cent is a cell or two and the search has a slope to climb), then refined and
 * scored on the fine grid, whose high-pass detail separates images of similar anatomy. A pair
 * whose coarse maps do not correlate is returned with its coarse score, unrefined.
 */
export function similarity(a: Prepared, b: Prepared): number {
  const p = [1, 1, 0, 0];
  const coarse = align(a.coarse, b.coarse, p, [0.5, 0.25, 0.12], 3);
  if (coarse < COARSE_FLOOR) return coarse;
  const global = align(a.fine, b.fine, p, [0.12, 0.06, 0.03], 3);
  return Math.min(global, localAgreement(a.fine, b.fine, p));
}

/** Scratch sums of the patch correlations (one thread): Σa, Σb, Σa², Σb², Σab and the count. */
const patchSums = new Float64Array(PATCHES * PATCHES * 6);

/**
 * The PATCH_RANK-th lowest of the inner patch correlations of a's window with b's map under the
 * alignment p (the same bilinear sampling as `score`). Each patch is normalised on its own, so
 * a patch of faint lung texture counts as much as one with the spine's edges. (The outer ring's
 * sums are accumulated too: skipping them per pixel would cost more than it saves.)
 */
export function localAgreement(a: Level, b: Level, p: readonly number[]): number {
  const { n, margin } = a;
  const side = n - 2 * margin;
  axis(n, margin, p[0]!, p[2]!, index0, frac);
  axis(n, margin, p[1]!, p[3]!, rowIndex, rowFrac);
  const m = b.map;
  const am = a.map;
  const acc = patchSums;
  acc.fill(0);
  for (let y = 0; y < side; y++) {
    const r0 = rowIndex[y]! * n;
    const r1 = r0 + n;
    const ty = rowFrac[y]!;
    const rowPatch = Math.min(PATCHES - 1, Math.floor((y * PATCHES) / side)) * PATCHES;
    const ao = (y + margin) * n + margin;
    for (let x = 0; x < side; x++) {
      const i = index0[x]!;
      const tx = frac[x]!;
      const v = lerp2(m, r0 + i, r1 + i, tx, ty);
      const u = am[ao + x]!;
      const c = (rowPatch + Math.min(PATCHES - 1, Math.floor((x * PATCHES) / side))) * 6;
      acc[c]! += u;
      acc[c + 1]! += v;
      acc[c + 2]! += u * u;
      acc[c + 3]! += v * v;
      acc[c + 4]! += u * v;
      acc[c + 5]! += 1;
    }
  }
  const r: number[] = [];
  for (let c = 0; c < PATCHES * PATCHES * 6; c += 6) {
    const px = (c / 6) % PATCHES;
    const py = Math.floor(c / 6 / PATCHES);
    if (px === 0 || py === 0 || px === PATCHES - 1 || py === PATCHES - 1) continue;
    const k = acc[c + 5]!;
    const va = acc[c + 2]! - (acc[c]! * acc[c]!) / k;
    const vb = acc[c + 3]! - (acc[c + 1]! * acc[c + 1]!) / k;
    const cov = acc[c + 4]! - (acc[c]! * acc[c + 1]!) / k;
    // a flat patch in both (outside the body) agrees; flat in one only does not
    r.push(va > 1e-9 && vb > 1e-9 ? cov / Math.sqrt(va * vb) : va <= 1e-9 && vb <= 1e-9 ? 1 : 0);
  }
  return r.sort((x, y) => x - y)[PATCH_RANK]!;
}
