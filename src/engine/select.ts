import * as tf from '@tensorflow/tfjs';
import { silenceTfjsNotices } from './notices.ts';
import type { Diagnostic } from '../diag/index.ts';
import { probeTfjsNode, realProbeHost, type ProbeHost } from './tfjs-node-probe.ts';
import { ENGINE_NAMES, isEngineName, isUsable, type EngineInfo, type EngineName, type EngineStatus, type ProbeResult, type UsableEngine } from './types.ts';

export async function probeEngine(name: EngineName, host: ProbeHost = realProbeHost()): Promise<ProbeResult> {
  switch (name) {
    case 'tfjs-node-gpu':
      return probeTfjsNode('@tensorflow/tfjs-node-gpu', host);
    case 'tfjs-node':
      return probeTfjsNode('@tensorflow/tfjs-node', host);
    case 'native': {
      const found = await host.native();
      const register = found.register;
      if (found.available && register !== undefined) return { name, available: true, reason: found.reason, activate: register };
      return { name, available: false, reason: found.available ? 'the native addon reports itself available but gives no way to register it' : found.reason };
    }
    case 'cpu':
      return {
        name,
        available: true,
        reason: 'the plain @tensorflow/tfjs cpu backend (JavaScript kernels) is always there; it is slow',
        version: tf.version_cpu,
        activate: async () => 'cpu',
      };
    default:
      return assertNever(name);
  }
}

/** Every engine's status, in `auto` order, and which one `auto` would pick. */
export async function probeEngines(host: ProbeHost = realProbeHost()): Promise<{ engines: EngineStatus[]; auto: EngineName }> {
  const engines: EngineStatus[] = [];
  for (const name of ENGINE_NAMES) engines.push(publicStatus(await probeEngine(name, host)));
  const auto = engines.find((e) => e.available)?.name ?? 'cpu';
  return { engines, auto };
}

export type EngineChoice =
  | { readonly ok: true; readonly engine: UsableEngine; readonly reason: string }
  | { readonly ok: false; readonly diagnostics: readonly Diagnostic[] };

/**
 * Picks the engine: `auto` takes the first available in ENGINE_NAMES order; a name forces that
 * engine and is an error (CVR701) when it is unavailable — never a silent fallback, since a run
 * that asked for the GPU and quietly trained on the JavaScript cpu backend wastes days.
 */
export async function chooseEngine(requested: string, host: ProbeHost = realProbeHost()): Promise<EngineChoice> {
  if (requested === 'auto') {
    const skipped: string[] = [];
    for (const name of ENGINE_NAMES) {
      const result = await probeEngine(name, host);
      if (isUsable(result)) {
        const why = skipped.length === 0 ? 'the first engine in auto order' : `auto: ${skipped.join('; ')}`;
        return { ok: true, engine: result, reason: why };
      }
      skipped.push(`${name} unavailable (${result.reason})`);
    }
    throw new Error('Internal error: the cpu engine is always available');
  }
  if (!isEngineName(requested)) {
    return {
      ok: false,
      diagnostics: [
        {
          code: 'CVR702',
          severity: 'error',
          message: `unknown engine "${requested}"`,
          hint: `engines: auto, ${ENGINE_NAMES.join(', ')}`,
        },
      ],
    };
  }
  const result = await probeEngine(requested, host);
  if (!isUsable(result)) {
    return {
      ok: false,
      diagnostics: [
        {
          code: 'CVR701',
          severity: 'error',
          message: `engine "${requested}" is not available: ${result.reason}`,
          hint: result.hint ?? 'run `cvr engines` to see which engines are available, or use --engine auto',
          data: { engine: requested },
        },
      ],
    };
  }
  return { ok: true, engine: result, reason: 'forced' };
}

/**
 * Chooses an engine and switches tfjs to it. The result's EngineInfo is what a run records.
 */
export async function selectEngine(requested: string, host: ProbeHost = realProbeHost()): Promise<{ ok: true; info: EngineInfo } | { ok: false; diagnostics: readonly Diagnostic[] }> {
  const choice = await chooseEngine(requested, host);
  if (!choice.ok) return choice;
  silenceTfjsNotices();
  const backend = await choice.engine.activate();
  const switched = await tf.setBackend(backend);
  if (!switched) throw new Error(`Internal error: tfjs could not initialise backend "${backend}" of engine ${choice.engine.name}`);
  await tf.ready();
  return { ok: true, info: engineInfo(choice.engine, requested, choice.reason, backend) };
}

export function engineInfo(engine: EngineStatus, requested: string, reason: string, backend: string): EngineInfo {
  const versions: Record<string, string> = {
    'tfjs-core': tf.version_core,
    'tfjs-layers': tf.version_layers,
    'tfjs-backend-cpu': tf.version_cpu,
    node: process.versions.node,
  };
  if (engine.version !== undefined && engine.name !== 'cpu') versions[engine.name] = engine.version;
  return { engine: engine.name, backend, requested, reason, versions, platform: `${process.platform}-${process.arch}` };
}

function publicStatus(result: ProbeResult): EngineStatus {
  const { name, available, reason, hint, version } = result;
  return {
    name,
    available,
    reason,
    ...(hint === undefined ? {} : { hint }),
    ...(version === undefined ? {} : { version }),
  };
}

function assertNever(value: never): never {
  throw new Error(`Internal error: unhandled engine ${String(value)}`);
}
