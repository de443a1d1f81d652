/** `cvr diff A B` — semantic diff of two .cvr files, two lock files or two run folders. */
import { resolve } from 'node:path';
import { renderDiagnostics } from '../../diag/index.ts';
import { diffPaths, renderChanges } from '../../report/index.ts';
import type { CliIo } from '../io.ts';
import { EXIT, settleArguments } from '../io.ts';

const USAGE = `usage: cvr diff [--format human|json] [--pipeline A:B] A B

A and B are two .cvr files (the semantic changes of the resolved pipelines), two lock files
(images added/removed per source, changed split assignment) or two run folders (metric deltas,
each marked whether it exceeds the fold std or the bootstrap interval).
--pipeline A:B compares pipeline A of the first file with pipeline B of the second; without it,
pipelines are paired by name (or the only pipeline of each file is compared).
Exit code 0 whether or not there are changes; 1 when an input has errors.
`;

interface DiffArgs {
  readonly a: string;
  readonly b: string;
  readonly format: 'human' | 'json';
  readonly pair?: { a: string; b: string };
}

function parseArgs(argv: readonly string[]): DiffArgs | { error: string } | 'help' {
  const paths: string[] = [];
  let format: 'human' | 'json' = 'human';
  let pair: { a: string; b: string } | undefined;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    if (arg === '--help' || arg === '-h') return 'help';
    if (arg === '--format' || arg.startsWith('--format=')) {
      const value = arg === '--format' ? argv[++i] : arg.slice('--format='.length);
      if (value !== 'human' && value !== 'json') return { error: `--format takes "human" or "json", not ${value === undefined ? 'nothing' : `"${value}"`}` };
      format = value;
    } else if (arg === '--pipeline' || arg.startsWith('--pipeline=')) {
      const value = arg === '--pipeline' ? argv[++i] : arg.slice('--pipeline='.length);
      const m = /^([^:]+):([^:]+)$/.exec(value ?? '') ?? /^([^:]+)$/.exec(value ?? '');
      if (m === null) return { error: `--pipeline takes A:B (or one name for both), not ${value === undefined ? 'nothing' : `"${value}"`}` };
      pair = { a: m[1]!, b: m[2] ?? m[1]! };
    } else if (arg.startsWith('-') && arg !== '-') return { error: `unknown option "${arg}"` };
    else paths.push(arg);
  }
  if (paths.length !== 2) return { error: `expected two paths, got ${paths.length}` };
  return { a: paths[0]!, b: paths[1]!, format, ...(pair !== undefined && { pair }) };
}

export async function run(argv: readonly string[], io: CliIo): Promise<number> {
  const args = settleArguments('diff', USAGE, parseArgs(argv), io);
  if (typeof args === 'number') return args;
  const outcome = await diffPaths(resolve(io.cwd, args.a), resolve(io.cwd, args.b), { cwd: io.cwd, ...(args.pair !== undefined && { pair: args.pair }) });
  if (!outcome.ok) {
    if (outcome.diagnostics.length > 0) io.stderr(renderDiagnostics(outcome.diagnostics, { files: outcome.files, cwd: io.cwd, color: false }));
    if (outcome.message !== undefined) io.stderr(`cvr diff: ${outcome.message}\n`);
    return outcome.usage === true ? EXIT.usage : EXIT.failed;
  }
  io.stdout(args.format === 'json' ? `${JSON.stringify({ kind: outcome.kind, changes: outcome.changes }, null, 2)}\n` : renderChanges(outcome.changes));
  return EXIT.ok;
}
