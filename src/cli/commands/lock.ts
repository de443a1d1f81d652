/** `cvr lock FILE` — write the resolved data fingerprint of every pipeline in FILE. */
import { resolve } from 'node:path';
import { hasErrors } from '../../diag/index.ts';
import { writeFileAtomic } from '../../data/index.ts';
import { auditPipeline, defaultLockPath, lockFileOf, pipelineLock, readLockFile } from '../../plan/index.ts';
import type { PipelineLock } from '../../plan/index.ts';
import type { CliIo } from '../io.ts';
import { EXIT } from '../io.ts';
import { settleCommandLine } from '../args.ts';
import { LOCK } from '../specs.ts';
import { loadSelected, renderFor } from '../pipeline-command.ts';

export async function run(argv: readonly string[], io: CliIo): Promise<number> {
  const args = settleCommandLine(LOCK, argv, io);
  if (typeof args === 'number') return args;
  const seed = args.values.seed;
  const file = args.positional[0]!;
  const loaded = await loadSelected('lock', file, args.values.pipeline, io, false);
  if (typeof loaded === 'number') return loaded;
  const metadataOnly = args.values['metadata-only'] === true;
  const locks: Record<string, PipelineLock> = {};
  let failed = false;
  for (const pipeline of loaded.pipelines) {
    const audit = await auditPipeline(pipeline, { metadataOnly, seed });
    const errors = audit.diagnostics.filter((d) => d.severity === 'error');
    const lock = pipelineLock(audit);
    if (hasErrors(errors) || lock === undefined) {
      io.stderr(renderFor(errors, loaded, io, false).human());
      failed = true;
      continue;
    }
    locks[pipeline.name] = lock;
  }
  if (failed) {
    io.stderr('cvr lock: nothing written (fix the errors above)\n');
    return EXIT.failed;
  }
  const out = resolve(io.cwd, args.values.out ?? defaultLockPath(file));
  // With --pipeline, the other pipelines already in the lock file keep their entries.
  const existing = args.values.pipeline !== undefined ? await readLockFile(out) : undefined;
  const merged = existing !== undefined && 'lock' in existing ? { ...existing.lock.pipelines, ...locks } : locks;
  await writeFileAtomic(out, `${JSON.stringify(lockFileOf(merged), null, 1)}\n`);
  const images = Object.values(locks).reduce((n, l) => n + Object.values(l.sources).reduce((m, s) => m + s.images, 0), 0);
  const n = Object.keys(locks).length;
  io.stdout(`wrote ${out}: ${n} pipeline${n === 1 ? '' : 's'}, ${images} images${metadataOnly ? ' (file lists only, contents not hashed)' : ''}\n`);
  return EXIT.ok;
}
