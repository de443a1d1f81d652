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
} as const satisfies Record<string, CodeInfo>;
