/** The front end end to end: files in, resolved pipelines and diagnostics out. */
import { readCvrSource } from './read-source.ts';
import type { Diagnostic } from '../diag/index.ts';
import { hasErrors } from '../diag/index.ts';
import type { ParseFn, ReadFn } from './load.ts';
import { loadFiles } from './load.ts';
import type { ResolvedPipeline } from './resolved.ts';
import { resolvePipelines } from './resolve.ts';

export interface LoadOptions {
  /** Relative paths are taken from here; default the process's current folder. */
  readonly cwd?: string;
  /** Default: read from disk as UTF-8. */
  readonly readFile?: ReadFn;
}

export interface LoadResult {
  readonly pipelines: ResolvedPipeline[];
  readonly diagnostics: Diagnostic[];
  /** Path → text of every file read, for rendering diagnostics. */
  readonly files: Map<string, string>;
}

/** Plain, bounded text files only (read-source.ts): FIFOs, /proc, huge or binary files are refused. */
export const readFromDisk: ReadFn = async (file) => {
  const got = await readCvrSource(file);
  return got === undefined ? undefined : got.refused ? got : got.text;
};

/** Diagnostics in reading order: by file, then position; those without a position first. */
export function sortDiagnostics(diagnostics: readonly Diagnostic[]): Diagnostic[] {
  return diagnostics
    .map((d, i) => ({ d, i }))
    .sort((a, b) => {
      const fa = a.d.span?.file ?? a.d.file ?? '';
      const fb = b.d.span?.file ?? b.d.file ?? '';
      if (fa !== fb) return fa < fb ? -1 : 1;
      const sa = a.d.span?.start ?? -1;
      const sb = b.d.span?.start ?? -1;
      return sa !== sb ? sa - sb : a.i - b.i;
    })
    .map((x) => x.d);
}

export async function loadPipelinesWith(paths: readonly string[], parse: ParseFn, opts: LoadOptions = {}): Promise<LoadResult> {
  const loaded = await loadFiles(paths, opts.cwd ?? process.cwd(), opts.readFile ?? readFromDisk, parse);
  if (hasErrors(loaded.diagnostics)) return { pipelines: [], diagnostics: sortDiagnostics(loaded.diagnostics), files: loaded.texts };
  const resolved = resolvePipelines({ entries: loaded.entries, files: loaded.files, imports: loaded.imports });
  return { pipelines: resolved.pipelines, diagnostics: sortDiagnostics([...loaded.diagnostics, ...resolved.diagnostics]), files: loaded.texts };
}
