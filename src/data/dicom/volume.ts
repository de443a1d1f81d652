/**
 * 3-D volumes are not 2-D images: NIfTI files (`.nii`, `.nii.gz`, or a NIfTI-1/2 header) and
 * multi-frame DICOM. They are counted and reported (the scan puts them on the ledger line
 * `not an image`), never decoded as one image.
 */
import { open } from 'node:fs/promises';
import { hasDicomPreamble, headerFrames, isDicomPath } from './parse.ts';

/** Bytes read from the start of a file to tell a volume: a DICOM header is rarely longer. */
export const VOLUME_HEAD_BYTES = 256 * 1024;

function niftiHeader(head: Uint8Array): string | null {
  if (head.length < 348) return null;
  const view = new DataView(head.buffer, head.byteOffset, head.byteLength);
  for (const little of [true, false]) {
    if (view.getInt32(0, little) === 348 && head.length >= 348) {
      const magic = String.fromCharCode(head[344] as number, head[345] as number, head[346] as number);
      if (magic !== 'n+1' && magic !== 'ni1') continue;
      const rank = view.getInt16(40, little);
      const dims = Array.from({ length: Math.max(0, Math.min(rank, 7)) }, (_, i) => view.getInt16(42 + 2 * i, little));
      return dims.length > 0 ? dims.join('×') : 'unknown size';
    }
    if (view.getInt32(0, little) === 540 && head.length >= 540) {
      const magic = String.fromCharCode(head[4] as number, head[5] as number, head[6] as number);
      if (magic !== 'n+2') continue;
      const rank = Number(view.getBigInt64(16, little));
      const dims = Array.from({ length: Math.max(0, Math.min(rank, 7)) }, (_, i) => Number(view.getBigInt64(24 + 8 * i, little)));
      return dims.length > 0 ? dims.join('×') : 'unknown size';
    }
  }
  return null;
}

/**
 * Why the file is a volume and not a 2-D image, or null when it is not one. `head` is the start
 * of the file (VOLUME_HEAD_BYTES is enough); only the header is looked at.
 */
export function volumeReason(path: string, head: Uint8Array): string | null {
  const gz = head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b;
  if (/\.nii\.gz$/i.test(path) || (/\.nii$/i.test(path) && !gz)) {
    const dims = gz ? null : niftiHeader(head);
    return `a NIfTI volume${dims !== null ? ` of ${dims} voxels` : ''} (3-D, not a 2-D image)`;
  }
  const nifti = niftiHeader(head);
  if (nifti !== null) return `a NIfTI volume of ${nifti} voxels (3-D, not a 2-D image)`;
  if (hasDicomPreamble(head) || isDicomPath(path)) {
    const frames = headerFrames(head);
    if (frames !== undefined && frames > 1) return `a multi-frame DICOM of ${frames} frames (a volume or a series, not a 2-D image)`;
  }
  return null;
}

/** volumeReason for a file on disk, reading only its first VOLUME_HEAD_BYTES. */
export async function readVolumeReason(path: string): Promise<string | null> {
  const handle = await open(path, 'r');
  try {
    const head = new Uint8Array(VOLUME_HEAD_BYTES);
    const { bytesRead } = await handle.read(head, 0, VOLUME_HEAD_BYTES, 0);
    return volumeReason(path, head.subarray(0, bytesRead));
  } finally {
    await handle.close();
  }
}
