/** Small on-disk datasets in temp folders: tiny PNGs (via sharp) or empty files, and manifests. */
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import sharp from 'sharp';

export async function tempDir(prefix = 'cvr-data-'): Promise<string> {
  return mkdtemp(join(tmpdir(), prefix));
}

/** A 4×4 grey PNG whose pixel value makes its bytes unique per `shade`. */
export async function tinyPng(shade: number): Promise<Buffer> {
  return sharp(Buffer.alloc(16, shade % 256), { raw: { width: 4, height: 4, channels: 1 } }).png().toBuffer();
}

/** Writes `files` (relative path → content) under `root`. */
export async function writeTree(root: string, files: Readonly<Record<string, string | Buffer>>): Promise<void> {
  for (const [rel, content] of Object.entries(files)) {
    const abs = join(root, rel);
    await mkdir(dirname(abs), { recursive: true });
    await writeFile(abs, content);
  }
}
