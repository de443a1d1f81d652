import type { CodeInfo } from './types.ts';

/**
 * CVR5xx — data. Codes are stable: never renumber or reuse one; retire by leaving it here
 * marked "(retired)".
 */
export const dataCodes = {
} as const satisfies Record<string, CodeInfo>;
