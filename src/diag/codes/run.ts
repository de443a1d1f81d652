import type { CodeInfo } from './types.ts';

/**
 * CVR850–899 — the runner and its cache. Codes are stable: never renumber or reuse one; retire by leaving it here
 * marked "(retired)".
 */
export const runCodes = {
  CVR851: { severity: 'warning', summary: 'A cache entry failed its integrity check (a file edited, flipped, truncated, missing or added); it was discarded and is recomputed.' },
  CVR852: { severity: 'warning', summary: 'The scan memo (remembered content hashes) failed its integrity check; it was discarded and the files are hashed again.' },
  CVR853: { severity: 'warning', summary: 'A preprocessed-image shard failed its integrity check; it was deleted and its images are decoded again.' },
  CVR854: { severity: 'error', summary: 'The cache or run folder is on a read-only file system (EROFS).' },
  CVR855: { severity: 'error', summary: 'The disk or quota is full (ENOSPC, EDQUOT, EFBIG): a cache or run-folder file could not be written.' },
  CVR856: { severity: 'error', summary: 'Permission denied (EACCES, EPERM) on a cache or run-folder path.' },
  CVR857: { severity: 'error', summary: 'Too many open files (EMFILE, ENFILE).' },
  CVR858: { severity: 'error', summary: 'The cache folder, or a file in it, vanished while the run was using it.' },
  CVR859: { severity: 'error', summary: 'Another input/output error of the file system (EIO, ENOTDIR, ELOOP, …) on a path the run needed.' },
  CVR860: { severity: 'error', summary: 'A step of the run failed; the message says which and why (the diagnostics of its stage follow).' },
  CVR861: { severity: 'error', summary: 'A step of the run failed from an internal error: a bug in cvr (exit 3).' },
  CVR870: { severity: 'info', summary: '`cvr cache gc`: what was removed (orphaned entries, staging leftovers, unreferenced shards, stale scan-memo lines).' },
  CVR871: { severity: 'error', summary: 'A worker process (`--jobs N`) or a Slurm job died or was killed before its node finished; rerunning resumes.' },
  CVR872: { severity: 'error', summary: 'A node run on its own (a worker, a Slurm job) found one of its inputs missing from the cache.' },
  CVR873: { severity: 'error', summary: 'A worker or Slurm job started without the run\'s saved plan planned the pipeline again and found a different plan: the pipeline or its data changed during the run.' },
  CVR874: { severity: 'error', summary: '`--jobs` or `--executor` asks for something this run cannot do (a value out of range, Slurm commands missing).' },
  CVR875: { severity: 'error', summary: 'A Slurm command (sbatch, squeue, sacct, scancel) failed; its output is quoted.' },
  CVR876: { severity: 'error', summary: 'A Slurm job failed after every retry its policy allows; its log file is named.' },
  CVR877: { severity: 'error', summary: 'A worker or Slurm job cannot read the plan its run saved for it (`<run>/workers/` or `<run>/slurm/prepared.json`).' },
} as const satisfies Record<string, CodeInfo>;
