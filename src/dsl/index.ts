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
