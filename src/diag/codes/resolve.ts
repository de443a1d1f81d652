import type { CodeInfo } from './types.ts';

/**
 * CVR2xx — resolve. Codes are stable: never renumber or reuse one; retire by leaving it here
 * marked "(retired)".
 */
export const resolveCodes = {
} as const satisfies Record<string, CodeInfo>;
