/**
 * What `cvr audit`, `cvr plan` and `cvr lock` share: loading the .cvr file and
 * picking pipelines, and printing front-end diagnostics.
 */
import { hasErrors, diagnosticsToJson, renderDiagnostics } from '../diag/index.ts';
import type { Diagnostic } from '../diag/index.ts';
import { loadPipelines } from '../dsl/index.ts';
import type { ResolvedPipeline } from '../dsl/index.ts';
import type { CliIo } from './io.ts';
import { EXIT, useColor } from './io.ts';

export interface Loaded {
  readonly pipelines: ResolvedPipeline[];
  readonly files: ReadonlyMap<string, string>;
}

/**
 * Loads FILE and selects `--pipeline NAME` (or every pipeline the file declares). Prints the
 * front end's diagnostics; returns an exit code when the command cannot go on.
 */
export async function loadSelected(command: string, file: string, pipelineName: string | undefined, io: CliIo, json: boolean): Promise<Loaded | number> {
  const result = await loadPipelines([file], { cwd: io.cwd });
  const options = { files: result.files, cwd: io.cwd, color: useColor(io) && !json };
  if (hasErrors(result.diagnostics)) {
    if (json) io.stdout(`${JSON.stringify(diagnosticsToJson(result.diagnostics, options), null, 2)}\n`);
    else io.stderr(renderDiagnostics(result.diagnostics, options));
    return EXIT.failed;
  }
  let pipelines = result.pipelines;
  if (pipelineName !== undefined) {
    pipelines = pipelines.filter((p) => p.name === pipelineName);
    if (pipelines.length === 0) {
      const names = result.pipelines.map((p) => p.name).join(', ') || '(none)';
      io.stderr(`cvr ${command}: no pipeline "${pipelineName}" in ${file}; it declares ${names}\n`);
      return EXIT.usage;
    }
  }
  if (pipelines.length === 0) {
    io.stderr(`cvr ${command}: ${file} declares no pipeline\n`);
    return EXIT.failed;
  }
  return { pipelines, files: result.files };
}

export function renderFor(diagnostics: readonly Diagnostic[], loaded: Loaded, io: CliIo, json: boolean) {
  const options = { files: loaded.files, cwd: io.cwd, color: useColor(io) && !json };
  return {
    human: (): string => renderDiagnostics(diagnostics, options),
    json: () => diagnosticsToJson(diagnostics, options).diagnostics,
  };
}
