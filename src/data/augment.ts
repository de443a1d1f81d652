/**
 * Seeded augmentation of one image (float pixels on the 0..255 scale, HWC). Each declared op is
 * applied with its own probability; its parameters are drawn uniformly (rotation in ±degrees,
 * shift in ±fraction of the side, zoom factor in 1 ± fraction, brightness and contrast factors in
 * 1 ± fraction). Rotation, shift and zoom are combined into one affine map and resampled once
 * (bilinear, edges repeated — Keras's `fill_mode="nearest"`), so a stack of geometric ops blurs no
 * more than one. Draws happen in declaration order, so the same stream gives the same images.
 */
import type { ResolvedAugmentOp } from '../dsl/resolved.ts';
import type { RandomStream } from '../train/random.ts';

export interface ImageShape {
  readonly width: number;
  readonly height: number;
  readonly channels: number;
}

interface Affine {
  angle: number;
  tx: number;
  ty: number;
  zoom: number;
}

function between(random: RandomStream, low: number, high: number): number {
  return low + (high - low) * random.next();
}

export function augmentImage(
  pixels: Float32Array,
  shape: ImageShape,
  ops: readonly ResolvedAugmentOp[],
  random: RandomStream,
): Float32Array {
  const affine: Affine = { angle: 0, tx: 0, ty: 0, zoom: 1 };
  const pixelOps: ((img: Float32Array) => void)[] = [];
  let geometric = false;
  for (const op of ops) {
    if (random.next() >= op.p) continue;
    switch (op.op) {
      case 'rotate':
        affine.angle += (between(random, -op.degrees, op.degrees) * Math.PI) / 180;
        geometric = true;
        break;
      case 'shift':
        affine.tx += between(random, -op.fraction, op.fraction) * shape.width;
        affine.ty += between(random, -op.fraction, op.fraction) * shape.height;
        geometric = true;
        break;
      case 'zoom':
        affine.zoom *= between(random, 1 - op.fraction, 1 + op.fraction);
        geometric = true;
        break;
      case 'flip':
        pixelOps.push(op.axis === 'horizontal' ? (img) => flipHorizontal(img, shape) : (img) => flipVertical(img, shape));
        break;
      case 'brightness': {
        const factor = between(random, 1 - op.fraction, 1 + op.fraction);
        pixelOps.push((img) => scaleAround(img, shape, factor, false));
        break;
      }
      case 'contrast': {
        const factor = between(random, 1 - op.fraction, 1 + op.fraction);
        pixelOps.push((img) => scaleAround(img, shape, factor, true));
        break;
      }
      default: {
        const never: never = op;
        throw new Error(`Internal error: unknown augmentation ${JSON.stringify(never)}`);
      }
    }
  }
  let out = geometric ? warpAffine(pixels, shape, affine) : pixels.slice();
  for (const apply of pixelOps) apply(out);
  return out;
}

/** Inverse mapping: for each output pixel, where in the input it comes from. */
function warpAffine(src: Float32Array, shape: ImageShape, a: Affine): Float32Array {
  const { width: w, height: h, channels: c } = shape;
  const out = new Float32Array(src.length);
  const cx = (w - 1) / 2;
  const cy = (h - 1) / 2;
  const cos = Math.cos(a.angle);
  const sin = Math.sin(a.angle);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const dx = (x - cx - a.tx) / a.zoom;
      const dy = (y - cy - a.ty) / a.zoom;
      const sx = Math.min(w - 1, Math.max(0, cos * dx + sin * dy + cx));
      const sy = Math.min(h - 1, Math.max(0, -sin * dx + cos * dy + cy));
      const x0 = Math.floor(sx);
      const y0 = Math.floor(sy);
      const x1 = Math.min(w - 1, x0 + 1);
      const y1 = Math.min(h - 1, y0 + 1);
      const fx = sx - x0;
      const fy = sy - y0;
      const o = (y * w + x) * c;
      for (let k = 0; k < c; k++) {
        const p00 = src[(y0 * w + x0) * c + k] as number;
        const p01 = src[(y0 * w + x1) * c + k] as number;
        const p10 = src[(y1 * w + x0) * c + k] as number;
        const p11 = src[(y1 * w + x1) * c + k] as number;
        out[o + k] = (p00 * (1 - fx) + p01 * fx) * (1 - fy) + (p10 * (1 - fx) + p11 * fx) * fy;
      }
    }
  }
  return out;
}

function flipHorizontal(img: Float32Array, { width: w, height: h, channels: c }: ImageShape): void {
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < Math.floor(w / 2); x++) {
      for (let k = 0; k < c; k++) {
        const a = (y * w + x) * c + k;
        const b = (y * w + (w - 1 - x)) * c + k;
        const t = img[a] as number;
        img[a] = img[b] as number;
        img[b] = t;
      }
    }
  }
}

function flipVertical(img: Float32Array, { width: w, height: h, channels: c }: ImageShape): void {
  const row = w * c;
  for (let y = 0; y < Math.floor(h / 2); y++) {
    const a = y * row;
    const b = (h - 1 - y) * row;
    const tmp = img.slice(a, a + row);
    img.copyWithin(a, b, b + row);
    img.set(tmp, b);
  }
}

/** Brightness scales towards 0; contrast scales around the image mean. Both clip to 0..255. */
function scaleAround(img: Float32Array, _shape: ImageShape, factor: number, aroundMean: boolean): void {
  let mean = 0;
  if (aroundMean) {
    for (let i = 0; i < img.length; i++) mean += img[i] as number;
    mean /= img.length;
  }
  for (let i = 0; i < img.length; i++) img[i] = Math.min(255, Math.max(0, ((img[i] as number) - mean) * factor + mean));
}
