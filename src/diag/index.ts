export type { Span } from './span.ts';
export type { Diagnostic, Severity, RelatedLocation } from './diagnostic.ts';
export { hasErrors } from './diagnostic.ts';
export { CODES } from './codes/index.ts';
export type { Code, CodeInfo } from './codes/index.ts';
export { packageRoot, cvrVersion, runsCompiled } from './package-info.ts';
