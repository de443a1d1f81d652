import type { CodeInfo } from './types.ts';

/**
 * CVR6xx — audit. Codes are stable: never renumber or reuse one; retire by leaving it here
 * marked "(retired)".
 */
export const auditCodes = {
} as const satisfies Record<string, CodeInfo>;
