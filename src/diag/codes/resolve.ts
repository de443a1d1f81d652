import type { CodeInfo } from './types.ts';

/**
 * CVR2xx — resolve. Codes are stable: never renumber or reuse one; retire by leaving it here
 * marked "(retired)".
 */
export const resolveCodes = {
  CVR201: { severity: 'error', summary: 'A file named on the command line or in an `import` cannot be read.' },
  CVR202: { severity: 'error', summary: 'Files import each other in a cycle; the message names the cycle.' },
  CVR203: { severity: 'error', summary: 'Pipelines extend each other in a cycle; the message names the cycle.' },
  CVR204: { severity: 'error', summary: '`source X { drop }` removes a source that the pipeline does not inherit.' },
  CVR205: { severity: 'error', summary: 'A top-level `source` must define a location (`folder` or `manifest`); references and drops belong inside a pipeline.' },
  CVR206: { severity: 'warning', summary: 'The same file is imported twice by one file.' },
  CVR207: { severity: 'error', summary: 'A file imports itself.' },
} as const satisfies Record<string, CodeInfo>;
