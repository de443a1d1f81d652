import type { CodeInfo } from './types.ts';

/**
 * CVR900–919 — reading what `cvr report` and `cvr diff` are pointed at. Codes are stable: never renumber or
 * reuse one; retire by leaving it here marked "(retired)".
 */
export const reportCodes = {
  CVR901: { severity: 'error', summary: 'The folder is not a finished run folder: it has no metrics.json (`cvr run` writes it when the run ends).' },
  CVR902: { severity: 'error', summary: 'metrics.json is not a cvr metrics file: not JSON, or without "classes" and "models".' },
  CVR903: { severity: 'error', summary: 'A model in metrics.json has no folds or summary: the run did not finish (rerun it; it resumes from the cache).' },
  CVR904: { severity: 'error', summary: '`cvr diff`: there is no file or folder at the path given.' },
  CVR905: { severity: 'error', summary: '`cvr diff`: the path is neither a .cvr file, a lock file (.json) nor a run folder.' },
  CVR906: { severity: 'error', summary: '`cvr diff`: the two paths are of different kinds (a run folder against a .cvr file, …).' },
  CVR907: { severity: 'error', summary: '`cvr diff --pipeline A:B`: one of the files has no pipeline of that name.' },
} as const satisfies Record<string, CodeInfo>;
