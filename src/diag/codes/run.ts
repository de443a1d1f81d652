import type { CodeInfo } from './types.ts';

/**
 * CVR8xx — run. Codes are stable: never renumber or reuse one; retire by leaving it here
 * marked "(retired)".
 */
export const runCodes = {
} as const satisfies Record<string, CodeInfo>;
