/**
 * `cvr fmt FILE…` prints each file in canonical form; `--write` rewrites the files that are not
 * canonical; `--check` lists them and exits 1. A file with syntax errors is never rewritten:
 * its diagnostics are printed and the exit code is 1. `-` reads standard input and prints its
 * canonical form (format-on-save in any editor).
 */
import { readFile, writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { hasErrors, renderDiagnostics } from '../../diag/index.ts';
import { formatCvr, parseCvr } from '../../dsl/index.ts';
import type { CliIo } from '../io.ts';
import { EXIT, useColor } from '../io.ts';
import { settleCommandLine, usageError } from '../args.ts';
import { FMT } from '../specs.ts';

type Mode = 'print' | 'write' | 'check';

/** The name standard input's diagnostics carry. */
const STDIN_NAME = '<stdin>';

export async function run(argv: readonly string[], io: CliIo): Promise<number> {
  const args = settleCommandLine(FMT, argv, io);
  if (typeof args === 'number') return args;
  if (args.values.write === true && args.values.check === true) return usageError(FMT, '--write and --check cannot be used together', io);
  const mode: Mode = args.values.write === true ? 'write' : args.values.check === true ? 'check' : 'print';
  const files = args.positional;

  if (files.includes('-') && (mode === 'write' || files.length > 1)) {
    return usageError(FMT, '`-` (standard input) stands alone and cannot be rewritten; use `cvr fmt -` or `cvr fmt --check -`', io);
  }

  let failed = false;
  const notCanonical: string[] = [];
  for (const given of files) {
    const name = given === '-' ? STDIN_NAME : given;
    let text: string;
    try {
      if (given !== '-') text = await readFile(resolve(io.cwd, name), 'utf8');
      else if (io.readStdin !== undefined) text = await io.readStdin();
      else throw new Error('no standard input');
    } catch {
      io.stderr(`cvr fmt: cannot read ${given === '-' ? 'standard input' : `"${name}"`}\n`);
      failed = true;
      continue;
    }
    const { file, diagnostics } = parseCvr(name, text);
    if (hasErrors(diagnostics)) {
      io.stderr(renderDiagnostics(diagnostics, { files: new Map([[name, text]]), cwd: io.cwd, color: useColor(io) }));
      failed = true;
      continue;
    }
    const formatted = formatCvr(file);
    if (mode === 'print') io.stdout(formatted);
    else if (formatted !== text) {
      notCanonical.push(name);
      if (mode === 'write') {
        await writeFile(resolve(io.cwd, name), formatted, 'utf8');
        io.stdout(`formatted ${name}\n`);
      }
    }
  }
  if (mode === 'check') {
    for (const name of notCanonical) io.stdout(`${name}\n`);
    if (notCanonical.length > 0) {
      io.stderr(`cvr fmt: ${notCanonical.length} file${notCanonical.length === 1 ? ' is' : 's are'} not in canonical form; run \`cvr fmt --write\`\n`);
      return EXIT.failed;
    }
  }
  return failed ? EXIT.failed : EXIT.ok;
}
