/** `cvr audit FILE` — scan sources, map labels, assign splits, run the static bias audit. */
import { ledgerText } from '../../data/index.ts';
import { resolve } from 'node:path';
import { hasErrors } from '../../diag/index.ts';
import type { Diagnostic } from '../../diag/index.ts';
import { auditDocument, auditPipeline, compareLocks, defaultLockPath, pipelineLock, readLockFile, formatAudit } from '../../plan/index.ts';
import type { PipelineAudit } from '../../plan/index.ts';
import { diagnostic } from '../../diag/index.ts';
import type { CliIo } from '../io.ts';
import { EXIT } from '../io.ts';
import { settleCommandLine } from '../args.ts';
import { AUDIT } from '../specs.ts';
import { loadSelected, renderFor } from '../pipeline-command.ts';
import { projectBase } from '../project.ts';
import { resolveCacheDir } from '../../run/index.ts';

export async function run(argv: readonly string[], io: CliIo): Promise<number> {
  const args = settleCommandLine(AUDIT, argv, io);
  if (typeof args === 'number') return args;
  const seed = args.values.seed;
  const file = args.positional[0]!;
  const json = args.values.format === 'json';
  const loaded = await loadSelected('audit', file, args.values.pipeline, io, json);
  if (typeof loaded === 'number') return loaded;
  const metadataOnly = args.values['metadata-only'] === true;

  let locked: Awaited<ReturnType<typeof readLockFile>> | undefined;
  const lockPath = resolve(io.cwd, args.values.lock ?? defaultLockPath(file));
  if (args.values.frozen === true) locked = await readLockFile(lockPath);

  const results: { audit: PipelineAudit; diagnostics: Diagnostic[] }[] = [];
  for (const pipeline of loaded.pipelines) {
    const cacheDir = metadataOnly ? undefined : resolveCacheDir(io.cwd, args.values.cache, io.env, projectBase(io.cwd));
    const audit = await auditPipeline(pipeline, { metadataOnly, seed, cacheDir });
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
      const ledger = audit.ledger === undefined || audit.ledger.length === 0 ? '' : `${ledgerText(audit.ledger).join('\n')}\n`;
      return `${head}\n${ledger}${ledger === '' ? '' : '\n'}${renderFor(shown, loaded, io, false).human()}`;
    });
    io.stdout(parts.join('\n'));
  }
  return failed ? EXIT.failed : EXIT.ok;
}
