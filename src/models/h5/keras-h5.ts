/**
 * Keras HDF5 weight files, read and written with h5wasm (HDF5 compiled to WebAssembly: no Python,
 * no native library). The layout is the one Keras's `save_weights_to_hdf5_group` writes
 * (keras `legacy/saving/legacy_h5_format.py`, before it `saving/hdf5_format.py`):
 *
 *   /                       attrs layer_names (fixed-length byte strings), backend, keras_version
 *   /<layer>/               attr  weight_names (byte strings; an empty float array when none)
 *   /<layer>/<weight name>  one float32 dataset per weight, e.g. `conv1_conv/kernel:0`
 *
 * A whole-model file (`model.save("m.h5")`) has the same tree under `/model_weights`. Layer groups
 * are listed in `layer_names` order; weights in `weight_names` order (trainable, then the rest:
 * BatchNorm's gamma, beta, moving_mean, moving_variance).
 */
import { existsSync, renameSync, rmSync, statSync } from 'node:fs';
import type * as H5 from 'h5wasm';

/** One weight of a layer group. `name` is the entry of `weight_names`, e.g. `conv1_conv/kernel:0`. */
export interface H5Weight {
  readonly name: string;
  readonly shape: readonly number[];
  readonly data: Float32Array;
}

export interface H5Layer {
  readonly name: string;
  readonly weights: readonly H5Weight[];
}

export interface KerasH5 {
  /** `/` for a weights file, `/model_weights` for a whole-model file. */
  readonly root: string;
  readonly backend?: string;
  readonly kerasVersion?: string;
  /** Every group of `layer_names`, in that order, weightless ones included. */
  readonly layers: readonly H5Layer[];
}

export type ReadH5Result = { readonly ok: true; readonly file: KerasH5 } | { readonly ok: false; readonly reason: string };

let module: Promise<typeof H5> | undefined;

/** h5wasm, loaded once (its WebAssembly is compiled on first use: ~100 ms). */
async function h5(): Promise<typeof H5> {
  module ??= (async () => {
    const m = (await import('h5wasm/node')) as unknown as { default: typeof H5 };
    await m.default.ready;
    return m.default;
  })();
  return module;
}

/** The HDF5 signature: every HDF5 file starts with these 8 bytes (at offset 0 for Keras files). */
const SIGNATURE = [0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a];

export async function isHdf5(path: string): Promise<boolean> {
  const { openSync, readSync, closeSync } = await import('node:fs');
  if (!existsSync(path) || !statSync(path).isFile()) return false;
  const fd = openSync(path, 'r');
  try {
    const head = Buffer.alloc(8);
    const n = readSync(fd, head, 0, 8, 0);
    return n === 8 && SIGNATURE.every((b, i) => head[i] === b);
  } finally {
    closeSync(fd);
  }
}

/** Reads every layer's weights of a Keras `.h5` weights or whole-model file. */
export async function readKerasH5(path: string): Promise<ReadH5Result> {
  if (!existsSync(path)) return { ok: false, reason: 'no such file' };
  if (!(await isHdf5(path))) return { ok: false, reason: 'not an HDF5 file (no HDF5 signature; a Keras 3 `.keras` file is a zip: save with `model.save_weights("w.weights.h5")` or `model.save("m.h5")`)' };
  const lib = await h5();
  let file: H5.File;
  try {
    file = new lib.File(path, 'r');
  } catch (error) {
    return { ok: false, reason: `HDF5 cannot open it (${message(error)}): is it truncated? download it again` };
  }
  try {
    const top = file.get('model_weights');
    const rootGroup = top instanceof lib.Group && !hasList(file, 'layer_names') ? top : file;
    if (!hasList(rootGroup, 'layer_names')) return { ok: false, reason: 'no `layer_names` attribute: not a Keras HDF5 weights file (Keras writes one at the root, or under /model_weights)' };
    const layerNames = list(rootGroup, 'layer_names');
    const layers: H5Layer[] = [];
    for (const name of layerNames) {
      const group = rootGroup.get(name);
      if (!(group instanceof lib.Group)) return { ok: false, reason: `layer_names lists "${name}", but there is no group of that name` };
      const weights: H5Weight[] = [];
      for (const weightName of list(group, 'weight_names')) {
        const dataset = group.get(weightName);
        if (!(dataset instanceof lib.Dataset)) return { ok: false, reason: `layer "${name}" lists weight "${weightName}", but there is no dataset of that name` };
        const dtype = dataset.dtype;
        if (typeof dtype !== 'string' || !/^[<>|]?[fdbhiqBHIQ]$/.test(dtype)) return { ok: false, reason: `weight ${name}/${weightName} has type ${JSON.stringify(dtype)}: cvr reads float32, float64 and integer weights` };
        weights.push({ name: weightName, shape: dataset.shape ?? [], data: toFloat32(dataset.value, `${name}/${weightName}`) });
      }
      layers.push({ name, weights });
    }
    const backend = hasAttr(rootGroup, 'backend') ? strings(rootGroup, 'backend')[0] : undefined;
    const kerasVersion = hasAttr(rootGroup, 'keras_version') ? strings(rootGroup, 'keras_version')[0] : undefined;
    return {
      ok: true,
      file: { root: rootGroup === file ? '/' : '/model_weights', layers, ...(backend !== undefined && { backend }), ...(kerasVersion !== undefined && { kerasVersion }) },
    };
  } catch (error) {
    return { ok: false, reason: message(error) };
  } finally {
    file.close();
  }
}

export interface WriteH5Options {
  /** Written as the `backend` attribute (Keras: `tensorflow`, `jax`, …). */
  readonly backend?: string;
  /** Written as `keras_version`: the Keras version whose layout this follows. */
  readonly kerasVersion?: string;
}

/**
 * Writes `layers` the way Keras's `save_weights` writes an `.h5` file: `layer_names` in model
 * order, layer groups in name order, fixed-length byte-string attributes, float32 datasets named
 * by `weight_names`. Atomic: a temporary file is renamed into place.
 */
export async function writeKerasH5(path: string, layers: readonly H5Layer[], options: WriteH5Options = {}): Promise<void> {
  const lib = await h5();
  const temp = `${path}.tmp-${process.pid}`;
  rmSync(temp, { force: true });
  const file = new lib.File(temp, 'w');
  try {
    byteStrings(file, 'layer_names', layers.map((l) => l.name));
    // h5py stores a Python `bytes` scalar (Keras: `backend().encode("utf8")`) as a variable-length string.
    file.create_attribute('backend', options.backend ?? 'tensorflow');
    file.create_attribute('keras_version', options.kerasVersion ?? '2.15.0');
    // Keras creates the groups sorted by name "so that group names are strictly growing".
    for (const layer of [...layers].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
      const group = file.create_group(layer.name);
      byteStrings(group, 'weight_names', layer.weights.map((w) => w.name));
      for (const w of layer.weights) {
        // A weight name `conv1/kernel:0` is a path: its intermediate groups come first.
        const parts = w.name.split('/');
        for (let i = 1; i < parts.length; i++) {
          const sub = parts.slice(0, i).join('/');
          if (group.get(sub) === null) group.create_group(sub);
        }
        group.create_dataset({ name: w.name, data: w.data, shape: [...w.shape], dtype: '<f' });
      }
    }
  } finally {
    file.close();
  }
  renameSync(temp, path);
}

/**
 * A list-of-names attribute as Keras writes it: h5py stores the numpy `S` array of
 * `np.asarray([b"conv1", …])` as fixed-length ASCII strings; an empty list is an empty float64
 * array (`np.asarray([])`). h5wasm's `A<n>` is fixed-length ASCII, NUL-terminated where h5py's is
 * NUL-padded: one byte more than the longest name keeps every name whole, and h5py reads both as
 * the same `bytes`.
 */
function byteStrings(target: H5.Group, name: string, names: readonly string[]): void {
  if (names.length === 0) {
    target.create_attribute(name, new Float64Array(0), [0], '<d');
    return;
  }
  const size = Math.max(...names.map((s) => Buffer.byteLength(s, 'utf8'))) + 1;
  // Keras's save_attributes_to_hdf5_group: more than 64512 bytes go into `name0`, `name1`, …
  // split as numpy's array_split does (the first parts one longer).
  let chunks = 1;
  while (Math.ceil(names.length / chunks) * size > HDF5_OBJECT_HEADER_LIMIT) chunks++;
  if (chunks === 1) {
    target.create_attribute(name, [...names], [names.length], `A${size}`);
    return;
  }
  const base = Math.floor(names.length / chunks);
  const extra = names.length % chunks;
  let at = 0;
  for (let i = 0; i < chunks; i++) {
    const part = names.slice(at, at + base + (i < extra ? 1 : 0));
    at += part.length;
    target.create_attribute(`${name}${i}`, part, [part.length], `A${size}`);
  }
}

/** Keras's limit for one attribute (legacy_h5_format.py). */
const HDF5_OBJECT_HEADER_LIMIT = 64512;

/**
 * A list attribute as Keras's `load_attributes_from_hdf5_group` reads it: `name`, or, when Keras
 * had to split one larger than HDF5's 64 kB object header, `name0`, `name1`, … in order.
 */
function list(group: H5.Group, name: string): string[] {
  if (hasAttr(group, name)) return strings(group, name);
  const out: string[] = [];
  for (let i = 0; hasAttr(group, `${name}${i}`); i++) out.push(...strings(group, `${name}${i}`));
  return out;
}

function hasList(group: H5.Group, name: string): boolean {
  return hasAttr(group, name) || hasAttr(group, `${name}0`);
}

function hasAttr(group: H5.Group, name: string): boolean {
  return Object.prototype.hasOwnProperty.call(group.attrs, name);
}

/** A string or list-of-strings attribute (fixed or variable length); anything else → []. */
function strings(group: H5.Group, name: string): string[] {
  const value: unknown = group.get_attribute(name, false);
  const list = Array.isArray(value) ? value : typeof value === 'string' ? [value] : [];
  return list.flatMap((v) => (typeof v === 'string' ? [v.replace(/\0+$/, '')] : v instanceof Uint8Array ? [Buffer.from(v).toString('utf8').replace(/\0+$/, '')] : []));
}

function toFloat32(value: unknown, what: string): Float32Array {
  if (value instanceof Float32Array) return value;
  if (value instanceof Float64Array || value instanceof Int32Array || value instanceof Int16Array || value instanceof Uint8Array || value instanceof Int8Array || value instanceof Uint16Array || value instanceof Uint32Array) return Float32Array.from(value);
  if (value instanceof BigInt64Array || value instanceof BigUint64Array) return Float32Array.from(value, (v) => Number(v));
  if (typeof value === 'number') return Float32Array.of(value);
  if (typeof value === 'bigint') return Float32Array.of(Number(value));
  throw new Error(`weight ${what} is not a number array (float16 and other types are not read)`);
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
