import type { CliIo } from '../io.ts';
import { EXIT } from '../io.ts';
import { DEFAULT_MODEL_OPTIONS, MODEL_NAMES, MODELS, buildModel, type ModelOptions } from '../../models/index.ts';
import { formatDiagnostic } from './flags.ts';
import { settleCommandLine } from '../args.ts';
import { MODELS as MODELS_SPEC } from '../specs.ts';

/** `cvr models`: builds each model once (zero-initialised, no random draws) to count its parameters. */
export async function run(argv: readonly string[], io: CliIo): Promise<number> {
  const args = settleCommandLine(MODELS_SPEC, argv, io);
  if (typeof args === 'number') return args;
  const { format: chosen, ...numbers } = args.values;
  const format = chosen ?? 'text';
  const options: ModelOptions = { ...DEFAULT_MODEL_OPTIONS, ...numbers, init: 'zeros' };

  const rows: { name: string; params: number | null; input: number[]; description: string; minSize: number }[] = [];
  let failed = false;
  for (const name of MODEL_NAMES) {
    const built = buildModel(name, options);
    const input = [options.size, options.size, options.channels];
    if (!built.ok) {
      // A size below one model's minimum should not hide the others' counts.
      for (const d of built.diagnostics) io.stderr(formatDiagnostic(d));
      failed = true;
      rows.push({ name, params: null, input, description: MODELS[name].description, minSize: MODELS[name].minSize });
      continue;
    }
    rows.push({ name, params: built.model.countParams(), input, description: MODELS[name].description, minSize: MODELS[name].minSize });
    built.model.dispose();
  }

  if (format === 'json') {
    io.stdout(`${JSON.stringify({ models: rows, classes: options.classes, width: options.width }, null, 2)}\n`);
  } else {
    const width = Math.max(...rows.map((r) => r.name.length));
    const counts = rows.map((r) => (r.params === null ? '—' : r.params.toLocaleString('en-US')));
    const cw = Math.max(...counts.map((c) => c.length));
    const lines = rows.map((r, i) => `${r.name.padEnd(width)}  ${(counts[i] ?? '').padStart(cw)}  ${r.description}`);
    io.stdout(`parameters at ${options.size} × ${options.size} × ${options.channels}, ${options.classes} classes, width ${options.width}:\n${lines.join('\n')}\n`);
  }
  return failed ? EXIT.failed : EXIT.ok;
}
