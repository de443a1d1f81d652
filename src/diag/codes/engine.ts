import type { CodeInfo } from './types.ts';

/**
 * CVR7xx — engine. Codes are stable: never renumber or reuse one; retire by leaving it here
 * marked "(retired)".
 */
export const engineCodes = {
} as const satisfies Record<string, CodeInfo>;
