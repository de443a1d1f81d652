/**
 * Failures of the machine rather than of cvr or the data: a read-only or full disk, a permission
 * denied, too many open files, a cache folder deleted under a running run. They become a
 * diagnostic naming the path and the fix (exit 1), never a stack trace (exit 3). What the
 * failing write left is cleaned up where it happened (write-atomic.ts, NodeCache.commit), so a
 * rerun after the fix resumes from what was committed.
 */
import { isAbsolute, relative } from 'node:path';
import type { Diagnostic } from '../diag/index.ts';
import type { Code } from '../diag/index.ts';
import { makeDiagnostic } from '../dsl/index.ts';

export interface FaultContext {
  readonly cacheDir: string;
  readonly runDir?: string;
}

const BY_ERRNO: Readonly<Record<string, { code: Code; what: string; fix: string }>> = {
  EROFS: { code: 'CVR854', what: 'is on a read-only file system', fix: 'use a writable cache with `--cache DIR` or `CVR_CACHE_DIR` (a read-only shared cache must be copied first)' },
  ENOSPC: { code: 'CVR855', what: 'cannot be written: no space left on the device', fix: 'free space (`cvr cache gc` removes what no entry uses) or point `--cache DIR` at a larger disk, then run again' },
  EDQUOT: { code: 'CVR855', what: 'cannot be written: the disk quota is exhausted', fix: 'free space within your quota (`cvr cache gc`) or use `--cache DIR` elsewhere, then run again' },
  EFBIG: { code: 'CVR855', what: 'cannot be written: the file is larger than the file system allows', fix: 'put the cache on another file system with `--cache DIR`' },
  EACCES: { code: 'CVR856', what: 'cannot be written or read: permission denied', fix: 'fix the permissions of the folder (`ls -ld`), or use a cache of your own with `--cache DIR`' },
  EPERM: { code: 'CVR856', what: 'cannot be changed: operation not permitted', fix: 'fix the permissions of the folder, or use a cache of your own with `--cache DIR`' },
  EMFILE: { code: 'CVR857', what: 'cannot be opened: this process has too many open files', fix: 'raise the limit (`ulimit -n 4096`) and run again' },
  ENFILE: { code: 'CVR857', what: 'cannot be opened: the system has too many open files', fix: 'close other programs or raise the system limit, then run again' },
};

const OTHER_IO = new Set(['EIO', 'ENOTDIR', 'EISDIR', 'ELOOP', 'ENAMETOOLONG', 'EBUSY', 'ETXTBSY', 'ENXIO', 'ESTALE', 'EEXIST', 'ENOTEMPTY']);

function isInside(root: string, file: string): boolean {
  const rel = relative(root, file);
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
}

/** The diagnostic for an environment failure, or undefined when `error` is not one (then it is a bug). */
export function envFaultDiagnostic(error: unknown, context: FaultContext): Diagnostic | undefined {
  if (!(error instanceof Error)) return undefined;
  const errno = (error as NodeJS.ErrnoException).code;
  if (typeof errno !== 'string') return undefined;
  const path = (error as NodeJS.ErrnoException).path ?? (error as { dest?: string }).dest;
  const where = path === undefined ? 'a file the run needed' : isInside(context.cacheDir, path) ? `the cache path ${path}` : `${path}`;
  const known = BY_ERRNO[errno];
  if (known !== undefined) {
    return makeDiagnostic(known.code, undefined, `${where} ${known.what} (${errno})`, { hint: known.fix, data: { errno, ...(path !== undefined && { path }) } }, path);
  }
  if (errno === 'ENOENT' && path !== undefined && isInside(context.cacheDir, path)) {
    return makeDiagnostic('CVR858', undefined, `${where} vanished while the run was using it (ENOENT)`, {
      hint: 'something removed the cache folder during the run; run again: what was committed before is reused if it is still there', data: { errno, path },
    }, path);
  }
  if (OTHER_IO.has(errno) || (errno === 'ENOENT' && path !== undefined)) {
    return makeDiagnostic('CVR859', undefined, `${where}: ${errno} (${error.message})`, { hint: 'check the disk and the path, then run again', data: { errno, ...(path !== undefined && { path }) } }, path);
  }
  return undefined;
}
