/**
 * Everything the server's answers need from the front end, behind one module so the server can
 * load it after answering `initialize` (building the parser is most of the start-up time).
 */
export { hasErrors } from '../diag/index.ts';
export { formatCvr, importTarget, parseCvr } from '../dsl/index.ts';
export { checkEntry, diagnosticKey, fileOf, toLspDiagnostic } from './check.ts';
export { complete } from './completion.ts';
export { hoverText } from './hover.ts';
export { Names } from './names.ts';
export { Workspace } from './workspace.ts';
