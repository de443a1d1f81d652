/**
 * `gradcam_in_lungs` (docs/probes.md): the share of a model's GradCAM energy that falls inside
 * the lung field, per test image (the map of the image's true class, upsampled to the image),
 * summed up per source and class with a percentile-bootstrap interval of the mean, beside the
 * lung field's share of the image area: a model that looks at the lungs puts far more than the
 * area share of its heat there; one that reads a corner plate puts less.
 */
import * as tf from '@tensorflow/tfjs';
import { makeBatch, type ImageSource } from '../../data/index.ts';
import type { ResolvedImage } from '../../dsl/index.ts';
import { bilinear, camsFor, type CamTarget } from '../gradcam.ts';

/** Images per GradCAM pass. */
const CAM_BATCH = 16;
import type { ShareRow } from './lung-share-summary.ts';

/**
 * The map whose heat is measured: the model's output explained at its last 4-D feature map of
 * at least 8 × 8 (the usual last map is 1 × 1 or 2 × 2 on small images and says nothing about
 * where), else at its largest map.
 */
export function lungCamTarget(model: tf.LayersModel): CamTarget | undefined {
  const maps = model.layers.flatMap((l) => {
    const shape = l.outputShape;
    if (!Array.isArray(shape) || Array.isArray(shape[0]) || shape.length !== 4) return [];
    // A model input is no feature map.
    if (l.getClassName() === 'InputLayer') return [];
    return [{ name: l.name, area: ((shape[1] as number | null) ?? 0) * ((shape[2] as number | null) ?? 0) }];
  });
  const fine = maps.filter((m) => m.area >= 64);
  const chosen = fine[fine.length - 1] ?? [...maps].sort((a, b) => b.area - a.area)[0];
  return chosen === undefined ? undefined : { name: 'model', featureLayers: [chosen.name] };
}

/** The share of heat inside the lung field (image resolution) for each image, its true class explained. */
export function camLungShares(args: {
  readonly model: tf.LayersModel;
  readonly images: ImageSource;
  readonly normalize: ResolvedImage['normalize'];
  readonly classes: number;
  readonly items: readonly { readonly id: string; readonly classIndex: number }[];
  /** The lung field of an image (by id), at image resolution: one for all, or each image's own. */
  readonly mask: Uint8Array | ((id: string) => Uint8Array);
}): (number | undefined)[] {
  const target = lungCamTarget(args.model);
  if (target === undefined) return args.items.map(() => undefined);
  const { width, height, channels } = args.images;
  const out: (number | undefined)[] = [];
  // In batches: one forward and backward pass for many images (camsFor).
  for (let start = 0; start < args.items.length; start += CAM_BATCH) {
    const items = args.items.slice(start, start + CAM_BATCH);
    const batch = makeBatch(items, { source: args.images, normalize: args.normalize, classes: args.classes });
    const x = tf.tensor4d(batch.x, [items.length, height, width, channels]);
    try {
      const cams = camsFor(args.model, target, x, items.map((item) => item.classIndex));
      items.forEach((item, b) => {
        const { cam, height: fh, width: fw } = cams[b]!;
        const heat = bilinear(cam, fh, fw, height, width);
        const mask = typeof args.mask === 'function' ? args.mask(item.id) : args.mask;
        let inside = 0;
        let total = 0;
        for (let p = 0; p < heat.length; p++) {
          total += heat[p]!;
          if (mask[p] === 1) inside += heat[p]!;
        }
        out.push(total > 0 ? inside / total : undefined);
      });
    } finally {
      x.dispose();
    }
  }
  return out;
}
