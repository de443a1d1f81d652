/** The language front end's public face. */
import { parseCvr } from './parse.ts';
import type { LoadOptions, LoadResult } from './load-pipelines.ts';
import { loadPipelinesWith } from './load-pipelines.ts';

export { parseCvr } from './parse.ts';
export type { ParseResult } from './parse.ts';
export { formatCvr } from './format.ts';
export type { LoadOptions, LoadResult } from './load-pipelines.ts';
export { sortDiagnostics } from './load-pipelines.ts';
export type * from './resolved.ts';
export type * from './ast.ts';

/** Reads, parses, resolves and checks the files; resolved pipelines of the given files only. */
export function loadPipelines(paths: readonly string[], opts: LoadOptions = {}): Promise<LoadResult> {
  return loadPipelinesWith(paths, parseCvr, opts);
}

// For editors (src/lsp): tokens with their kinds, the words of the language and of each block,
// the closed sets of names, the built-in taxonomy, the class algebra, and what a file sees.
export { lexCvr, KEYWORD_WORDS } from './editor-support.ts';
export type { LexedToken, LexedKind } from './editor-support.ts';
export { RULE_WORDS } from './parse-messages.ts';
export * as vocabulary from './vocabulary.ts';
export { builtinClasses, BUILTIN_CLASSES } from './builtin.ts';
export { classModel } from './class-model.ts';
export type { ClassModel } from './class-model.ts';
export { visibleFiles } from './scope.ts';
export { importTarget } from './load.ts';
export type { ResolvedPipeline } from './resolved.ts';
export type { ClassTable } from './resolved.ts';
export type { ResolvedSource } from './resolved.ts';
export { mustCompileLinear } from './linear-regex.ts';
export type { LinearRegex } from './linear-regex.ts';
export type { ResolvedLocation } from './resolved.ts';
export type { ResolvedWhere } from './resolved.ts';
export { fillTemplate } from './image-template.ts';
export { isTemplate } from './image-template.ts';
export { parseTemplate } from './image-template.ts';
export { templateColumns } from './image-template.ts';
export type { ImageTemplate } from './image-template.ts';
export type { ResolvedTrain } from './resolved.ts';
export { makeDiagnostic } from './report.ts';
export { readCvrSource } from './read-source.ts';
export { checkSlurmOptions, durationMinutes, DEFAULT_RETRIES, SLURM_OPTION_KEYS, type SlurmOptions } from './slurm-options.ts';
