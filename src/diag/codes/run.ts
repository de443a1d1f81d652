import type { CodeInfo } from './types.ts';

/**
 * CVR850–899 — the runner and its cache. Codes are stable: never renumber or reuse one; retire by leaving it here
 * marked "(retired)".
 */
export const runCodes = {
} as const satisfies Record<string, CodeInfo>;
