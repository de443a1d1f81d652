/**
 * Seeded augmentation of one image (float pixels on the 0..255 scale, HWC). Each declared op is
 * applied with its own probability; its parameters are drawn uniformly (rotation in ±degrees,
 * shift in ±fraction of the side, zoom factor in 1 ± fraction, brightness and contrast factors in
 * 1 ± fraction). Rotation, shift and zoom are combined into one affine map and resampled once
 * (bilinear, edges repeated — Keras's `fill_mode="nearest"`), so a stack of geometric ops blurs no
 * more than one. Draws happen in declaration order, so the same stream gives the same images.
 */
import type { ResolvedAugmentOp } from '../dsl/index.ts';
import type { RandomStream } from '../engine/index.ts';

export interface ImageShape {
  readonly width: number;
  readonly height: number;
  readonly channels: number;
}

export interface Affine {
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

/**
 * Inverse mapping: for each output pixel, where in the input it comes from. The map is affine, so
 * along a row the source position moves by a constant step; only the row start is computed in
 * full.
 */
export function warpAffine(src: Float32Array, shape: ImageShape, a: Affine): Float32Array {
  const { width: w, height: h, channels: c } = shape;
  const out = new Float32Array(src.length);
  const cx = (w - 1) / 2;
  const cy = (h - 1) / 2;
  const cos = Math.cos(a.angle) / a.zoom;
  const sin = Math.sin(a.angle) / a.zoom;
  const maxX = w - 1;
  const maxY = h - 1;
  let o = 0;
  for (let y = 0; y < h; y++) {
    const dy = y - cy - a.ty;
    // Source position of x = 0 on this row, and its step per output pixel.
    let sxRow = cos * (-cx - a.tx) + sin * dy + cx;
    let syRow = -sin * (-cx - a.tx) + cos * dy + cy;
    for (let x = 0; x < w; x++, sxRow += cos, syRow -= sin) {
      const sx = sxRow < 0 ? 0 : sxRow > maxX ? maxX : sxRow;
      const sy = syRow < 0 ? 0 : syRow > maxY ? maxY : syRow;
      const x0 = sx | 0;
      const y0 = sy | 0;
      const x1 = x0 < maxX ? x0 + 1 : x0;
      const y1 = y0 < maxY ? y0 + 1 : y0;
      const fx = sx - x0;
      const fy = sy - y0;
      const w00 = (1 - fx) * (1 - fy);
      const w01 = fx * (1 - fy);
      const w10 = (1 - fx) * fy;
      const w11 = fx * fy;
      const i00 = (y0 * w + x0) * c;
      const i01 = (y0 * w + x1) * c;
      const i10 = (y1 * w + x0) * c;
      const i11 = (y1 * w + x1) * c;
      for (let k = 0; k < c; k++, o++) {
        out[o] = (src[i00 + k] as number) * w00 + (src[i01 + k] as number) * w01 + (src[i10 + k] as number) * w10 + (src[i11 + k] as number) * w11;
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
