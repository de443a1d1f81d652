import * as tf from '@tensorflow/tfjs';

/** `--key value` pairs over defaults; unknown keys are an error so typos do not go unnoticed. */
export function parseBenchArgs<K extends string>(argv: readonly string[], defaults: Record<K, string>): Record<K, string> {
  const out: Record<string, string> = { ...defaults };
  for (let i = 0; i < argv.length; i += 2) {
    const key = argv[i]?.replace(/^--/, '');
    const value = argv[i + 1];
    if (key === undefined || !(key in defaults) || value === undefined) {
      throw new Error(`unknown or incomplete option ${argv[i] ?? ''}; options: ${Object.keys(defaults).map((k) => `--${k}`).join(' ')}`);
    }
    out[key] = value;
  }
  return out as Record<K, string>;
}

/** Selects `cpu` or the project's `native` backend (registering it first). */
export async function useBackend(name: string): Promise<void> {
  if (name === 'native') {
    const { probeNative } = await import('../../src/engine/native/index.ts');
    const probe = await probeNative();
    if (!probe.available || probe.register === undefined) throw new Error(`native engine unavailable: ${probe.reason}`);
    name = await probe.register();
  }
  if (!(await tf.setBackend(name))) throw new Error(`backend ${name} failed to initialise`);
  await tf.ready();
}
