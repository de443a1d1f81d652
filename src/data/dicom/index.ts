/**
 * DICOM input: a file is DICOM when its name ends in `.dcm` (`.dicom`, `.dic`) or its bytes carry
 * the DICM preamble. It decodes to display values with the file's Modality LUT (Rescale
 * Slope/Intercept), its VOI window (Window Center/Width, or `window auto`: min–max) and
 * MONOCHROME1 inverted, kept at 16 bits until normalisation. Colour DICOM decodes to 8-bit RGB.
 * Multi-frame DICOM and NIfTI files are volumes: reported, never decoded as one image.
 * See docs/dicom.md.
 */
import type { Diagnostic } from '../../diag/index.ts';
import { diagnostic } from '../../diag/index.ts';
import { decodeFrame } from './codecs.ts';
import { greyToDisplay } from './lut.ts';
import { hasDicomPreamble, isDicomPath, parseDicomHeader } from './parse.ts';
import type { DicomFailure, WindowMode } from './types.ts';

export { SUPPORTED_TRANSFER_SYNTAXES, REFUSED_TRANSFER_SYNTAXES } from './codecs.ts';
export { hasDicomPreamble, isDicomPath } from './parse.ts';
export { volumeReason, readVolumeReason, VOLUME_HEAD_BYTES } from './volume.ts';
export type { DicomFailure, WindowMode } from './types.ts';

/** True for a `.dcm`/`.dicom`/`.dic` name or bytes that start with the DICM preamble. */
export function isDicom(path: string, bytes?: Uint8Array): boolean {
  return isDicomPath(path) || (bytes !== undefined && hasDicomPreamble(bytes));
}

export interface DicomImage {
  readonly width: number;
  readonly height: number;
  readonly channels: 1 | 3;
  /** Row-major samples: grey as 0..65535 display values; colour as 8-bit interleaved RGB. */
  readonly pixels: Uint16Array | Uint8Array;
  readonly transferSyntax: string;
}

export interface DicomOptions {
  /** `file` (default): the file's VOI window, else its VOI LUT, else the full modality range. */
  readonly window?: WindowMode;
  /** Rows × Columns above this are refused before the pixel data is decoded. */
  readonly maxPixels?: number;
}

export type DicomResult = { readonly ok: true; readonly image: DicomImage } | DicomFailure;

export async function decodeDicom(bytes: Uint8Array, options: DicomOptions = {}): Promise<DicomResult> {
  const header = parseDicomHeader(bytes);
  if ('ok' in header) return header;
  const pixels = header.rows * header.columns;
  if (options.maxPixels !== undefined && pixels > options.maxPixels) {
    return { ok: false, code: 'CVR801', message: `DICOM image of ${header.columns}×${header.rows} exceeds the pixel limit of ${options.maxPixels} pixels`, hint: 'a chest image this large is suspicious; remove it or raise the limit' };
  }
  const samples = await decodeFrame(header);
  if ('ok' in samples) return samples;
  const base = { width: header.columns, height: header.rows, transferSyntax: header.transferSyntax };
  if (samples.kind === 'rgb') return { ok: true, image: { ...base, channels: 3, pixels: samples.values } };
  const display = greyToDisplay(samples.values, header, options.window ?? 'file');
  if ('ok' in display) return display;
  return { ok: true, image: { ...base, channels: 1, pixels: display } };
}

/** The failure as a diagnostic naming the file (a volume met at decoding time is an error). */
export function dicomDiagnostic(file: string, failure: DicomFailure): Diagnostic {
  return diagnostic(failure.code, `${failure.code === 'CVR564' ? '' : 'DICOM: '}${failure.message}`, { file, hint: failure.hint, severity: 'error' });
}
