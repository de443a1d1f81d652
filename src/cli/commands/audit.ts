/** `cvr audit FILE` — scan sources, map labels, assign splits, run the static bias audit. */
import { resolve } from 'node:path';
import { hasErrors } from '../../diag/index.ts';
import type { Diagnostic } from '../../diag/index.ts';
import { auditDocument, auditPipeline, compareLocks, defaultLockPath, pipelineLock, readLockFile, formatAudit } from '../../plan/index.ts';
import type { PipelineAudit } from '../../plan/index.ts';
import { diagnostic } from '../../diag/index.ts';
import type { CliIo } from '../io.ts';
import { EXIT } from '../io.ts';
import { loadSelected, parseOptions, parseSeed, renderFor } from '../pipeline-command.ts';

const USAGE = `usage: cvr audit FILE [--pipeline NAME] [--metadata-only] [--seed N] [--format human|json]
                      [--frozen [--lock LOCKFILE]]

Scans each pipeline's sources, maps labels, assigns the split and audits the design: counts per
source × class × partition, the source-only baseline, Cramér's V, independence of the test set,
duplicates, imbalance. Without --metadata-only every image is read and hashed (sha256).
--frozen fails when the data no longer matches the lock file (default FILE with .lock.json).
Exit code 0 when there are no errors (warnings allowed), 1 when there are.
`;

export async function run(argv: readonly string[], io: CliIo): Promise<number> {
  const args = parseOptions(argv, { values: ['pipeline', 'seed', 'format', 'lock'], flags: ['metadata-only', 'frozen'] });
  if (args === 'help') {
    io.stdout(USAGE);
    return EXIT.ok;
  }
  const usage = (message: string): number => {
    io.stderr(`cvr audit: ${message}\n\n${USAGE}`);
    return EXIT.usage;
  };
  if ('error' in args) return usage(args.error);
  if (args.positional.length !== 1) return usage(args.positional.length === 0 ? 'no file given' : 'give one .cvr file');
  const format = args.values.get('format') ?? 'human';
  if (format !== 'human' && format !== 'json') return usage(`--format takes "human" or "json", not "${format}"`);
  const seed = parseSeed(args.values.get('seed'));
  if (typeof seed === 'object') return usage(seed.error);
  const file = args.positional[0]!;
  const json = format === 'json';
  const loaded = await loadSelected('audit', file, args.values.get('pipeline'), io, json);
  if (typeof loaded === 'number') return loaded;
  const metadataOnly = args.flags.has('metadata-only');

  let locked: Awaited<ReturnType<typeof readLockFile>> | undefined;
  const lockPath = resolve(io.cwd, args.values.get('lock') ?? defaultLockPath(file));
  if (args.flags.has('frozen')) locked = await readLockFile(lockPath);

  const results: { audit: PipelineAudit; diagnostics: Diagnostic[] }[] = [];
  for (const pipeline of loaded.pipelines) {
    const audit = await auditPipeline(pipeline, { metadataOnly, seed });
    const diagnostics = [...audit.diagnostics];
    if (locked !== undefined) {
      if ('diagnostic' in locked) diagnostics.push(locked.diagnostic);
      else {
        const before = locked.lock.pipelines[pipeline.name];
        const now = pipelineLock(audit);
        if (before === undefined) {
          diagnostics.push(diagnostic('CVR651', `the lock file ${lockPath} has no pipeline "${pipeline.name}"`, { file: lockPath, hint: 'rewrite it with `cvr lock FILE`' }));
        } else if (now !== undefined) diagnostics.push(...compareLocks(pipeline.name, before, now, lockPath));
      }
    }
    results.push({ audit, diagnostics });
  }

  const failed = results.some((r) => hasErrors(r.diagnostics));
  if (json) {
    const documents = results.map(({ audit, diagnostics }) => auditDocument(audit, renderFor(diagnostics, loaded, io, true).json(), metadataOnly));
    io.stdout(`${JSON.stringify(documents.length === 1 ? documents[0] : { pipelines: documents }, null, 2)}\n`);
  } else {
    const parts = results.map(({ audit, diagnostics }) => {
      const report = audit.report;
      const head = report === undefined ? `pipeline ${audit.pipeline.name}: the audit could not run\n` : formatAudit(report, audit.pipeline.sources.map((s) => s.name), audit.pipeline.task.classes, audit.labels?.mapping);
      const shown = diagnostics.filter((d) => d.code !== 'CVR600');
      return `${head}\n${renderFor(shown, loaded, io, false).human()}`;
    });
    io.stdout(parts.join('\n'));
  }
  return failed ? EXIT.failed : EXIT.ok;
}
