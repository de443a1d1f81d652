/**
 * Cache files are written to a temporary name beside their target and renamed into place, so a
 * killed process never leaves a half-written file under the final name (rename is atomic within
 * one file system).
 *
 * This module is also the one seam through which cvr creates folders and files in its cache and
 * run folders: `setWriteFault` lets tests make any of those writes fail as a read-only or full
 * disk would (as root, `chmod` cannot), and what fails is cleaned up here.
 */
import { mkdir, open, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, join, basename } from 'node:path';
import { randomBytes } from 'node:crypto';

/** Which write is about to happen, for `setWriteFault`. */
export type WriteOp = 'mkdir' | 'write' | 'rename';

let fault: ((op: WriteOp, path: string) => void) | undefined;

/**
 * Tests only: `check` is called before every folder creation, file write and rename done through
 * this module and may throw (an errno error, e.g. `errnoError('ENOSPC', path)`); undefined removes it.
 */
export function setWriteFault(check: ((op: WriteOp, path: string) => void) | undefined): void {
  fault = check;
}

/** Lets another module's own write (the lock file's exclusive create) go through the seam too. */
export function checkWrite(op: WriteOp, path: string): void {
  fault?.(op, path);
}

/** An error shaped like the one Node's fs throws for `code` on `path`. */
export function errnoError(code: string, path: string, syscall = 'open'): NodeJS.ErrnoException {
  const error = new Error(`${code}: simulated failure, ${syscall} '${path}'`) as NodeJS.ErrnoException;
  error.code = code;
  error.path = path;
  error.syscall = syscall;
  return error;
}

/** `mkdir -p` through the seam. */
export async function ensureDir(dir: string): Promise<void> {
  fault?.('mkdir', dir);
  await mkdir(dir, { recursive: true });
}

/** A plain (non-atomic) write through the seam, for files inside a private staging folder. */
export async function writeFileIn(file: string, data: Uint8Array | string): Promise<void> {
  fault?.('write', file);
  await writeFile(file, data);
}

/** A rename through the seam. */
export async function renameIn(from: string, to: string): Promise<void> {
  fault?.('rename', to);
  await rename(from, to);
}

export async function writeFileAtomic(file: string, data: Uint8Array | string): Promise<void> {
  await ensureDir(dirname(file));
  const temp = join(dirname(file), `.${basename(file)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
  try {
    fault?.('write', file);
    await writeFile(temp, data);
    fault?.('rename', file);
    await rename(temp, file);
  } catch (error) {
    await rm(temp, { force: true }).catch(() => undefined);
    throw error;
  }
}

/** The same, from several pieces written in order (large checkpoints are never concatenated in memory). */
export async function writeChunksAtomic(file: string, chunks: readonly Uint8Array[]): Promise<void> {
  await ensureDir(dirname(file));
  const temp = join(dirname(file), `.${basename(file)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
  try {
    fault?.('write', file);
    const handle = await open(temp, 'w');
    try {
      for (const chunk of chunks) {
        let written = 0;
        while (written < chunk.byteLength) {
          const { bytesWritten } = await handle.write(chunk, written, chunk.byteLength - written);
          written += bytesWritten;
        }
      }
      // The rename must not become visible before the data is on disk.
      await handle.sync();
    } finally {
      await handle.close();
    }
    fault?.('rename', file);
    await rename(temp, file);
  } catch (error) {
    await rm(temp, { force: true }).catch(() => undefined);
    throw error;
  }
}
