/** How bad a diagnostic is; a leaf of its own so that the code table and the Diagnostic type both use it. */
export type Severity = 'error' | 'warning' | 'info';
