/**
 * `cvr fmt FILE…` prints each file in canonical form; `--write` rewrites the files that are not
 * canonical; `--check` lists them and exits 1. A file with syntax errors is never rewritten:
 * its diagnostics are printed and the exit code is 1. `-` reads standard input and prints its
 * canonical form (format-on-save in any editor).
 */
import { writeFile } from 'node:fs/promises';
import { readCvrSource } from '../../dsl/index.ts';
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
    if (given === '-') {
      try {
        if (io.readStdin === undefined) throw new Error('no standard input');
        text = await io.readStdin();
      } catch {
        io.stderr('cvr fmt: cannot read standard input\n');
        failed = true;
        continue;
      }
    } else {
      // The same bounded reader as `check`: no FIFO, /proc, huge or binary file is read.
      const got = await readCvrSource(resolve(io.cwd, name));
      if (got === undefined || got.refused) {
        io.stderr(got === undefined ? `cvr fmt: cannot read "${name}"\n` : `error[${got.code}] cvr fmt: refused to read "${name}": ${got.detail}\nhint: ${got.hint}\n`);
        failed = true;
        continue;
      }
      text = got.text;
    }
    const { file, diagnostics, notCvrText } = parseCvr(name, text);
    if (hasErrors(diagnostics)) {
      io.stderr(renderDiagnostics(diagnostics, { files: notCvrText === true ? new Map() : new Map([[name, text]]), cwd: io.cwd, color: useColor(io) }));
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
