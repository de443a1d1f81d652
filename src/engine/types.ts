/** The engines in the order `auto` tries them: fastest first, always-there last. */
export const ENGINE_NAMES = ['tfjs-node-gpu', 'tfjs-node', 'native', 'cpu'] as const;

export type EngineName = (typeof ENGINE_NAMES)[number];

export function isEngineName(name: string): name is EngineName {
  return (ENGINE_NAMES as readonly string[]).includes(name);
}

/** What probing one engine found (`cvr engines` prints one of these a line). */
export interface EngineStatus {
  readonly name: EngineName;
  readonly available: boolean;
  /** Why it is or is not usable here, in one sentence a user can act on. */
  readonly reason: string;
  /** What to do to make an unavailable engine available. */
  readonly hint?: string;
  /** Version of the package or addon behind the engine, when it is installed. */
  readonly version?: string;
}

/** A probe that found its engine usable, and how to switch tfjs over to it. */
export interface UsableEngine extends EngineStatus {
  readonly available: true;
  /** Registers the engine's tfjs backend (if needed) and returns the backend's name. */
  readonly activate: () => Promise<string>;
}

export type ProbeResult = EngineStatus | UsableEngine;

export function isUsable(result: ProbeResult): result is UsableEngine {
  return result.available && 'activate' in result;
}

/**
 * What ran where: recorded in every run's lock file and metrics, and printed by benchmarks, so
 * that two runs' numbers can be compared knowing whether the engine was the same.
 */
export interface EngineInfo {
  readonly engine: EngineName;
  /** The tfjs backend name in use (`tensorflow`, `cpu`, or the native engine's name). */
  readonly backend: string;
  /** `auto` or the name that was asked for (pipeline `engine` statement or `--engine`). */
  readonly requested: string;
  /** Why this engine: the first available in `auto` order, or forced. */
  readonly reason: string;
  /** Package and runtime versions: tfjs-core, tfjs-layers, tfjs-backend-cpu, node, and the engine's own. */
  readonly versions: Readonly<Record<string, string>>;
  readonly platform: string;
}
