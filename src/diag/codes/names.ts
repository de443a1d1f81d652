import type { CodeInfo } from './types.ts';

/**
 * CVR3xx — names. Codes are stable: never renumber or reuse one; retire by leaving it here
 * marked "(retired)".
 */
export const namesCodes = {
} as const satisfies Record<string, CodeInfo>;
