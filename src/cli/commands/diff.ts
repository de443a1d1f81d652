/** `cvr diff A B` — semantic diff of two .cvr files, two lock files or two run folders. */
import { resolve } from 'node:path';
import { renderDiagnostics } from '../../diag/index.ts';
import { diffPaths, renderChanges, renderRunDiff } from '../../report/index.ts';
import type { CliIo } from '../io.ts';
import { EXIT } from '../io.ts';
import { settleCommandLine, usageError } from '../args.ts';
import { DIFF } from '../specs.ts';

export async function run(argv: readonly string[], io: CliIo): Promise<number> {
  const parsed = settleCommandLine(DIFF, argv, io);
  if (typeof parsed === 'number') return parsed;
  let pair: { a: string; b: string } | undefined;
  if (parsed.values.pipeline !== undefined) {
    const m = /^([^:]+):([^:]+)$/.exec(parsed.values.pipeline) ?? /^([^:]+)$/.exec(parsed.values.pipeline);
    if (m === null) return usageError(DIFF, `--pipeline takes A:B (or one name for both), not "${parsed.values.pipeline}"`, io);
    pair = { a: m[1]!, b: m[2] ?? m[1]! };
  }
  const args = { a: parsed.positional[0]!, b: parsed.positional[1]!, format: parsed.values.format ?? 'text', ...(pair !== undefined && { pair }) };
  const outcome = await diffPaths(resolve(io.cwd, args.a), resolve(io.cwd, args.b), { cwd: io.cwd, ...(args.pair !== undefined && { pair: args.pair }) });
  if (!outcome.ok) {
    io.stderr(renderDiagnostics(outcome.diagnostics, { files: outcome.files, cwd: io.cwd, color: false }));
    return outcome.usage === true ? EXIT.usage : EXIT.failed;
  }
  if (args.format === 'json') io.stdout(`${JSON.stringify({ kind: outcome.kind, changes: outcome.changes }, null, 2)}\n`);
  else if (outcome.kind === 'run') io.stdout(renderRunDiff(outcome.changes, args.format === 'md' ? 'md' : 'text'));
  else io.stdout(args.format === 'md' ? renderChanges(outcome.changes).split('\n').filter((l) => l !== '').map((l) => `- ${l}`).join('\n') + '\n' : renderChanges(outcome.changes));
  return EXIT.ok;
}
