import type { CodeInfo } from './types.ts';
import { syntaxCodes } from './syntax.ts';
import { resolveCodes } from './resolve.ts';
import { namesCodes } from './names.ts';
import { valuesCodes } from './values.ts';
import { dataCodes } from './data.ts';
import { auditCodes } from './audit.ts';
import { engineCodes } from './engine.ts';
import { trainCodes } from './train.ts';
import { runCodes } from './run.ts';
import { reportCodes } from './report.ts';

export type { CodeInfo } from './types.ts';

/**
 * The one table of diagnostic codes. Each range lives in its own file so that the stages
 * can add codes independently:
 * 1xx syntax · 2xx imports/extends · 3xx names and classes · 4xx values and splits ·
 * 5xx data scanning and labels · 6xx audit findings · 7xx engines and models · 800–849 preprocessing/train/evaluate · 850–899 runner and cache · 900–919 report and diff inputs.
 */
export const CODES = {
  ...syntaxCodes,
  ...resolveCodes,
  ...namesCodes,
  ...valuesCodes,
  ...dataCodes,
  ...auditCodes,
  ...engineCodes,
  ...trainCodes,
  ...runCodes,
  ...reportCodes,
} as const satisfies Record<string, CodeInfo>;

export type Code = keyof typeof CODES;
