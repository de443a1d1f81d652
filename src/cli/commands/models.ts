import type { CliIo } from '../io.ts';
import { EXIT } from '../io.ts';
import { DEFAULT_MODEL_OPTIONS, MODEL_NAMES, MODELS, buildModel, type ModelOptions } from '../../models/index.ts';
import { formatDiagnostic, parseFlags } from './flags.ts';

const HELP = `usage: cvr models [--format text|json] [--size S] [--classes K] [--width W] [--channels C]

Lists the model registry with each model's parameter count, by default at 224 × 224 × 3,
2 classes, width 1 (the reference architectures). --width 0.125 shows a small CPU model.
`;

/** `cvr models`: builds each model once (zero-initialised, no random draws) to count its parameters. */
export async function run(argv: readonly string[], io: CliIo): Promise<number> {
  const flags = parseFlags(argv, { format: 'value', size: 'value', classes: 'value', width: 'value', channels: 'value', help: 'bool' });
  if (!flags.ok) {
    io.stderr(`cvr models: ${flags.error}\n\n${HELP}`);
    return EXIT.usage;
  }
  const v = flags.values;
  if (v.help !== undefined) {
    io.stdout(HELP);
    return EXIT.ok;
  }
  const format = v.format ?? 'text';
  if (format !== 'text' && format !== 'json') {
    io.stderr(`cvr models: --format must be text or json, not "${format}"\n`);
    return EXIT.usage;
  }
  const numbers: Record<string, number> = {};
  for (const key of ['size', 'classes', 'width', 'channels'] as const) {
    const text = v[key];
    if (text === undefined) continue;
    const n = Number(text);
    if (!Number.isFinite(n)) {
      io.stderr(`cvr models: --${key} needs a number, not "${text}"\n`);
      return EXIT.usage;
    }
    numbers[key] = n;
  }
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
