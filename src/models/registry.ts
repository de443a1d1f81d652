import * as tf from '@tensorflow/tfjs';
import type { Diagnostic } from '../diag/index.ts';
import { Builder, type ModelOptions, type Tensor } from './builder.ts';
import { cvrnet } from './cvrnet.ts';
import { densenet121 } from './densenet121.ts';
import { efficientnetB0 } from './efficientnet-b0.ts';
import { inceptionV3 } from './inception-v3.ts';
import { resnet50 } from './resnet50.ts';
import { vgg19 } from './vgg19.ts';
import { xception } from './xception.ts';

export const MODEL_NAMES = ['cvrnet', 'resnet50', 'xception', 'vgg19', 'inceptionv3', 'densenet121', 'efficientnetb0'] as const;
export type ModelName = (typeof MODEL_NAMES)[number];

export interface ModelEntry {
  readonly name: ModelName;
  readonly description: string;
  /** The smallest square input the architecture's strided 'valid' layers accept. */
  readonly minSize: number;
  readonly build: (b: Builder, input: Tensor) => Tensor;
}

export const MODELS: Readonly<Record<ModelName, ModelEntry>> = {
  cvrnet: { name: 'cvrnet', description: 'CVR-Net: ResNet-50 + Xception, five heads, mean of five softmaxes', minSize: 32, build: cvrnet },
  resnet50: { name: 'resnet50', description: 'ResNet-50 (Keras applications)', minSize: 32, build: resnet50 },
  xception: { name: 'xception', description: 'Xception (Keras applications)', minSize: 32, build: xception },
  vgg19: { name: 'vgg19', description: 'VGG-19 with its 4096-4096 top (Keras applications)', minSize: 32, build: vgg19 },
  inceptionv3: { name: 'inceptionv3', description: 'Inception-v3 (Keras applications)', minSize: 75, build: inceptionV3 },
  densenet121: { name: 'densenet121', description: 'DenseNet-121 (Keras applications)', minSize: 32, build: densenet121 },
  efficientnetb0: { name: 'efficientnetb0', description: 'EfficientNet-B0 (Keras applications, without its input Normalization layer)', minSize: 32, build: efficientnetB0 },
};

/** The defaults `cvr models` reports and a pipeline gets when it states nothing. */
export const DEFAULT_MODEL_OPTIONS: ModelOptions = { size: 224, channels: 3, classes: 2, width: 1, seed: 0, nodeKey: 'model' };

export function isModelName(name: string): name is ModelName {
  return (MODEL_NAMES as readonly string[]).includes(name);
}

export type BuildResult = { readonly ok: true; readonly model: tf.LayersModel } | { readonly ok: false; readonly diagnostics: readonly Diagnostic[] };

/** Checks the options (user errors as diagnostics) and builds the model with seeded weights. */
export function buildModel(name: string, options: ModelOptions): BuildResult {
  const diagnostics = checkModelOptions(name, options);
  if (diagnostics.length > 0 || !isModelName(name)) return { ok: false, diagnostics };
  const entry = MODELS[name];
  const b = new Builder(options);
  const input = tf.input({ shape: [options.size, options.size, options.channels], name: 'input' });
  const output = entry.build(b, input);
  return { ok: true, model: tf.model({ inputs: input, outputs: output, name }) };
}

export function checkModelOptions(name: string, o: ModelOptions): Diagnostic[] {
  if (!isModelName(name)) {
    return [{ code: 'CVR703', severity: 'error', message: `unknown model "${name}"`, hint: `models: ${MODEL_NAMES.join(', ')}` }];
  }
  const out: Diagnostic[] = [];
  const bad = (message: string, hint: string): void => {
    out.push({ code: 'CVR705', severity: 'error', message: `${name}: ${message}`, hint });
  };
  if (!(o.width > 0 && o.width <= 4)) bad(`width ${o.width} is out of range`, 'width is a channel multiplier in (0, 4]; 1 is the reference architecture, 0.125 a small CPU model');
  if (!Number.isInteger(o.classes) || o.classes < 2) bad(`${o.classes} classes`, 'a task needs at least 2 classes');
  if (o.channels !== 1 && o.channels !== 3) bad(`${o.channels} channels`, 'images have 1 or 3 channels');
  if (!Number.isInteger(o.size)) bad(`input size ${o.size} is not a whole number of pixels`, 'use e.g. 224');
  else if (o.size < MODELS[name].minSize) {
    out.push({
      code: 'CVR704',
      severity: 'error',
      message: `${name} needs an input of at least ${MODELS[name].minSize} × ${MODELS[name].minSize} pixels, not ${o.size} × ${o.size}`,
      hint: `set image { size ${MODELS[name].minSize} x ${MODELS[name].minSize} } or larger, or choose another model`,
      data: { minSize: MODELS[name].minSize, size: o.size },
    });
  }
  return out;
}
