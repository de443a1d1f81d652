/**
 * Signatures live beside their preprocessed shard, `<key>.sig` next to `<key>.shard`: written
 * with the shard from the pixels already in memory, so a rerun that reuses the shard reads them
 * back and decodes nothing. A shard without its file (written before signatures existed, or the
 * file was cleaned) has them computed once from its pixels (read.ts).
 */
import { readFile } from 'node:fs/promises';
import { writeFileAtomic } from '../write-atomic.ts';
import { decodeSignatures, encodeSignatures, signatureOf, type Signature } from './signature.ts';

/** Bumped whenever the signature's computation changes: older files are then not read (and `cvr cache gc` drops them). */
const SIGNATURE_VERSION = 3;

export function signatureFile(shardFile: string): string {
  return `${shardFile.replace(/\.shard$/, '')}.v${SIGNATURE_VERSION}.sig`;
}

export async function writeShardSignatures(shardFile: string, sigs: readonly Signature[]): Promise<void> {
  await writeFileAtomic(signatureFile(shardFile), encodeSignatures(sigs));
}

/** The shard's signatures, or undefined when the file is missing or does not match `n`. */
export async function readShardSignatures(shardFile: string, n: number): Promise<Signature[] | undefined> {
  try {
    return decodeSignatures(await readFile(signatureFile(shardFile)), n);
  } catch {
    return undefined;
  }
}

export function signaturesOfPixels(pixels: readonly (Uint8Array | Uint16Array)[], width: number, height: number, channels: number): Signature[] {
  return pixels.map((p) => signatureOf(p, width, height, channels));
}
