/** `cvr report RUN_DIR` — (re)write report.md, report.html and plots/ from a run folder. */
import { resolve } from 'node:path';
import { renderDiagnostics } from '../../diag/index.ts';
import { writeReport } from '../../report/index.ts';
import type { CliIo } from '../io.ts';
import { EXIT } from '../io.ts';
import { settleCommandLine } from '../args.ts';
import { REPORT } from '../specs.ts';

export async function run(argv: readonly string[], io: CliIo): Promise<number> {
  const args = settleCommandLine(REPORT, argv, io);
  if (typeof args === 'number') return args;
  let failed = false;
  for (const dir of args.positional) {
    const runDir = resolve(io.cwd, dir);
    const result = await writeReport(runDir);
    if (!result.ok) {
      io.stderr(renderDiagnostics([result.diagnostic], { files: new Map(), cwd: io.cwd, color: false }));
      failed = true;
      continue;
    }
    const plots = result.files.filter((f) => f.startsWith('plots/')).length;
    io.stdout(`${dir}: wrote report.md, report.html and ${plots} plot${plots === 1 ? '' : 's'}\n`);
  }
  return failed ? EXIT.failed : EXIT.ok;
}
