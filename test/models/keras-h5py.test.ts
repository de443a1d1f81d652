/**
 * Interoperability with h5py, the library Keras saves and loads `.h5` files with. Python Keras is
 * not installable here, so the two Keras functions that touch the file are restated in Python
 * from keras `legacy/saving/legacy_h5_format.py`: `save_weights_to_hdf5_group` (numpy `S` arrays,
 * `bytes` scalars) writes a file cvr must load, and `load_weights_from_hdf5_group`'s reading
 * (`load_attributes_from_hdf5_group`, weights with non-empty `weight_names` paired by order)
 * reads the file cvr exports. Skipped where Debian's python3-h5py is not installed.
 */
import * as tf from '@tensorflow/tfjs';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { buildModel, loadWeights, saveKerasWeights } from '../../src/models/index.ts';
import { readKerasH5, writeKerasH5 } from '../../src/models/h5/keras-h5.ts';

const PYTHON = '/usr/bin/python3';
const hasH5py = spawnSync(PYTHON, ['-c', 'import h5py, numpy'], { encoding: 'utf8' }).status === 0;
const root = mkdtempSync(join(tmpdir(), 'cvr-h5py-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const KERAS_SAVE = `
import h5py, json, sys
import numpy as np
spec = json.load(open(sys.argv[1]))
raw = np.fromfile(sys.argv[2], dtype="<f4")
f = h5py.File(sys.argv[3], "w")
# save_weights_to_hdf5_group: layer_names via save_attributes_to_hdf5_group (np.asarray of bytes)
f.attrs["layer_names"] = np.asarray([l["name"].encode("utf8") for l in spec["layers"]])
f.attrs["backend"] = "tensorflow".encode("utf8")
f.attrs["keras_version"] = "2.15.0".encode("utf8")
for layer in sorted(spec["layers"], key=lambda l: l["name"]):
    g = f.create_group(layer["name"])
    names = [w["name"].encode("utf8") for w in layer["weights"]]
    g.attrs["weight_names"] = np.asarray(names)
    for w, n in zip(layer["weights"], names):
        val = raw[w["offset"]:w["offset"] + w["length"]].reshape(w["shape"])
        d = g.create_dataset(n, val.shape, dtype=val.dtype)
        d[:] = val
f.close()
`;

const KERAS_READ = `
import h5py, json, sys
import numpy as np
def load_attributes_from_hdf5_group(group, name):
    if name in group.attrs:
        return [n.decode("utf8") if hasattr(n, "decode") else n for n in group.attrs[name]]
    data, chunk_id = [], 0
    while f"{name}{chunk_id}" in group.attrs:
        data.extend([n.decode("utf8") if hasattr(n, "decode") else n for n in group.attrs[f"{name}{chunk_id}"]])
        chunk_id += 1
    return data
f = h5py.File(sys.argv[1], "r")
out = []
for name in load_attributes_from_hdf5_group(f, "layer_names"):
    g = f[name]
    weight_names = load_attributes_from_hdf5_group(g, "weight_names")
    if not weight_names:
        continue
    values = [np.asarray(g[n]) for n in weight_names]
    out.append({"name": name, "weights": [{"name": n, "shape": list(v.shape), "dtype": str(v.dtype), "sum": float(v.astype(np.float64).sum())} for n, v in zip(weight_names, values)]})
backend = f.attrs["backend"]
version = f.attrs["keras_version"]
print(json.dumps({"backend": backend.decode() if hasattr(backend, "decode") else backend, "keras_version": version.decode() if hasattr(version, "decode") else version, "layers": out}))
`;

function python(script: string, args: readonly string[]): string {
  const r = spawnSync(PYTHON, ['-c', script, ...args], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`python failed: ${r.stderr}`);
  return r.stdout;
}

const model = (seed: number): tf.LayersModel => {
  const r = buildModel('xception', { size: 32, channels: 3, classes: 2, width: 0.0625, seed, nodeKey: 'py' });
  if (!r.ok) throw new Error('build');
  return r.model;
};

describe.skipIf(!hasH5py)('h5py (Keras\'s HDF5 library)', () => {
  it('cvr loads a file written the way Keras\'s save_weights_to_hdf5_group writes it', async () => {
    const source = model(1);
    const layers: { name: string; weights: { name: string; shape: number[]; offset: number; length: number }[] }[] = [];
    const chunks: Float32Array[] = [];
    let offset = 0;
    for (const layer of source.layers) {
      layers.push({
        name: layer.name,
        weights: layer.weights.map((w) => {
          const data = w.read().dataSync() as Float32Array;
          chunks.push(data);
          const entry = { name: `${layer.name}/${w.originalName.split('/').pop()}:0`, shape: [...w.shape] as number[], offset, length: data.length };
          offset += data.length;
          return entry;
        }),
      });
    }
    const raw = new Float32Array(offset);
    let at = 0;
    for (const c of chunks) {
      raw.set(c, at);
      at += c.length;
    }
    writeFileSync(join(root, 'spec.json'), JSON.stringify({ layers }));
    writeFileSync(join(root, 'raw.bin'), Buffer.from(raw.buffer));
    python(KERAS_SAVE, [join(root, 'spec.json'), join(root, 'raw.bin'), join(root, 'keras.h5')]);

    const read = await readKerasH5(join(root, 'keras.h5'));
    expect(read.ok && read.file.backend).toBe('tensorflow');
    expect(read.ok && read.file.kerasVersion).toBe('2.15.0');
    const target = model(2);
    const r = await loadWeights(target, join(root, 'keras.h5'));
    expect(r.ok ? [] : r.diagnostics).toEqual([]);
    expect(target.getWeights().map((w) => Array.from(w.dataSync()))).toEqual(source.getWeights().map((w) => Array.from(w.dataSync())));
    source.dispose();
    target.dispose();
  });

  it('Keras\'s reading of cvr\'s export pairs every layer with weights in model order, float32, same values', async () => {
    const m = model(3);
    const file = join(root, 'cvr.h5');
    await saveKerasWeights(m, file);
    const read = JSON.parse(python(KERAS_READ, [file])) as { backend: string; keras_version: string; layers: { name: string; weights: { name: string; shape: number[]; dtype: string; sum: number }[] }[] };
    expect(read.backend).toBe('tensorflow');
    expect(read.keras_version).toBe('2.15.0');
    const withWeights = m.layers.filter((l) => l.weights.length > 0);
    expect(read.layers.map((l) => l.name)).toEqual(withWeights.map((l) => l.name));
    read.layers.forEach((l, i) => {
      const layer = withWeights[i] as tf.layers.Layer;
      expect(l.weights.map((w) => [w.name, w.shape, w.dtype])).toEqual(layer.weights.map((w) => [`${layer.name}/${w.originalName.split('/').pop()}:0`, w.shape, 'float32']));
      l.weights.forEach((w, j) => {
        const values = layer.weights[j]?.read().dataSync() as Float32Array;
        expect(w.sum).toBeCloseTo(values.reduce((a, v) => a + v, 0), 4);
      });
    });
    m.dispose();
  });

  it('splits layer_names over 64512 bytes into layer_names0, 1, … as Keras does, and both read them back', async () => {
    const names = Array.from({ length: 1800 }, (_, i) => `a_rather_long_layer_name_number_${String(i).padStart(5, '0')}`);
    const file = join(root, 'chunked.h5');
    await writeKerasH5(file, names.map((name) => ({ name, weights: [] })));
    const read = await readKerasH5(file);
    expect(read.ok && read.file.layers.map((l) => l.name)).toEqual(names);
    const attrs = JSON.parse(python('import h5py, json, sys; print(json.dumps(sorted(h5py.File(sys.argv[1], "r").attrs.keys())))', [file])) as string[];
    expect(attrs.filter((a) => a.startsWith('layer_names'))).toEqual(['layer_names0', 'layer_names1']);
    const viaKeras = python(`${KERAS_READ.split('f = h5py')[0]}\nf = h5py.File(sys.argv[1], "r")\nprint(json.dumps(load_attributes_from_hdf5_group(f, "layer_names")))`, [file]);
    expect(JSON.parse(viaKeras)).toEqual(names);
  });
});
