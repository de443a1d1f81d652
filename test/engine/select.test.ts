import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { chooseEngine, probeEngine, probeEngines, realProbeHost, selectEngine, type ProbeHost } from '../../src/engine/index.ts';

/** A machine staged in memory: which package folders exist, which files, what loading does. */
function stagedHost(files: readonly string[], load: (pkg: string) => Promise<unknown> = async () => ({}), platform = 'linux', arch = 'x64'): ProbeHost {
  const set = new Set(files);
  return {
    platform,
    arch,
    packageDir: (pkg) => (set.has(`/nm/${pkg}/package.json`) ? `/nm/${pkg}` : undefined),
    exists: (p) => set.has(p) || [...set].some((f) => f.startsWith(`${p}/`)),
    listDir: (p) => [...new Set([...set].filter((f) => f.startsWith(`${p}/`)).map((f) => f.slice(p.length + 1).split('/')[0] as string))],
    readJson: () => ({ version: '4.22.0' }),
    load,
    native: async () => ({ available: false, reason: 'the native addon is not built yet' }),
  };
}

const NODE = '/nm/@tensorflow/tfjs-node';
const GPU = '/nm/@tensorflow/tfjs-node-gpu';

describe('engine probing', () => {
  it('explains an absent tfjs-node as a failed optional libtensorflow download', async () => {
    const r = await probeEngine('tfjs-node', stagedHost([]));
    expect(r.available).toBe(false);
    expect(r.reason).toMatch(/not installed.*optional dependency.*downloads libtensorflow.*storage\.googleapis\.com/);
    expect(r.hint).toContain('--foreground-scripts');
  });

  it('says when there is no prebuilt libtensorflow for the platform', async () => {
    const r = await probeEngine('tfjs-node-gpu', stagedHost([], undefined, 'darwin', 'arm64'));
    expect(r.reason).toMatch(/no prebuilt libtensorflow for darwin-arm64/);
  });

  it('tells an installed package without its addon from one that fails to load', async () => {
    const noAddon = await probeEngine('tfjs-node', stagedHost([`${NODE}/package.json`]));
    expect(noAddon.reason).toMatch(/tfjs_binding\.node is missing/);
    expect(noAddon.version).toBe('4.22.0');

    const failing = stagedHost([`${GPU}/package.json`, `${GPU}/lib/napi-v8/tfjs_binding.node`], async () => {
      throw new Error('libcudart.so.11.0: cannot open shared object file\n    at Module._extensions');
    });
    const gpu = await probeEngine('tfjs-node-gpu', failing);
    expect(gpu.available).toBe(false);
    expect(gpu.reason).toBe('installed but failed to load: libcudart.so.11.0: cannot open shared object file');
    expect(gpu.hint).toMatch(/CUDA/);
  });

  it('auto picks the first available engine in order tfjs-node-gpu, tfjs-node, native, cpu', async () => {
    const withNode = stagedHost([`${NODE}/package.json`, `${NODE}/lib/napi-v8/tfjs_binding.node`]);
    const all = await probeEngines(withNode);
    expect(all.engines.map((e) => e.name)).toEqual(['tfjs-node-gpu', 'tfjs-node', 'native', 'cpu']);
    expect(all.auto).toBe('tfjs-node');
    const choice = await chooseEngine('auto', withNode);
    expect(choice.ok && choice.engine.name).toBe('tfjs-node');
    expect(choice.ok && choice.reason).toMatch(/tfjs-node-gpu unavailable/);

    const bare = await probeEngines(stagedHost([]));
    expect(bare.auto).toBe('cpu');
    expect(bare.engines.find((e) => e.name === 'native')?.reason).toBe('the native addon is not built yet');

    const withNative: ProbeHost = { ...stagedHost([]), native: async () => ({ available: true, reason: 'built', register: async () => 'cpu' }) };
    expect((await probeEngines(withNative)).auto).toBe('native');
    const flawed: ProbeHost = { ...stagedHost([]), native: async () => ({ available: true, reason: 'built' }) };
    expect((await probeEngines(flawed)).engines.find((e) => e.name === 'native')?.available).toBe(false);
  });

  it('refuses a forced engine that is unavailable (CVR701) and an unknown name (CVR702)', async () => {
    const forced = await chooseEngine('tfjs-node-gpu', stagedHost([]));
    expect(forced.ok).toBe(false);
    expect(!forced.ok && forced.diagnostics.map((d) => d.code)).toEqual(['CVR701']);
    expect(!forced.ok && forced.diagnostics[0]?.message).toMatch(/engine "tfjs-node-gpu" is not available: not installed/);

    const unknown = await chooseEngine('cuda', stagedHost([]));
    expect(!unknown.ok && unknown.diagnostics[0]?.code).toBe('CVR702');

    const cpu = await chooseEngine('cpu', stagedHost([]));
    expect(cpu.ok && cpu.engine.name).toBe('cpu');
  });

  it('on this machine, reports tfjs-node as npm left it', async () => {
    const installed = (() => {
      try {
        return existsSync(createRequire(import.meta.url).resolve('@tensorflow/tfjs-node'));
      } catch {
        return false;
      }
    })();
    const r = await probeEngine('tfjs-node', realProbeHost());
    if (installed) expect(r.reason).not.toMatch(/not installed/);
    else expect(r.reason).toMatch(/^not installed/);
  });

  it('selectEngine switches tfjs to the chosen backend and returns what a run records', async () => {
    const r = await selectEngine('cpu', stagedHost([]));
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(tf.getBackend()).toBe('cpu');
    expect(r.info).toMatchObject({ engine: 'cpu', backend: 'cpu', requested: 'cpu', reason: 'forced' });
    expect(Object.keys(r.info.versions)).toEqual(['tfjs-core', 'tfjs-layers', 'tfjs-backend-cpu', 'node']);
    const auto = await selectEngine('auto', stagedHost([]));
    expect(auto.ok && auto.info.reason).toMatch(/^auto: tfjs-node-gpu unavailable \(not installed.*; tfjs-node unavailable \(not installed/);
  });
});

