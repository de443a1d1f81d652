/** `cvr report RUN_DIR` — (re)write report.md, report.html and plots/ from a run folder. */
import { resolve } from 'node:path';
import { writeReport } from '../../report/index.ts';
import type { CliIo } from '../io.ts';
import { EXIT } from '../io.ts';

const USAGE = `usage: cvr report RUN_DIR…

Writes report.md (with plots/*.png) and a self-contained report.html into each run folder, from
its metrics.json, audit.json, predictions.csv, events.ndjson and gradcam/ images.
`;

export async function run(argv: readonly string[], io: CliIo): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) {
    io.stdout(USAGE);
    return EXIT.ok;
  }
  const unknown = argv.find((a) => a.startsWith('-') && a !== '-');
  if (unknown !== undefined) {
    io.stderr(`cvr report: unknown option "${unknown}"\n\n${USAGE}`);
    return EXIT.usage;
  }
  if (argv.length === 0) {
    io.stderr(`cvr report: no run folder given\n\n${USAGE}`);
    return EXIT.usage;
  }
  let failed = false;
  for (const dir of argv) {
    const runDir = resolve(io.cwd, dir);
    const result = await writeReport(runDir);
    if (!result.ok) {
      io.stderr(`cvr report: ${result.message}\n`);
      failed = true;
      continue;
    }
    const plots = result.files.filter((f) => f.startsWith('plots/')).length;
    io.stdout(`${dir}: wrote report.md, report.html and ${plots} plot${plots === 1 ? '' : 's'}\n`);
  }
  return failed ? EXIT.failed : EXIT.ok;
}
