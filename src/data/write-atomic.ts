/**
 * Cache files are written to a temporary name beside their target and renamed into place, so a
 * killed process never leaves a half-written file under the final name (rename is atomic within
 * one file system).
 */
import { mkdir, open, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, join, basename } from 'node:path';
import { randomBytes } from 'node:crypto';

export async function writeFileAtomic(file: string, data: Uint8Array | string): Promise<void> {
  await mkdir(dirname(file), { recursive: true });
  const temp = join(dirname(file), `.${basename(file)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
  try {
    await writeFile(temp, data);
    await rename(temp, file);
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
}

/** The same, from several pieces written in order (large checkpoints are never concatenated in memory). */
export async function writeChunksAtomic(file: string, chunks: readonly Uint8Array[]): Promise<void> {
  await mkdir(dirname(file), { recursive: true });
  const temp = join(dirname(file), `.${basename(file)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
  try {
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
    await rename(temp, file);
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
}
