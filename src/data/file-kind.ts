/**
 * What a file under a source folder is, from its name (and, for names without an extension,
 * its first 132 bytes): an image sharp decodes, a DICOM file (`.dcm`, or the `DICM` preamble at
 * offset 128), a 3-D volume (NIfTI), or not an image at all. The DICOM decoder lives in
 * `src/data/dicom/`; this module only recognises the files.
 */
import { open } from 'node:fs/promises';

export const IMAGE_EXTENSIONS: ReadonlySet<string> = new Set(['.png', '.jpg', '.jpeg', '.tif', '.tiff', '.webp', '.bmp', '.gif']);
export const DICOM_EXTENSIONS: ReadonlySet<string> = new Set(['.dcm', '.dicom']);
/** 3-D volumes: counted and reported, never decoded as one 2-D image. */
export const VOLUME_SUFFIXES: readonly string[] = ['.nii', '.nii.gz', '.mha', '.mhd', '.nrrd'];
/** Files that ship beside images in public downloads and are certainly not images. */
export const NON_IMAGE_EXTENSIONS: ReadonlySet<string> = new Set(['.txt', '.csv', '.tsv', '.json', '.md', '.xml', '.html', '.pdf', '.zip', '.gz', '.tar', '.py', '.ipynb', '.xlsx', '.xls', '.db', '.ini', '.log']);

export type NameKind = 'image' | 'dicom' | 'volume' | 'non-image' | 'no-extension' | 'unknown-extension';

/** The extension, lower case, with its dot (`''` when none). */
export function extensionOf(name: string): string {
  const dot = name.lastIndexOf('.');
  return dot <= 0 ? '' : name.slice(dot).toLowerCase();
}

export function isVolumeName(name: string): boolean {
  const lower = name.toLowerCase();
  return VOLUME_SUFFIXES.some((s) => lower.endsWith(s));
}

export function kindOfName(name: string): NameKind {
  if (isVolumeName(name)) return 'volume';
  const ext = extensionOf(name);
  if (IMAGE_EXTENSIONS.has(ext)) return 'image';
  if (DICOM_EXTENSIONS.has(ext)) return 'dicom';
  if (ext === '') return 'no-extension';
  if (NON_IMAGE_EXTENSIONS.has(ext)) return 'non-image';
  return 'unknown-extension';
}

/** Whether `bytes` (the file's first 132 or more) hold the DICOM preamble: `DICM` at offset 128. */
export function hasDicomPreamble(bytes: Uint8Array): boolean {
  return bytes.length >= 132 && bytes[128] === 0x44 && bytes[129] === 0x49 && bytes[130] === 0x43 && bytes[131] === 0x4d;
}

/** A `.dcm` / `.dicom` file, or any file whose first 132 bytes hold the DICM preamble. */
export async function isDicomFile(path: string): Promise<boolean> {
  if (DICOM_EXTENSIONS.has(extensionOf(path))) return true;
  let handle;
  try {
    handle = await open(path, 'r');
    const buf = new Uint8Array(132);
    const { bytesRead } = await handle.read(buf, 0, 132, 0);
    return hasDicomPreamble(buf.subarray(0, bytesRead));
  } catch {
    return false;
  } finally {
    await handle?.close();
  }
}
