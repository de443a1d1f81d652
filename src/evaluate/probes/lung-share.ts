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
import { bilinear, camFor, type CamTarget } from '../gradcam.ts';
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

/** The share of heat inside `mask` (image resolution) for each image, its true class explained. */
export function camLungShares(args: {
  readonly model: tf.LayersModel;
  readonly images: ImageSource;
  readonly normalize: ResolvedImage['normalize'];
  readonly classes: number;
  readonly items: readonly { readonly id: string; readonly classIndex: number }[];
  readonly mask: Uint8Array;
}): (number | undefined)[] {
  const target = lungCamTarget(args.model);
  if (target === undefined) return args.items.map(() => undefined);
  const { width, height, channels } = args.images;
  return args.items.map((item) => {
    const batch = makeBatch([item], { source: args.images, normalize: args.normalize, classes: args.classes });
    const x = tf.tensor4d(batch.x, [1, height, width, channels]);
    try {
      const { cam, height: fh, width: fw } = camFor(args.model, target, x, item.classIndex);
      const heat = bilinear(cam, fh, fw, height, width);
      let inside = 0;
      let total = 0;
      for (let p = 0; p < heat.length; p++) {
        total += heat[p]!;
        if (args.mask[p] === 1) inside += heat[p]!;
      }
      return total > 0 ? inside / total : undefined;
    } finally {
      x.dispose();
    }
  });
}
