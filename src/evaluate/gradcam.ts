/**
 * GradCAM (Selvaraju et al.): the class score's gradient with respect to a convolutional feature
 * map, averaged over space, weighs the map's channels; the ReLU of the weighted sum, scaled to
 * [0, 1] and upsampled, is the heat map. Written as PNG overlays on the top-k most confident
 * correctly classified test images of one class: pixels whose heat reaches the threshold are
 * tinted (blue → red), the rest show the image.
 *
 * For the whole model the feature map is the last layer with a 4-D output; for CVR-Net each head
 * (P1…P5) is explained separately, from the map its global pooling reads to that head's softmax.
 *
 * The gradient with respect to an inner layer's output is taken by adding a zero tensor to that
 * output during one forward pass (the layer's `call` is wrapped for the pass and restored after),
 * which works for any DAG model without rebuilding it.
 */
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import sharp from 'sharp';
import type { Diagnostic } from '../diag/index.ts';
import type { ImageSource } from '../data/index.ts';
import type { ResolvedImage } from '../dsl/index.ts';
import { makeBatch, writeFileAtomic } from '../data/index.ts';
import type { Prediction } from './metrics.ts';
import { argmax } from './metrics.ts';

/** What to explain: the map(s) of `featureLayers`, the score of `outputLayer` (absent: the model output). */
export interface CamTarget {
  readonly name: string;
  readonly featureLayers: readonly string[];
  readonly outputLayer?: string;
}

export interface GradcamRequest {
  readonly model: tf.LayersModel;
  readonly modelName: string;
  readonly images: ImageSource;
  readonly normalize: ResolvedImage['normalize'];
  readonly classes: readonly string[];
  readonly predictions: readonly Prediction[];
  readonly className: string;
  readonly top: number;
  /** Heat in [0, 1] from which a pixel is tinted. */
  readonly threshold: number;
  readonly outDir: string;
  /** Put before each file name (the runner's k-fold runs: `fold-<n>-`, one set per fold in one folder). */
  readonly filePrefix?: string;
  /** Default: the whole model plus, for CVR-Net, each head. */
  readonly targets?: readonly CamTarget[];
}

export interface GradcamImage {
  readonly target: string;
  readonly id: string;
  readonly rank: number;
  readonly probability: number;
  readonly file: string;
}

export type GradcamResult =
  | { readonly ok: true; readonly images: readonly GradcamImage[]; readonly diagnostics: readonly Diagnostic[] }
  | { readonly ok: false; readonly diagnostics: readonly Diagnostic[] };

/** The last layer whose output is a 4-D map (the usual GradCAM layer). */
export function lastConvLayer(model: tf.LayersModel): string | undefined {
  const layers = model.layers.filter((l) => {
    const shape = l.outputShape;
    return Array.isArray(shape) && !Array.isArray(shape[0]) && shape.length === 4;
  });
  return layers[layers.length - 1]?.name;
}

/**
 * CVR-Net's heads: each `pN…_gap` pooling layer's input map, explained through `pN_softmax`.
 * A head fed by several branches (`p3_resnet_gap`, `p3_xception_gap`) gives one target per
 * branch, and each such branch map is also explained through the whole model's output
 * (targets `resnet`, `xception`): what each backbone's last map contributes to the prediction.
 */
export function headTargets(model: tf.LayersModel): CamTarget[] {
  const names = new Set(model.layers.map((l) => l.name));
  const out: CamTarget[] = [];
  for (const layer of model.layers) {
    const m = /^(p\d)(?:_(.+))?_gap$/.exec(layer.name);
    if (m === null || !names.has(`${m[1]}_softmax`)) continue;
    const inbound = layer.inboundNodes[0]?.inboundLayers[0];
    if (inbound === undefined) continue;
    out.push({ name: m[2] === undefined ? (m[1] as string) : `${m[1]}_${m[2]}`, featureLayers: [inbound.name], outputLayer: `${m[1]}_softmax` });
    if (m[2] !== undefined) out.push({ name: m[2], featureLayers: [inbound.name] });
  }
  return out.sort((a, b) => a.name.localeCompare(b.name));
}

/**
 * The whole model (its last map; for a multi-backbone model such as CVR-Net, every backbone's
 * last map together) and, where there are heads, each head and each backbone.
 */
export function defaultTargets(model: tf.LayersModel): CamTarget[] {
  const heads = headTargets(model);
  const backbones = heads.filter((t) => t.outputLayer === undefined);
  if (backbones.length > 0) return [{ name: 'model', featureLayers: backbones.flatMap((t) => t.featureLayers) }, ...heads];
  const last = lastConvLayer(model);
  return [...(last === undefined ? [] : [{ name: 'model', featureLayers: [last] }]), ...heads];
}

/**
 * The heat map of one image for one class, values in [0, 1], at the size of the first feature
 * map. With several feature layers (the two backbones of CVR-Net, whose last maps P3 pools and
 * concatenates) each weighted map is resized to the first one's size and the maps are summed
 * before the ReLU: GradCAM on their channel concatenation.
 */
export function camFor(model: tf.LayersModel, target: CamTarget, x: tf.Tensor4D, classIndex: number): { cam: Float32Array; height: number; width: number } {
  return camsFor(model, target, x, [classIndex])[0]!;
}

/**
 * The maps of a batch of images at once, each explaining its own class (`classIndices[i]` for
 * image i): one forward and one backward pass for the batch. Inference-mode layers treat every
 * image on its own, so the sum of the images' scores has each image's gradient in its own row.
 */
export function camsFor(model: tf.LayersModel, target: CamTarget, x: tf.Tensor4D, classIndices: readonly number[]): { cam: Float32Array; height: number; width: number }[] {
  const n = x.shape[0];
  const layers = target.featureLayers.map((name) => model.getLayer(name));
  const scored = target.outputLayer === undefined ? model : tf.model({ inputs: model.inputs, outputs: model.getLayer(target.outputLayer).output as tf.SymbolicTensor });
  const shapes = layers.map((layer) => (layer.outputShape as number[]).slice(1, 4) as [number, number, number]);
  const originals = layers.map((layer) => layer.call.bind(layer));
  const features: (tf.Tensor | undefined)[] = layers.map(() => undefined);
  try {
    return tf.tidy(() => {
      // A one-hot of each image's class: the score is the sum of the chosen probabilities.
      const pick = tf.oneHot(tf.tensor1d([...classIndices], 'int32'), (scored.outputs[0]!.shape[1] as number | null) ?? 1).toFloat();
      const score = (...deltas: tf.Tensor[]): tf.Scalar => {
        layers.forEach((layer, i) => {
          layer.call = (inputs, kwargs) => {
            const out = originals[i]!(inputs, kwargs) as tf.Tensor;
            // Kept: tf.grads disposes what its function made, and the map is needed afterwards.
            features[i]?.dispose();
            features[i] = tf.keep(out.clone());
            return out.add(deltas[i] as tf.Tensor);
          };
        });
        const probs = scored.apply(x, { training: false }) as tf.Tensor;
        return probs.mul(pick).sum() as tf.Scalar;
      };
      const grads = tf.grads(score)(shapes.map((shape) => tf.zeros([n, ...shape])));
      const [fh, fw] = shapes[0] as [number, number, number];
      const weighted = grads.map((g, i) => {
        const [h, w, k] = shapes[i] as [number, number, number];
        const alpha = g.mean([1, 2]).reshape([n, 1, 1, k]);
        const map = (features[i] as tf.Tensor).mul(alpha).sum(-1, true) as tf.Tensor4D; // [n, h, w, 1]
        return h === fh && w === fw ? map : tf.image.resizeBilinear(map, [fh, fw]);
      });
      const maps = tf.addN(weighted).relu().reshape([n, fh * fw]);
      const max = maps.max(1).dataSync();
      const all = maps.dataSync();
      return Array.from({ length: n }, (_, b) => {
        const cam = all.slice(b * fh * fw, (b + 1) * fh * fw) as Float32Array;
        const m = max[b] as number;
        if (m > 0) for (let p = 0; p < cam.length; p++) cam[p] = cam[p]! / m;
        return { cam, height: fh, width: fw };
      });
    });
  } finally {
    layers.forEach((layer, i) => (layer.call = originals[i]!));
    features.forEach((f) => f?.dispose());
  }
}

export function bilinear(src: Float32Array, sh: number, sw: number, dh: number, dw: number): Float32Array {
  const out = new Float32Array(dh * dw);
  for (let y = 0; y < dh; y++) {
    const sy = Math.min(sh - 1, Math.max(0, ((y + 0.5) * sh) / dh - 0.5));
    const y0 = Math.floor(sy);
    const y1 = Math.min(sh - 1, y0 + 1);
    for (let x = 0; x < dw; x++) {
      const sx = Math.min(sw - 1, Math.max(0, ((x + 0.5) * sw) / dw - 0.5));
      const x0 = Math.floor(sx);
      const x1 = Math.min(sw - 1, x0 + 1);
      const fx = sx - x0;
      const fy = sy - y0;
      const v = (src[y0 * sw + x0] as number) * (1 - fx) * (1 - fy) + (src[y0 * sw + x1] as number) * fx * (1 - fy) + (src[y1 * sw + x0] as number) * (1 - fx) * fy + (src[y1 * sw + x1] as number) * fx * fy;
      out[y * dw + x] = v;
    }
  }
  return out;
}

/** Blue → cyan → yellow → red, for heat in [0, 1]. */
function heatColour(v: number): [number, number, number] {
  const r = Math.min(1, Math.max(0, 1.5 - Math.abs(4 * v - 3)));
  const g = Math.min(1, Math.max(0, 1.5 - Math.abs(4 * v - 2)));
  const b = Math.min(1, Math.max(0, 1.5 - Math.abs(4 * v - 1)));
  return [Math.round(r * 255), Math.round(g * 255), Math.round(b * 255)];
}

/** RGB overlay: where heat ≥ threshold, half image, half colour. */
export function overlay(pixels: Uint8Array, channels: number, heat: Float32Array, threshold: number): Uint8Array {
  const n = heat.length;
  const out = new Uint8Array(n * 3);
  for (let i = 0; i < n; i++) {
    const base = [0, 1, 2].map((k) => pixels[i * channels + Math.min(k, channels - 1)] as number);
    const v = heat[i] as number;
    const colour = v >= threshold ? heatColour(v) : undefined;
    for (let k = 0; k < 3; k++) out[i * 3 + k] = colour === undefined ? (base[k] as number) : Math.round(0.5 * (base[k] as number) + 0.5 * colour[k]!);
  }
  return out;
}

function safeName(id: string): string {
  // Without the image's own extension: the overlay is a PNG whatever the source format was.
  return id.replace(/\.(png|jpe?g|bmp|tiff?|gif|webp|dcm)$/i, '').replace(/[^A-Za-z0-9._-]+/g, '_').slice(-80);
}

export async function gradcam(req: GradcamRequest): Promise<GradcamResult> {
  const classIndex = req.classes.indexOf(req.className);
  if (classIndex < 0) {
    return { ok: false, diagnostics: [{ code: 'CVR813', severity: 'error', message: `GradCAM class "${req.className}" is not a class of the task (${req.classes.join(', ')})` }] };
  }
  const targets = req.targets ?? defaultTargets(req.model);
  if (targets.length === 0) {
    return { ok: false, diagnostics: [{ code: 'CVR811', severity: 'error', message: `model ${req.modelName} has no layer with a spatial (4-D) output to explain`, hint: 'GradCAM needs a convolutional model' }] };
  }
  const chosen = req.predictions
    .filter((p) => p.trueIndex === classIndex && argmax(p.probabilities) === classIndex)
    .sort((a, b) => (b.probabilities[classIndex] as number) - (a.probabilities[classIndex] as number) || a.id.localeCompare(b.id))
    .slice(0, req.top);
  const diagnostics: Diagnostic[] = [];
  if (chosen.length === 0) {
    diagnostics.push({ code: 'CVR810', severity: 'warning', message: `no test image of class ${req.className} was classified correctly by ${req.modelName}; no GradCAM images written` });
  }
  const { width, height, channels } = req.images;
  const written: GradcamImage[] = [];
  for (const [rank, p] of chosen.entries()) {
    const batch = makeBatch([{ id: p.id, classIndex }], { source: req.images, normalize: req.normalize, classes: req.classes.length });
    const samples = req.images.read(p.id);
    const raw = samples instanceof Uint16Array ? Uint8Array.from(samples, (v) => v >> 8) : samples;
    const x = tf.tensor4d(batch.x, [1, height, width, channels]);
    try {
      for (const target of targets) {
        const { cam, height: fh, width: fw } = camFor(req.model, target, x, classIndex);
        const heat = bilinear(cam, fh, fw, height, width);
        const png = await sharp(overlay(raw, channels, heat, req.threshold), { raw: { width, height, channels: 3 } }).png().toBuffer();
        const file = join(req.outDir, req.modelName, target.name, `${req.filePrefix ?? ''}${String(rank + 1).padStart(2, '0')}-${safeName(p.id)}.png`);
        await writeFileAtomic(file, png);
        written.push({ target: target.name, id: p.id, rank: rank + 1, probability: p.probabilities[classIndex] as number, file });
      }
    } finally {
      x.dispose();
    }
  }
  return { ok: true, images: written, diagnostics };
}
