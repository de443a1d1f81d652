import * as tf from '@tensorflow/tfjs';
import { existsSync, readdirSync, readFileSync, renameSync, statSync, writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { homedir } from 'node:os';
import type { Diagnostic } from '../diag/index.ts';

/** One layer whose weights in the file do not fit the model. */
export interface LayerMismatch {
  readonly layer: string;
  /** What the file has, e.g. `kernel [7,7,3,64]`; what the model has (`none` if no such layer/weight). */
  readonly inFile: string;
  readonly inModel: string;
}

export type WeightsResult =
  | { readonly ok: true; readonly loadedLayers: readonly string[]; readonly files: readonly string[] }
  | { readonly ok: false; readonly diagnostics: readonly Diagnostic[] };

/** How many differing layers a CVR708 message names (all are in its `data`). */
const SHOWN = 5;

/**
 * `weights "dir"`: copies the weights of a tfjs layers-format model (model.json + shards, e.g.
 * Keras ImageNet weights converted with tensorflowjs_converter) into the layers of `model` that
 * have the same names, checking every shape. `dir` holds one model.json, or sub-folders with one
 * each (CVR-Net: `resnet50/` and `xception/`, each loaded into its branch). Only the weights
 * manifest is read; the file's topology is not rebuilt, so Keras layers tfjs lacks (Rescaling,
 * Normalization) do not stop a load. Nothing is changed unless every layer fits.
 */
export async function loadWeights(model: tf.LayersModel, dirs: string | readonly string[]): Promise<WeightsResult> {
  const list = typeof dirs === 'string' ? [dirs] : dirs;
  const dir = list.join(', ');
  const files = list.flatMap((d) => modelFiles(d));
  if (files.length === 0) {
    return fail('CVR706', `no tfjs layers model in "${dir}": expected ${join(dir, 'model.json')} (or sub-folders with one each)`, dir, 'convert Keras weights with `tensorflowjs_converter --input_format keras model.h5 DIR`');
  }
  const decoded = new Map<string, tf.Tensor>();
  try {
    for (const file of files) {
      const read = readWeightsFile(file);
      if (!read.ok) return read;
      for (const [name, tensor] of Object.entries(read.tensors)) decoded.set(name, tensor);
    }
    const byLayer = groupByLayer(decoded);
    const mismatches = compare(model, byLayer);
    if (mismatches.length > 0) {
      const shown = mismatches.slice(0, SHOWN).map((m) => `${m.layer}: ${m.inFile} in the file, ${m.inModel} in the model`);
      const more = mismatches.length > SHOWN ? ` (and ${mismatches.length - SHOWN} more)` : '';
      return {
        ok: false,
        diagnostics: [
          {
            code: 'CVR708',
            severity: 'error',
            message: `the weights in "${dir}" do not match model ${model.name}: ${mismatches.length} layer(s) differ${more}:\n  ${shown.join('\n  ')}`,
            file: dir,
            hint: 'the weights must come from the same architecture at the same width and channels; export them without the classifier top (include_top=False) when the class count differs',
            data: { mismatches },
          },
        ],
      };
    }
    const loaded: string[] = [];
    for (const [layerName, weights] of byLayer) {
      const layer = model.getLayer(layerName);
      layer.setWeights(layer.weights.map((w) => weights.get(shortName(w.originalName)) as tf.Tensor));
      loaded.push(layerName);
    }
    return { ok: true, loadedLayers: loaded, files };
  } finally {
    for (const t of decoded.values()) t.dispose();
  }
}

/** Writes `model` in tfjs layers format (model.json + weights.bin), each file atomically. */
export async function saveLayersModel(model: tf.LayersModel, dir: string): Promise<void> {
  mkdirSync(dir, { recursive: true });
  await model.save(
    tf.io.withSaveHandler(async (artifacts) => {
      const weightData = artifacts.weightData === undefined ? new ArrayBuffer(0) : tf.io.CompositeArrayBuffer.join(artifacts.weightData);
      const json = {
        format: 'layers-model',
        generatedBy: `TensorFlow.js tfjs-layers v${tf.version_layers}`,
        convertedBy: null,
        modelTopology: artifacts.modelTopology,
        weightsManifest: [{ paths: ['weights.bin'], weights: artifacts.weightSpecs ?? [] }],
      };
      atomicWrite(join(dir, 'weights.bin'), new Uint8Array(weightData));
      atomicWrite(join(dir, 'model.json'), JSON.stringify(json));
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON', weightDataBytes: weightData.byteLength } };
    }),
  );
}

export type WeightsSource = { readonly kind: 'none' } | { readonly kind: 'dirs'; readonly dirs: readonly string[] } | { readonly kind: 'missing'; readonly diagnostics: readonly Diagnostic[] };

/**
 * Where a model's `weights` come from. `none`: random (seeded) initialisation. A directory: that
 * folder. `imagenet`: converted Keras ImageNet weights under `$CVR_WEIGHTS_DIR` (default
 * `~/.cache/cvr/weights`), one folder per model (`resnet50/`, …; CVR-Net uses `resnet50/` and
 * `xception/`). cvr downloads nothing: hospital networks are often offline.
 */
export function weightsSource(model: string, weights: string, env: Readonly<Record<string, string | undefined>>): WeightsSource {
  if (weights === 'none') return { kind: 'none' };
  if (weights !== 'imagenet') return { kind: 'dirs', dirs: [weights] };
  const base = env['CVR_WEIGHTS_DIR'] ?? join(homedir(), '.cache', 'cvr', 'weights');
  const names = model === 'cvrnet' ? ['resnet50', 'xception'] : [model];
  const dirs = names.map((n) => join(base, n));
  const absent = dirs.filter((d) => !existsSync(join(d, 'model.json')));
  if (absent.length === 0) return { kind: 'dirs', dirs };
  const keras: Readonly<Record<string, string>> = { resnet50: 'ResNet50', xception: 'Xception', vgg19: 'VGG19', inceptionv3: 'InceptionV3', densenet121: 'DenseNet121', efficientnetb0: 'EfficientNetB0' };
  const first = names[dirs.indexOf(absent[0] as string)] as string;
  return {
    kind: 'missing',
    diagnostics: [
      {
        code: 'CVR706',
        severity: 'error',
        message: `ImageNet weights for ${model} are not on this machine: no ${absent.map((d) => join(d, 'model.json')).join(', ')}`,
        hint: `cvr downloads nothing. In Python: tf.keras.applications.${keras[first] ?? first}(include_top=False).save("${first}.h5"), then tensorflowjs_converter --input_format keras ${first}.h5 ${join(base, first)} (set CVR_WEIGHTS_DIR to use another folder)`,
      },
    ],
  };
}

function atomicWrite(path: string, data: string | Uint8Array): void {
  const temp = `${path}.tmp-${process.pid}`;
  writeFileSync(temp, data);
  renameSync(temp, path);
}

function modelFiles(dir: string): string[] {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) return [];
  const direct = join(dir, 'model.json');
  if (existsSync(direct)) return [direct];
  return readdirSync(dir)
    .sort()
    .map((entry) => join(dir, entry, 'model.json'))
    .filter((path) => existsSync(path));
}

type ReadResult = { ok: true; tensors: tf.NamedTensorMap } | { ok: false; diagnostics: readonly Diagnostic[] };

function readWeightsFile(file: string): ReadResult {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    return fail('CVR707', `cannot read ${file}: ${error instanceof Error ? error.message : String(error)}`, file, 'model.json must be the JSON that tfjs or tensorflowjs_converter writes');
  }
  const manifest = (json as { weightsManifest?: unknown }).weightsManifest;
  if (!Array.isArray(manifest)) return fail('CVR707', `${file} has no weightsManifest`, file, 'is this a tfjs layers model (format "layers-model")?');
  const buffers: ArrayBuffer[] = [];
  const specs: tf.io.WeightsManifestEntry[] = [];
  const base = join(file, '..');
  for (const group of manifest as tf.io.WeightsManifestConfig) {
    for (const path of group.paths) {
      const shard = join(base, path);
      if (!existsSync(shard)) return fail('CVR707', `weight shard ${shard} named in ${file} is missing`, file, 'copy every .bin file that came with model.json');
      const bytes = readFileSync(shard);
      buffers.push(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
    }
    specs.push(...group.weights);
  }
  const data = tf.io.CompositeArrayBuffer.join(buffers);
  const needed = specs.reduce((n, s) => n + byteSize(s), 0);
  if (data.byteLength < needed) {
    return fail('CVR707', `the weight shards of ${file} hold ${data.byteLength} bytes; its manifest needs ${needed}`, file, 'a shard is truncated: copy the weights again');
  }
  return { ok: true, tensors: tf.io.decodeWeights(data, specs) };
}

function byteSize(spec: tf.io.WeightsManifestEntry): number {
  const count = spec.shape.reduce((a, b) => a * b, 1);
  const q = spec.quantization?.dtype;
  const bytes = q === 'uint8' ? 1 : q === 'uint16' || q === 'float16' ? 2 : spec.dtype === 'bool' ? 1 : 4;
  return count * bytes;
}

/** `resnet50/conv1_conv/kernel` or `conv1_conv/kernel` → layer `conv1_conv`, weight `kernel`. */
function groupByLayer(tensors: ReadonlyMap<string, tf.Tensor>): Map<string, Map<string, tf.Tensor>> {
  const out = new Map<string, Map<string, tf.Tensor>>();
  for (const [name, tensor] of tensors) {
    const parts = name.split('/');
    const weight = parts[parts.length - 1] ?? name;
    const layer = parts.length >= 2 ? (parts[parts.length - 2] as string) : name;
    const map = out.get(layer) ?? new Map<string, tf.Tensor>();
    map.set(weight.replace(/:\d+$/, ''), tensor);
    out.set(layer, map);
  }
  return out;
}

function shortName(originalName: string): string {
  const parts = originalName.split('/');
  return parts[parts.length - 1] ?? originalName;
}

/** Every layer of the file that has no same-named layer with the same weights and shapes, in file order. */
function compare(model: tf.LayersModel, byLayer: ReadonlyMap<string, ReadonlyMap<string, tf.Tensor>>): LayerMismatch[] {
  const layers = new Map(model.layers.map((l) => [l.name, l]));
  const out: LayerMismatch[] = [];
  const describe = (entries: [string, readonly number[]][]): string => entries.map(([n, s]) => `${n} [${s.join(',')}]`).join(', ') || 'no weights';
  for (const [name, weights] of byLayer) {
    const fileSide: [string, readonly number[]][] = [...weights].map(([n, t]) => [n, t.shape]);
    const layer = layers.get(name);
    if (layer === undefined) {
      out.push({ layer: name, inFile: describe(fileSide), inModel: 'no such layer' });
      continue;
    }
    const modelSide: [string, readonly number[]][] = layer.weights.map((w) => [shortName(w.originalName), w.shape.map((d) => d ?? -1)]);
    const same =
      modelSide.length === fileSide.length &&
      modelSide.every(([n, s]) => {
        const t = weights.get(n);
        return t !== undefined && t.shape.length === s.length && t.shape.every((d, i) => d === s[i]);
      });
    if (!same) out.push({ layer: name, inFile: describe(fileSide), inModel: describe(modelSide) });
  }
  return out;
}

function fail(code: 'CVR706' | 'CVR707', message: string, file: string, hint: string): { ok: false; diagnostics: readonly Diagnostic[] } {
  return { ok: false, diagnostics: [{ code, severity: 'error', message, file, hint }] };
}
