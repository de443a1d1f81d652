/**
 * What sharp is given for one image file: its bytes as they are (PNG, JPEG, TIFF, WebP…), or,
 * for a DICOM file, the decoded display values as a raw 16-bit grey (or 8-bit RGB) buffer, so
 * that DICOM takes the same resize and 16-bit path as a 16-bit PNG. A volume (NIfTI,
 * multi-frame DICOM) is refused here with CVR564 rather than decoded as one image.
 */
import sharp from 'sharp';
import type { Diagnostic } from '../diag/index.ts';
import { decodeDicom, dicomDiagnostic, isDicom, volumeReason } from './dicom/index.ts';
import type { WindowMode } from './dicom/index.ts';
import { diagnostic } from '../diag/index.ts';

export type ImageInput = { readonly ok: true; readonly open: () => sharp.Sharp } | { readonly ok: false; readonly diagnostic: Diagnostic };

export async function imageInput(path: string, bytes: Buffer, maxPixels: number, window: WindowMode = 'file'): Promise<ImageInput> {
  const volume = volumeReason(path, bytes);
  if (volume !== null) {
    return { ok: false, diagnostic: diagnostic('CVR564', `${path} is ${volume}`, { file: path, severity: 'error', hint: 'remove the volume from the source, or export the slice you want as a 2-D image' }) };
  }
  if (!isDicom(path, bytes)) return { ok: true, open: () => sharp(bytes, { limitInputPixels: maxPixels }) };
  let decoded: Awaited<ReturnType<typeof decodeDicom>>;
  try {
    decoded = await decodeDicom(bytes, { window, maxPixels });
  } catch (error) {
    // Hostile input must end as a diagnostic, whatever a codec throws.
    const message = error instanceof Error ? error.message : String(error);
    decoded = { ok: false, code: 'CVR562', message: `pixel data cannot be decoded: ${message}`, hint: 'the file is corrupt or truncated; re-export it' };
  }
  if (!decoded.ok) return { ok: false, diagnostic: dicomDiagnostic(path, decoded) };
  const { width, height, channels, pixels } = decoded.image;
  return { ok: true, open: () => sharp(pixels, { raw: { width, height, channels }, limitInputPixels: maxPixels }) };
}
