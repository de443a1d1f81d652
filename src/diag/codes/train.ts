import type { CodeInfo } from './types.ts';

/**
 * CVR800–849 — preprocessing, training and evaluation. Codes are stable: never renumber or reuse
 * one; retire by leaving it here marked "(retired)".
 */
export const trainCodes = {
} as const satisfies Record<string, CodeInfo>;
