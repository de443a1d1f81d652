/**
 * The warning a user gets before training starts on the plain `cpu` engine because the native
 * oneDNN engine is not built here: how much slower, measured, and the one command that fixes it.
 */
import type { Diagnostic } from '../diag/index.ts';
import type { EngineName } from './types.ts';

/** The one command that builds the native engine on Debian/Ubuntu (scripts/setup.sh). */
export const NATIVE_FIX_COMMAND = 'npm run setup';

/**
 * Training images/s of the demo's model (reduced CVR-Net, width 0.0625, 64², batch 16, Adam, one
 * thread) on each engine, measured with `CVR_NATIVE_THREADS=1 npm run -s bench -- train --model
 * cvrnet --width 0.0625 --size 64 --batch 16 --steps 3 --engine E` on the 2-core development
 * machine, 2026-12-01, load average about 8 (docs/native-engine.md): 45 against 0.87, 52×.
 */
export const DEMO_MODEL_IMAGES_PER_S = { native: 45, cpu: 0.87 } as const;

export function cpuSlowdown(): number {
  return Math.round(DEMO_MODEL_IMAGES_PER_S.native / DEMO_MODEL_IMAGES_PER_S.cpu);
}

/**
 * CVR709 when `auto` ended on the plain cpu engine (a forced `cpu` is the user's choice and gets
 * no warning); `nativeReason` says why the native engine was not usable.
 */
export function slowEngineWarning(engine: EngineName, requested: string, nativeReason?: string): Diagnostic | undefined {
  if (engine !== 'cpu' || requested === 'cpu') return undefined;
  const { native, cpu } = DEMO_MODEL_IMAGES_PER_S;
  return {
    code: 'CVR709',
    severity: 'warning',
    message:
      `training on the plain cpu engine: about ${cpuSlowdown()}× slower than the native oneDNN engine ` +
      `(${cpu} against ${native} images/s on the demo's model)` +
      (nativeReason === undefined ? '' : `; native is unavailable: ${nativeReason.split('; to enable it')[0]}`),
    hint: `run \`${NATIVE_FIX_COMMAND}\` (installs oneDNN with apt-get as root or with sudo and builds the native engine), then run again`,
  };
}
