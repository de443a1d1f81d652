/**
 * `source_probe` (docs/probes.md): can a simple model tell an image's source from its pixels?
 * Features: a `thumbnail × thumbnail` area-resized greyscale thumbnail and a `bins`-bin intensity
 * histogram. Classifier: multinomial logistic regression (softmax, L2-regularised, full-batch
 * gradient descent from zero weights on standardised features, so it draws no random numbers).
 * Cross-validated with patients grouped: every image of a patient lies in one fold, the folds
 * drawn from a seeded stream. Reported overall and within each task class (inside NOR, can source
 * A be told from source B? That is the shortcut a network can take), against the majority-source
 * rate, which is what guessing the commonest source scores.
 */
import { resizeArea, type Pixels } from '../../data/index.ts';
import { shuffled, type RandomStream } from '../../engine/light.ts';

export interface ProbeImage {
  readonly key: string;
  readonly source: string;
  readonly taskClass: string;
  /** Images of one patient share a fold; absent: the image is a group of its own. */
  readonly patient?: string;
}

export interface SourceProbeSettings {
  readonly folds: number;
  readonly thumbnail: number;
  readonly bins: number;
  /** Gradient-descent iterations. */
  readonly epochs: number;
}

export const SOURCE_PROBE_DEFAULTS: SourceProbeSettings = { folds: 5, thumbnail: 16, bins: 32, epochs: 200 };

export interface ProbeScore {
  readonly accuracy: number;
  readonly balancedAccuracy: number;
  readonly majorityRate: number;
  readonly n: number;
  readonly sources: readonly string[];
}

export interface SourceProbeResult extends ProbeScore {
  readonly withinClass: Readonly<Record<string, ProbeScore>>;
}

/** The features of one image: thumbnail samples in [0, 1], then the histogram's frequencies. */
export function imageFeatures(pixels: Pixels, width: number, height: number, channels: number, settings: Pick<SourceProbeSettings, 'thumbnail' | 'bins'>): Float32Array {
  const t = settings.thumbnail;
  const max = pixels instanceof Uint16Array ? 65535 : 255;
  const thumb = resizeArea(pixels, width, height, channels, t, t);
  const out = new Float32Array(t * t + settings.bins);
  for (let p = 0; p < t * t; p++) {
    let sum = 0;
    for (let c = 0; c < channels; c++) sum += thumb[p * channels + c] as number;
    out[p] = sum / channels / max;
  }
  const n = width * height;
  for (let p = 0; p < n; p++) {
    let sum = 0;
    for (let c = 0; c < channels; c++) sum += pixels[p * channels + c] as number;
    const bin = Math.min(settings.bins - 1, Math.floor(((sum / channels) / (max + 1)) * settings.bins));
    out[t * t + bin]! += 1 / n;
  }
  return out;
}

/** Fold of each image: patients (or lone images) shuffled by `random`, dealt to the smallest fold. */
export function groupedFolds(images: readonly ProbeImage[], folds: number, random: RandomStream): Int32Array {
  const groups = new Map<string, number[]>();
  images.forEach((image, i) => {
    const g = image.patient === undefined ? `image:${image.key}` : `patient:${image.source}:${image.patient}`;
    const members = groups.get(g);
    if (members === undefined) groups.set(g, [i]);
    else members.push(i);
  });
  const order = shuffled([...groups.keys()].sort(), random);
  const sizes = new Array<number>(folds).fill(0);
  const out = new Int32Array(images.length);
  for (const g of order) {
    const members = groups.get(g)!;
    let best = 0;
    for (let f = 1; f < folds; f++) if (sizes[f]! < sizes[best]!) best = f;
    sizes[best]! += members.length;
    for (const i of members) out[i] = best;
  }
  return out;
}

/**
 * Fits softmax regression on rows `train` of `x` (n × d, row-major) with labels `y` in [0, k) and
 * returns the predicted label of each row in `test`. Features are standardised with the training
 * rows' mean and standard deviation.
 */
export function fitPredictSoftmax(x: Float32Array, d: number, y: Int32Array, k: number, train: readonly number[], test: readonly number[], epochs: number): Int32Array {
  const mean = new Float64Array(d);
  const sd = new Float64Array(d);
  for (const i of train) for (let j = 0; j < d; j++) mean[j]! += x[i * d + j]! / train.length;
  for (const i of train) for (let j = 0; j < d; j++) sd[j]! += (x[i * d + j]! - mean[j]!) ** 2 / train.length;
  for (let j = 0; j < d; j++) sd[j] = Math.sqrt(sd[j]!) || 1;
  const z = (i: number, j: number): number => (x[i * d + j]! - mean[j]!) / sd[j]!;
  const xs = new Float64Array(train.length * d);
  train.forEach((i, r) => {
    for (let j = 0; j < d; j++) xs[r * d + j] = z(i, j);
  });
  const w = new Float64Array(k * (d + 1));
  const grad = new Float64Array(k * (d + 1));
  const velocity = new Float64Array(k * (d + 1));
  const p = new Float64Array(k);
  const l2 = 1e-3;
  // The softmax loss's curvature is at most half the largest eigenvalue of the features'
  // second-moment matrix (with the bias column): a step of 1/L with heavy-ball momentum 0.9 is stable.
  const lr = 1 / (0.5 * largestEigenvalue(xs, train.length, d) + l2);
  const logits = (row: Float64Array, offset: number): void => {
    let top = -Infinity;
    for (let c = 0; c < k; c++) {
      let s = w[c * (d + 1) + d]!;
      for (let j = 0; j < d; j++) s += w[c * (d + 1) + j]! * row[offset + j]!;
      p[c] = s;
      if (s > top) top = s;
    }
    let total = 0;
    for (let c = 0; c < k; c++) total += p[c] = Math.exp(p[c]! - top);
    for (let c = 0; c < k; c++) p[c]! /= total;
  };
  const labels = Int32Array.from(train, (i) => y[i]!);
  for (let epoch = 0; epoch < epochs; epoch++) {
    grad.fill(0);
    accumulateGradient(xs, labels, d, k, w, grad);
    for (let q = 0; q < w.length; q++) {
      velocity[q] = 0.9 * velocity[q]! - lr * (grad[q]! + ((q + 1) % (d + 1) === 0 ? 0 : l2 * w[q]!));
      w[q]! += velocity[q]!;
    }
  }
  const out = new Int32Array(test.length);
  const row = new Float64Array(d);
  test.forEach((i, t) => {
    for (let j = 0; j < d; j++) row[j] = z(i, j);
    logits(row, 0);
    let best = 0;
    for (let c = 1; c < k; c++) if (p[c]! > p[best]!) best = c;
    out[t] = best;
  });
  return out;
}

/**
 * Adds the mean softmax cross-entropy gradient over the rows of `xs` (n × d) to `grad`
 * (k × (d + 1), the bias last in each class's row). Four rows at a time, so that each weight is
 * loaded once for four dot products and each gradient element once for four updates (about 3×
 * faster than row by row); every sum still runs in the same order as row by row (each row's dot
 * product over j in order, each gradient element over the rows in order), so the bits are the
 * same (test/probes/source-probe-fit.test.ts compares with the plain loop).
 */
export function accumulateGradient(xs: Float64Array, labels: Int32Array, d: number, k: number, w: Float64Array, grad: Float64Array): void {
  const n = labels.length;
  const stride = d + 1;
  const e = new Float64Array(4 * k);
  for (let r0 = 0; r0 < n; r0 += 4) {
    const m = Math.min(4, n - r0);
    // Rows past the end repeat the last row in the dot products; their results go unused.
    const a0 = r0 * d;
    const a1 = (r0 + Math.min(1, m - 1)) * d;
    const a2 = (r0 + Math.min(2, m - 1)) * d;
    const a3 = (r0 + Math.min(3, m - 1)) * d;
    for (let c = 0; c < k; c++) {
      const base = c * stride;
      const bias = w[base + d]!;
      let s0 = bias;
      let s1 = bias;
      let s2 = bias;
      let s3 = bias;
      for (let j = 0; j < d; j++) {
        const wj = w[base + j]!;
        s0 += wj * xs[a0 + j]!;
        s1 += wj * xs[a1 + j]!;
        s2 += wj * xs[a2 + j]!;
        s3 += wj * xs[a3 + j]!;
      }
      e[c] = s0;
      e[k + c] = s1;
      e[2 * k + c] = s2;
      e[3 * k + c] = s3;
    }
    for (let q = 0; q < m; q++) {
      const o = q * k;
      let top = -Infinity;
      for (let c = 0; c < k; c++) if (e[o + c]! > top) top = e[o + c]!;
      let total = 0;
      for (let c = 0; c < k; c++) total += e[o + c] = Math.exp(e[o + c]! - top);
      const label = labels[r0 + q]!;
      for (let c = 0; c < k; c++) e[o + c] = (e[o + c]! / total - (c === label ? 1 : 0)) / n;
    }
    for (let c = 0; c < k; c++) {
      const base = c * stride;
      const e0 = e[c]!;
      const e1 = e[k + c]!;
      const e2 = e[2 * k + c]!;
      const e3 = e[3 * k + c]!;
      if (m === 4) {
        for (let j = 0; j < d; j++) grad[base + j] = grad[base + j]! + e0 * xs[a0 + j]! + e1 * xs[a1 + j]! + e2 * xs[a2 + j]! + e3 * xs[a3 + j]!;
      } else {
        for (let q = 0; q < m; q++) {
          const eq = e[q * k + c]!;
          const a = (r0 + q) * d;
          for (let j = 0; j < d; j++) grad[base + j]! += eq * xs[a + j]!;
        }
      }
      let g = grad[base + d]!;
      g += e0;
      if (m > 1) g += e1;
      if (m > 2) g += e2;
      if (m > 3) g += e3;
      grad[base + d] = g;
    }
  }
}

/** Power iteration on (1/n)·[x 1]ᵀ[x 1] (rows of `x` with a constant 1 appended); 30 steps, rounded up 10 %. */
function largestEigenvalue(x: Float64Array, n: number, d: number): number {
  let v = new Float64Array(d + 1).fill(1 / Math.sqrt(d + 1));
  let lambda = 1;
  for (let step = 0; step < 30; step++) {
    const next = new Float64Array(d + 1);
    for (let r = 0; r < n; r++) {
      let dot = v[d]!;
      for (let j = 0; j < d; j++) dot += x[r * d + j]! * v[j]!;
      for (let j = 0; j < d; j++) next[j]! += (dot * x[r * d + j]!) / n;
      next[d]! += dot / n;
    }
    let norm = 0;
    for (const e of next) norm += e * e;
    lambda = Math.sqrt(norm);
    if (lambda === 0) return 1;
    v = next.map((e) => e / lambda);
  }
  return lambda * 1.1;
}

/** Cross-validated source prediction over the images `subset` (indices into `images`). */
function scoreSubset(images: readonly ProbeImage[], features: Float32Array, d: number, subset: readonly number[], folds: Int32Array, settings: SourceProbeSettings): ProbeScore {
  const sources = [...new Set(subset.map((i) => images[i]!.source))].sort();
  const counts = sources.map((s) => subset.filter((i) => images[i]!.source === s).length);
  const majorityRate = subset.length === 0 ? Number.NaN : Math.max(...counts) / subset.length;
  if (sources.length < 2) return { accuracy: 1, balancedAccuracy: 1, majorityRate: 1, n: subset.length, sources };
  const y = new Int32Array(images.length);
  for (const i of subset) y[i] = sources.indexOf(images[i]!.source);
  const predicted = new Map<number, number>();
  for (let f = 0; f < settings.folds; f++) {
    const test = subset.filter((i) => folds[i] === f);
    const train = subset.filter((i) => folds[i] !== f);
    if (test.length === 0) continue;
    // A training fold with one source only predicts it (there is nothing else to learn).
    const present = new Set(train.map((i) => y[i]!));
    if (present.size < 2) {
      const only = [...present][0] ?? 0;
      for (const i of test) predicted.set(i, only);
      continue;
    }
    const out = fitPredictSoftmax(features, d, y, sources.length, train, test, settings.epochs);
    test.forEach((i, t) => predicted.set(i, out[t]!));
  }
  let correct = 0;
  const hits = new Array<number>(sources.length).fill(0);
  for (const i of subset) {
    if (predicted.get(i) === y[i]) {
      correct++;
      hits[y[i]!]!++;
    }
  }
  const balancedAccuracy = hits.reduce((s, h, c) => s + h / counts[c]!, 0) / sources.length;
  return { accuracy: correct / subset.length, balancedAccuracy, majorityRate, n: subset.length, sources };
}

/**
 * The probe over `images`, whose features `featuresOf(i)` gives one at a time (the caller reads
 * and drops each image's pixels; only the small feature vectors are kept).
 */
export function sourceProbe(images: readonly ProbeImage[], featuresOf: (index: number) => Float32Array, settings: SourceProbeSettings, random: RandomStream): SourceProbeResult {
  const d = settings.thumbnail * settings.thumbnail + settings.bins;
  const features = new Float32Array(images.length * d);
  for (let i = 0; i < images.length; i++) features.set(featuresOf(i), i * d);
  const folds = groupedFolds(images, settings.folds, random);
  const all = images.map((_, i) => i);
  const overall = scoreSubset(images, features, d, all, folds, settings);
  const classes = [...new Set(images.map((im) => im.taskClass))].sort();
  const withinClass = Object.fromEntries(classes.map((c) => [c, scoreSubset(images, features, d, all.filter((i) => images[i]!.taskClass === c), folds, settings)]));
  return { ...overall, withinClass };
}

/**
 * Far above chance: the balanced accuracy (chance: 1 / sources, whatever the sources' sizes) at
 * least half of the way from chance to 100 %, and the accuracy above the majority-source rate.
 * Balanced, because inside a class one source often dominates (91 % of NOR from one source):
 * there the plain accuracy cannot rise far above the majority rate even when every image is told apart.
 */
export function farAboveChance(score: Pick<ProbeScore, 'accuracy' | 'balancedAccuracy' | 'majorityRate' | 'sources'>): boolean {
  const k = score.sources.length;
  if (k < 2) return false;
  const chance = 1 / k;
  return score.balancedAccuracy >= chance + 0.5 * (1 - chance) && score.accuracy > score.majorityRate;
}
