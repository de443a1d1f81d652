/** `cvr check FILE…` — parse, resolve and check; reads no data. */
import { hasErrors, diagnosticsToJson, renderDiagnostics } from '../../diag/index.ts';
import { loadPipelines } from '../../dsl/index.ts';
import type { CliIo } from '../io.ts';
import { EXIT, useColor } from '../io.ts';
import { settleCommandLine } from '../args.ts';
import { CHECK } from '../specs.ts';

export async function run(argv: readonly string[], io: CliIo): Promise<number> {
  const args = settleCommandLine(CHECK, argv, io);
  if (typeof args === 'number') return args;
  const files = args.positional;
  const json = args.values.format === 'json';
  const result = await loadPipelines(files, { cwd: io.cwd });
  const options = { files: result.files, cwd: io.cwd, color: useColor(io) && !json };
  if (json) {
    io.stdout(`${JSON.stringify(diagnosticsToJson(result.diagnostics, options), null, 2)}\n`);
  } else if (result.diagnostics.length > 0) {
    io.stdout(renderDiagnostics(result.diagnostics, options));
  } else {
    const n = result.pipelines.length;
    io.stdout(`${files.length} file${files.length === 1 ? '' : 's'} checked, ${n} pipeline${n === 1 ? '' : 's'}: no problems\n`);
  }
  return hasErrors(result.diagnostics) ? EXIT.failed : EXIT.ok;
}
