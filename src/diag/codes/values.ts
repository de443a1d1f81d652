import type { CodeInfo } from './types.ts';

/**
 * CVR4xx — values. Codes are stable: never renumber or reuse one; retire by leaving it here
 * marked "(retired)".
 */
export const valuesCodes = {
} as const satisfies Record<string, CodeInfo>;
