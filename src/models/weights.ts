import * as tf from '@tensorflow/tfjs';
import { existsSync, readdirSync, readFileSync, renameSync, statSync, writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import type { Code, Diagnostic } from '../diag/index.ts';
import { readKerasH5, writeKerasH5, type H5Layer } from './h5/keras-h5.ts';
import { kerasFilesFor, weightsDir } from './h5/keras-applications.ts';

/** One layer whose weights in the file do not fit the model. */
export interface LayerMismatch {
  readonly layer: string;
  /** What the file has, e.g. `kernel [7,7,3,64]`; what the model has (`none` if no such layer/weight). */
  readonly inFile: string;
  readonly inModel: string;
}

export type WeightsResult =
  | {
      readonly ok: true;
      readonly loadedLayers: readonly string[];
      readonly files: readonly string[];
      /** Layers of the file cvr has no use for (Keras's input Normalization statistics). */
      readonly skippedLayers: readonly string[];
    }
  | { readonly ok: false; readonly diagnostics: readonly Diagnostic[] };

/** One layer's weights as a file holds them, by short weight name (`kernel`, `moving_mean`). */
export interface FileLayer {
  readonly name: string;
  readonly weights: ReadonlyMap<string, { readonly shape: readonly number[]; readonly data: Float32Array }>;
}

export interface WeightsFile {
  readonly path: string;
  readonly format: 'keras-h5' | 'tfjs';
  /** Layers with weights, in the file's order. */
  readonly layers: readonly FileLayer[];
  readonly backend?: string;
  readonly kerasVersion?: string;
}

/** How many differing layers a CVR708 message names (all are in its `data`). */
const SHOWN = 5;

/**
 * Keras's automatic layer names: `conv2d`, `conv2d_1`, … numbered per Python session, so the same
 * architecture saved in another session (or by Keras 2.0, which started at `_1`) has other
 * numbers. Layers with these names are paired by creation order (their number), not by name.
 */
const AUTO_PREFIXES = ['conv2d', 'batch_normalization', 'dense', 'separable_conv2d', 'depthwise_conv2d'];

/**
 * `weights "…"`: copies the weights of one or more files into the layers of `model` that have the
 * same names, checking every shape; nothing is changed unless every layer of every file fits.
 * Each path is one of
 * - a Keras HDF5 file (`*_notop.h5` of the Keras applications, `save_weights("w.h5")`, or a
 *   whole-model `model.save("m.h5")`, whose weights sit under `model_weights`);
 * - a folder with a tfjs layers model (model.json + shards, e.g. from tensorflowjs_converter), or
 *   sub-folders with one each (CVR-Net: `resnet50/` and `xception/`);
 * - a folder of Keras `.h5` files: the Keras applications' files of the model (CVR-Net: ResNet-50's
 *   and Xception's), else every `.h5` in it.
 * Only weights are read, never a topology, so Keras layers tfjs lacks do not stop a load.
 */
export async function loadWeights(model: tf.LayersModel, paths: string | readonly string[]): Promise<WeightsResult> {
  const read = await readWeightsFiles(paths, model.name);
  if (!read.ok) return read;
  const plan = matchWeights(model, read.files);
  if (!plan.ok) return plan;
  for (const { layer, weights } of plan.assignments) {
    const target = model.getLayer(layer);
    const tensors = target.weights.map((w) => {
      const found = weights.get(shortName(w.originalName));
      if (found === undefined) throw new Error(`Internal error: ${layer}/${w.originalName} was matched but is missing`);
      return tf.tensor(found.data, [...found.shape]);
    });
    target.setWeights(tensors);
    tensors.forEach((t) => t.dispose());
  }
  return { ok: true, loadedLayers: plan.assignments.map((a) => a.layer), files: read.files.map((f) => f.path), skippedLayers: plan.skipped };
}

export type ReadFilesResult = { readonly ok: true; readonly files: readonly WeightsFile[] } | { readonly ok: false; readonly diagnostics: readonly Diagnostic[] };

/** Reads every weight file a `weights` value names (see `loadWeights`), for `model` (its registry name). */
export async function readWeightsFiles(paths: string | readonly string[], model: string): Promise<ReadFilesResult> {
  const list = typeof paths === 'string' ? [paths] : paths;
  const files: WeightsFile[] = [];
  for (const path of list) {
    const found = await weightFilesAt(path, model);
    if (!found.ok) return found;
    for (const file of found.paths) {
      const read = file.endsWith('model.json') ? readTfjsFile(file) : await readH5File(file);
      if (!read.ok) return read;
      files.push(read.file);
    }
  }
  return { ok: true, files };
}

type PathsResult = { ok: true; paths: string[] } | { ok: false; diagnostics: readonly Diagnostic[] };

async function weightFilesAt(path: string, model: string): Promise<PathsResult> {
  if (!existsSync(path)) {
    return fail('CVR706', `no weights at "${path}": no such file or folder`, path, 'give a Keras .h5 file, a folder of them, or a tfjs layers-model folder; `cvr weights fetch MODEL` downloads the ImageNet files');
  }
  if (statSync(path).isFile()) return { ok: true, paths: [path] };
  const tfjs = modelFiles(path);
  if (tfjs.length > 0) return { ok: true, paths: tfjs };
  const entries = readdirSync(path).sort();
  const keras = kerasFilesFor(model).map(([, f]) => f.file).filter((f) => entries.includes(f));
  const h5 = keras.length > 0 ? keras : entries.filter((e) => /\.(h5|hdf5)$/i.test(e));
  if (h5.length > 0) return { ok: true, paths: h5.map((e) => join(path, e)) };
  return fail(
    'CVR706',
    `no weights in "${path}": expected Keras .h5 files (${kerasFilesFor(model).map(([, f]) => f.file).join(', ') || 'any *.h5'}) or ${join(path, 'model.json')} (or sub-folders with one each)`,
    path,
    '`cvr weights fetch MODEL` downloads the Keras ImageNet files; a tfjs folder comes from `tensorflowjs_converter --input_format keras model.h5 DIR`',
  );
}

async function readH5File(path: string): Promise<{ ok: true; file: WeightsFile } | { ok: false; diagnostics: readonly Diagnostic[] }> {
  const read = await readKerasH5(path);
  if (!read.ok) return fail('CVR721', `cannot read the weights in ${path}: ${read.reason}`, path, 'cvr reads Keras HDF5 weight files (`save_weights("w.h5")`, `model.save("m.h5")`, the Keras applications\' *_notop.h5)');
  const tensors: [string, { shape: readonly number[]; data: Float32Array }][] = [];
  for (const layer of read.file.layers) {
    // A weight name is `layer/kernel:0` (Keras 2), `layer/kernel` (Keras 3), or, for a model nested
    // as one layer, `inner_layer/kernel:0` inside the outer layer's group.
    for (const w of layer.weights) tensors.push([`${layer.name}/${w.name}`, { shape: w.shape, data: w.data }]);
  }
  return {
    ok: true,
    file: {
      path,
      format: 'keras-h5',
      layers: groupByLayer(tensors),
      ...(read.file.backend !== undefined && { backend: read.file.backend }),
      ...(read.file.kerasVersion !== undefined && { kerasVersion: read.file.kerasVersion }),
    },
  };
}

function readTfjsFile(path: string): { ok: true; file: WeightsFile } | { ok: false; diagnostics: readonly Diagnostic[] } {
  const read = readWeightsFile(path);
  if (!read.ok) return read;
  const tensors = Object.entries(read.tensors).map(([name, t]): [string, { shape: readonly number[]; data: Float32Array }] => {
    const data = Float32Array.from(t.dataSync() as ArrayLike<number>);
    const shape = t.shape;
    t.dispose();
    return [name, { shape, data }];
  });
  return { ok: true, file: { path, format: 'tfjs', layers: groupByLayer(tensors) } };
}

/** `resnet50/conv1_conv/kernel:0` or `conv1_conv/kernel` → layer `conv1_conv`, weight `kernel`; in order of first appearance. */
function groupByLayer(tensors: readonly [string, { shape: readonly number[]; data: Float32Array }][]): FileLayer[] {
  const out = new Map<string, Map<string, { shape: readonly number[]; data: Float32Array }>>();
  for (const [name, tensor] of tensors) {
    const parts = name.split('/');
    const weight = parts[parts.length - 1] ?? name;
    const layer = parts.length >= 2 ? (parts[parts.length - 2] as string) : name;
    const map = out.get(layer) ?? new Map();
    map.set(weight.replace(/:\d+$/, ''), tensor);
    out.set(layer, map);
  }
  return [...out].map(([name, weights]) => ({ name, weights }));
}

function shortName(originalName: string): string {
  const parts = originalName.split('/');
  return (parts[parts.length - 1] ?? originalName).replace(/:\d+$/, '');
}

export interface Assignment {
  /** The model's layer. */
  readonly layer: string;
  /** The file's layer it takes its weights from (another name only for Keras's automatic names). */
  readonly fileLayer: string;
  readonly file: string;
  readonly weights: FileLayer['weights'];
}

export type MatchResult =
  | { readonly ok: true; readonly assignments: readonly Assignment[]; readonly skipped: readonly string[]; readonly untouched: readonly string[] }
  | { readonly ok: false; readonly diagnostics: readonly Diagnostic[]; readonly mismatches: readonly LayerMismatch[]; readonly matched: number };

/**
 * Pairs every layer of the files with a layer of `model`: by name, except Keras's automatic names
 * (`conv2d_7`), which pair by their number in order. Every pair must have the same weights with the
 * same shapes. `untouched`: the model's layers with weights that no file provides (e.g. a
 * classifier top, CVR-Net's heads).
 */
export function matchWeights(model: tf.LayersModel, files: readonly WeightsFile[]): MatchResult {
  const layers = new Map(model.layers.filter((l) => l.weights.length > 0).map((l) => [l.name, l]));
  const claimed = new Map<string, string>();
  const assignments: Assignment[] = [];
  const mismatches: LayerMismatch[] = [];
  const skipped: string[] = [];
  const describe = (entries: readonly (readonly [string, readonly number[]])[]): string => entries.map(([n, s]) => `${n} [${s.join(',')}]`).join(', ') || 'no weights';
  const modelSide = (layer: tf.layers.Layer): [string, readonly number[]][] => layer.weights.map((w) => [shortName(w.originalName), w.shape.map((d) => d ?? -1)]);

  for (const file of files) {
    const pairs: [FileLayer, string | undefined][] = [];
    const autoFile = new Map<string, FileLayer[]>();
    for (const fl of file.layers) {
      const prefix = autoPrefix(fl.name);
      if (prefix !== undefined) autoFile.set(prefix, [...(autoFile.get(prefix) ?? []), fl]);
      else if (!layers.has(fl.name) && isInputNormalization(fl)) skipped.push(fl.name);
      else pairs.push([fl, layers.has(fl.name) ? fl.name : undefined]);
    }
    for (const [prefix, inFile] of autoFile) {
      const inModel = [...layers.keys()].filter((n) => autoPrefix(n) === prefix && !claimed.has(n)).sort((a, b) => autoNumber(a) - autoNumber(b));
      const sorted = [...inFile].sort((a, b) => autoNumber(a.name) - autoNumber(b.name));
      sorted.forEach((fl, i) => pairs.push([fl, inModel[i]]));
    }
    for (const [fl, name] of pairs) {
      const fileSide = [...fl.weights].map(([n, w]) => [n, w.shape] as const);
      const layer = name === undefined ? undefined : layers.get(name);
      if (layer === undefined || name === undefined) {
        mismatches.push({ layer: fl.name, inFile: describe(fileSide), inModel: 'no such layer' });
        continue;
      }
      const label = name === fl.name ? name : `${fl.name} (${name} in the model)`;
      const earlier = claimed.get(name);
      if (earlier !== undefined) {
        mismatches.push({ layer: label, inFile: describe(fileSide), inModel: `already loaded from ${earlier}` });
        continue;
      }
      const want = modelSide(layer);
      const aligned = align(want.map(([n]) => n), fl.weights);
      const same = aligned !== undefined && want.every(([n, s]) => {
        const w = aligned.get(n);
        return w !== undefined && w.shape.length === s.length && w.shape.every((d, i) => d === s[i]);
      });
      if (!same) {
        mismatches.push({ layer: label, inFile: describe(fileSide), inModel: describe(want) });
        continue;
      }
      claimed.set(name, file.path);
      assignments.push({ layer: name, fileLayer: fl.name, file: file.path, weights: aligned });
    }
  }
  if (mismatches.length > 0) {
    const where = files.map((f) => f.path).join(', ');
    const shown = mismatches.slice(0, SHOWN).map((m) => `${m.layer}: ${m.inFile} in the file, ${m.inModel} in the model`);
    const more = mismatches.length > SHOWN ? ` (and ${mismatches.length - SHOWN} more)` : '';
    return {
      ok: false,
      mismatches,
      matched: assignments.length,
      diagnostics: [
        {
          code: 'CVR708',
          severity: 'error',
          message: `the weights in "${where}" do not match model ${model.name}: ${mismatches.length} layer(s) differ${more}:\n  ${shown.join('\n  ')}`,
          file: where,
          hint: 'the weights must come from the same architecture at the same width and channels; export them without the classifier top (include_top=False) when the class count differs; `cvr weights info FILE` says which model a file fits',
          data: { mismatches },
        },
      ],
    };
  }
  const untouched = [...layers.keys()].filter((n) => !claimed.has(n));
  return { ok: true, assignments, skipped, untouched };
}

/**
 * The file's weights of one layer under the model's weight names: by name when the file uses the
 * same ones (`kernel`, `bias`, …), else by order, as Keras itself loads a layer's weights. Keras 1
 * files (the VGG-19 ImageNet file) name them `block1_conv1_W_1:0`, `block1_conv1_b_1:0`.
 */
function align(names: readonly string[], weights: FileLayer['weights']): FileLayer['weights'] | undefined {
  if (names.length !== weights.size) return undefined;
  if (names.every((n) => weights.has(n))) return weights;
  const inOrder = [...weights.values()];
  return new Map(names.map((n, i) => [n, inOrder[i] as { readonly shape: readonly number[]; readonly data: Float32Array }]));
}

function autoPrefix(name: string): string | undefined {
  const m = /^(.*?)(?:_(\d+))?$/.exec(name);
  const prefix = m?.[1];
  return prefix !== undefined && AUTO_PREFIXES.includes(prefix) ? prefix : undefined;
}

function autoNumber(name: string): number {
  const m = /_(\d+)$/.exec(name);
  return m === null ? 0 : Number(m[1]);
}

/** Keras's `Normalization` layer (EfficientNet's input statistics): cvr normalises its input itself. */
function isInputNormalization(layer: FileLayer): boolean {
  const names = [...layer.weights.keys()].sort().join(',');
  return /^normalization(_\d+)?$/.test(layer.name) && names === 'count,mean,variance';
}

export type WeightsSource =
  | { readonly kind: 'none' }
  | { readonly kind: 'paths'; readonly paths: readonly string[] }
  | { readonly kind: 'missing'; readonly diagnostics: readonly Diagnostic[] };

/**
 * Where a model's `weights` come from. `none`: random (seeded) initialisation. A path (or, for
 * CVR-Net, one per branch): that file or folder. `imagenet`: the Keras applications' files under
 * `$CVR_WEIGHTS_DIR` (default `~/.cache/cvr/weights`), as `cvr weights fetch` puts them there
 * (CVR-Net uses ResNet-50's and Xception's); a converted tfjs folder `<dir>/<model>/model.json`
 * is still taken. Nothing is downloaded here: hospital networks are often offline.
 */
export function weightsSource(model: string, weights: string | readonly string[], env: Readonly<Record<string, string | undefined>>): WeightsSource {
  if (typeof weights !== 'string') return { kind: 'paths', paths: weights };
  if (weights === 'none') return { kind: 'none' };
  if (weights !== 'imagenet') return { kind: 'paths', paths: [weights] };
  const base = weightsDir(env);
  const wanted = kerasFilesFor(model);
  const paths: string[] = [];
  const absent: string[] = [];
  for (const [name, f] of wanted) {
    const h5 = join(base, f.file);
    const tfjs = join(base, name);
    if (existsSync(h5)) paths.push(h5);
    else if (existsSync(join(tfjs, 'model.json'))) paths.push(tfjs);
    else absent.push(h5);
  }
  if (absent.length === 0 && paths.length > 0) return { kind: 'paths', paths };
  return {
    kind: 'missing',
    diagnostics: [
      {
        code: 'CVR720',
        severity: 'error',
        message: `ImageNet weights for ${model} are not on this machine: no ${absent.join(', ')}`,
        hint: `run \`cvr weights fetch ${model}\` (it downloads ${absent.length === 1 ? 'it' : 'them'} from the Keras applications' published location and checks the published md5); offline, copy ${absent.length === 1 ? 'the file' : 'the files'} there by hand (set CVR_WEIGHTS_DIR to use another folder)`,
        data: { files: absent },
      },
    ],
  };
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


function fail(code: Code, message: string, file: string, hint: string): { ok: false; diagnostics: readonly Diagnostic[] } {
  return { ok: false, diagnostics: [{ code, severity: 'error', message, file, hint }] };
}

/** `weights { resnet50 "r.h5"  xception "x.h5" }` → the paths, each loaded into the model by layer name. */
export function branchPaths(files: Readonly<Record<string, string>>): string[] {
  return Object.keys(files)
    .sort()
    .map((k) => files[k] as string);
}

/**
 * Writes `model`'s weights as Keras writes `model.save_weights("w.h5")`: every layer in
 * `layer_names` (weightless ones with an empty `weight_names`), weights named `layer/kernel:0`
 * in the layer's order (BatchNorm: gamma, beta, moving_mean, moving_variance, as Keras).
 */
export async function saveKerasWeights(model: tf.LayersModel, path: string): Promise<{ layers: number; parameters: number }> {
  const layers: H5Layer[] = model.layers.map((layer) => ({
    name: layer.name,
    weights: layer.weights.map((w) => {
      const t = w.read();
      const data = Float32Array.from(t.dataSync() as ArrayLike<number>);
      return { name: `${layer.name}/${shortName(w.originalName)}:0`, shape: t.shape, data };
    }),
  }));
  await writeKerasH5(path, layers);
  return { layers: layers.filter((l) => l.weights.length > 0).length, parameters: layers.reduce((n, l) => n + l.weights.reduce((m, w) => m + w.data.length, 0), 0) };
}

/**
 * What a model's weight files are now: a hash of each file's name, size and modification time
 * (folders: the files in them and in their sub-folders), for the training node's cache key, so
 * that a file replaced at the same path retrains instead of reusing the old result. Undefined for
 * `weights none` and for files that are missing (the training node then reports them).
 */
export function weightsFingerprint(model: string, weights: string, weightsFiles: Readonly<Record<string, string>> | undefined, env: Readonly<Record<string, string | undefined>>): string | undefined {
  const source = weightsSource(model, weightsFiles !== undefined ? branchPaths(weightsFiles) : weights, env);
  if (source.kind !== 'paths') return undefined;
  const entries: [string, number, number][] = [];
  const visit = (path: string, name: string, depth: number): void => {
    if (!existsSync(path)) return;
    const stat = statSync(path);
    if (stat.isFile()) entries.push([name, stat.size, Math.round(stat.mtimeMs)]);
    else if (stat.isDirectory() && depth < 2) for (const e of readdirSync(path).sort()) visit(join(path, e), `${name}/${e}`, depth + 1);
  };
  source.paths.forEach((p, i) => visit(p, String(i), 0));
  return createHash('sha256').update(JSON.stringify(entries)).digest('hex');
}
