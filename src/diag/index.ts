export type { Span } from './span.ts';
export type { Diagnostic, Severity, RelatedLocation } from './diagnostic.ts';
export { hasErrors, diagnostic, firstFew } from './diagnostic.ts';
export { CODES } from './codes/index.ts';
export type { Code, CodeInfo } from './codes/index.ts';
export { diagnosticsToJson } from './render.ts';
export { renderDiagnostic } from './render.ts';
export { renderDiagnostics } from './render.ts';
