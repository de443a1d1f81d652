import type { CodeInfo } from './types.ts';

/**
 * CVR1xx — syntax. Codes are stable: never renumber or reuse one; retire by leaving it here
 * marked "(retired)".
 */
export const syntaxCodes = {
} as const satisfies Record<string, CodeInfo>;
