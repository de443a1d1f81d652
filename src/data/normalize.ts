/**
 * Per-batch normalisation of 0..255 pixels, in place. `unit` → [0, 1]; `imagenet` → (x/255 − mean)
 * / std with the torchvision ImageNet statistics (one channel: their average); `standardize` →
 * per image zero mean, unit variance (as tf.image.per_image_standardization); `none` keeps 0..255.
 */
import type { ResolvedImage } from '../dsl/index.ts';

const IMAGENET_MEAN = [0.485, 0.456, 0.406];
const IMAGENET_STD = [0.229, 0.224, 0.225];
const GREY_MEAN = 0.449;
const GREY_STD = 0.226;

export function normalizeImage(img: Float32Array, channels: number, mode: ResolvedImage['normalize']): void {
  switch (mode) {
    case 'none':
      return;
    case 'unit':
      for (let i = 0; i < img.length; i++) img[i] = (img[i] as number) / 255;
      return;
    case 'imagenet':
      for (let i = 0; i < img.length; i++) {
        const k = i % channels;
        const mean = channels === 3 ? (IMAGENET_MEAN[k] as number) : GREY_MEAN;
        const std = channels === 3 ? (IMAGENET_STD[k] as number) : GREY_STD;
        img[i] = ((img[i] as number) / 255 - mean) / std;
      }
      return;
    case 'standardize': {
      let mean = 0;
      for (let i = 0; i < img.length; i++) mean += img[i] as number;
      mean /= img.length;
      let variance = 0;
      for (let i = 0; i < img.length; i++) variance += ((img[i] as number) - mean) ** 2;
      const std = Math.max(Math.sqrt(variance / img.length), 1 / Math.sqrt(img.length));
      for (let i = 0; i < img.length; i++) img[i] = ((img[i] as number) - mean) / std;
      return;
    }
    default: {
      const never: never = mode;
      throw new Error(`Internal error: unknown normalisation ${String(never)}`);
    }
  }
}
