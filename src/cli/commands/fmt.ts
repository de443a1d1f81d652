/**
 * `cvr fmt FILE…` prints each file in canonical form; `--write` rewrites the files that are not
 * canonical; `--check` lists them and exits 1. A file with syntax errors is never rewritten:
 * its diagnostics are printed and the exit code is 1.
 */
import { writeFile } from 'node:fs/promises';
import { readCvrSource } from '../../dsl/read-source.ts';
import { resolve } from 'node:path';
import { hasErrors } from '../../diag/diagnostic.ts';
import { renderDiagnostics } from '../../diag/render.ts';
import { formatCvr } from '../../dsl/format.ts';
import { parseCvr } from '../../dsl/parse.ts';
import type { CliIo } from '../io.ts';
import { EXIT } from '../io.ts';

const USAGE = `usage: cvr fmt [--write | --check] FILE…

Prints each .cvr file in canonical form (one statement a line, two-space indent, a fixed order
of settings inside blocks, comments kept).

  --write   rewrite the files that are not in canonical form
  --check   print the files that are not in canonical form and exit 1 if there are any
`;

type Mode = 'print' | 'write' | 'check';

export async function run(argv: readonly string[], io: CliIo): Promise<number> {
  let mode: Mode = 'print';
  const files: string[] = [];
  for (const arg of argv) {
    if (arg === '--help' || arg === '-h') {
      io.stdout(USAGE);
      return EXIT.ok;
    }
    if (arg === '--write' || arg === '--check') {
      const wanted: Mode = arg === '--write' ? 'write' : 'check';
      if (mode !== 'print' && mode !== wanted) {
        io.stderr(`cvr fmt: --write and --check cannot be used together\n\n${USAGE}`);
        return EXIT.usage;
      }
      mode = wanted;
    } else if (arg.startsWith('-')) {
      io.stderr(`cvr fmt: unknown option "${arg}"\n\n${USAGE}`);
      return EXIT.usage;
    } else files.push(arg);
  }
  if (files.length === 0) {
    io.stderr(`cvr fmt: no files given\n\n${USAGE}`);
    return EXIT.usage;
  }

  let failed = false;
  const notCanonical: string[] = [];
  for (const name of files) {
    // The same bounded reader as `check`: no FIFO, /proc, huge or binary file is read.
    const got = await readCvrSource(resolve(io.cwd, name));
    if (got === undefined || got.refused) {
      io.stderr(got === undefined ? `cvr fmt: cannot read "${name}"\n` : `error[${got.code}] cvr fmt: refused to read "${name}": ${got.detail}\nhint: ${got.hint}\n`);
      failed = true;
      continue;
    }
    const text = got.text;
    const { file, diagnostics, notCvrText } = parseCvr(name, text);
    if (hasErrors(diagnostics)) {
      io.stderr(renderDiagnostics(diagnostics, { files: notCvrText === true ? new Map() : new Map([[name, text]]), cwd: io.cwd, color: io.isTty }));
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
