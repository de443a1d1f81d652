/** `cvr check FILE…` — parse, resolve and check; reads no data. */
import { hasErrors, diagnosticsToJson, renderDiagnostics } from '../../diag/index.ts';
import { loadPipelines } from '../../dsl/index.ts';
import type { CliIo } from '../io.ts';
import { EXIT, settleArguments } from '../io.ts';

const USAGE = `usage: cvr check [--format human|json] FILE…

Parses the .cvr files, resolves imports and extends, and runs the semantic checks.
No data is read. Exit code 0 when there are no errors (warnings allowed), 1 when there are.
`;

interface CheckArgs {
  readonly files: string[];
  readonly format: 'human' | 'json';
}

function parseArgs(argv: readonly string[]): CheckArgs | { error: string } | 'help' {
  const files: string[] = [];
  let format: 'human' | 'json' = 'human';
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    if (arg === '--help' || arg === '-h') return 'help';
    if (arg === '--format' || arg.startsWith('--format=')) {
      const value = arg === '--format' ? argv[++i] : arg.slice('--format='.length);
      if (value !== 'human' && value !== 'json') return { error: `--format takes "human" or "json", not ${value === undefined ? 'nothing' : `"${value}"`}` };
      format = value;
    } else if (arg === '--') {
      files.push(...argv.slice(i + 1));
      break;
    } else if (arg.startsWith('-') && arg !== '-') return { error: `unknown option "${arg}"` };
    else files.push(arg);
  }
  if (files.length === 0) return { error: 'no files given' };
  return { files, format };
}

export async function run(argv: readonly string[], io: CliIo): Promise<number> {
  const args = settleArguments('check', USAGE, parseArgs(argv), io);
  if (typeof args === 'number') return args;
  const result = await loadPipelines(args.files, { cwd: io.cwd });
  const options = { files: result.files, cwd: io.cwd, color: io.isTty && args.format === 'human' };
  if (args.format === 'json') {
    io.stdout(`${JSON.stringify(diagnosticsToJson(result.diagnostics, options), null, 2)}\n`);
  } else if (result.diagnostics.length > 0) {
    io.stdout(renderDiagnostics(result.diagnostics, options));
  } else {
    const n = result.pipelines.length;
    io.stdout(`${args.files.length} file${args.files.length === 1 ? '' : 's'} checked, ${n} pipeline${n === 1 ? '' : 's'}: no problems\n`);
  }
  return hasErrors(result.diagnostics) ? EXIT.failed : EXIT.ok;
}
