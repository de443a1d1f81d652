import type { CodeInfo } from './types.ts';

/**
 * CVR560–579 — DICOM and volume decoding (part of the 5xx data range; see src/data/dicom/).
 * Codes are stable: never renumber or reuse one; retire by leaving it here marked "(retired)".
 */
export const dicomCodes = {
  CVR560: { severity: 'error', summary: 'a DICOM file uses a transfer syntax cvr cannot decode (the UID and the supported ones are named)' },
  CVR561: { severity: 'error', summary: 'a DICOM file is malformed: its header cannot be parsed, or a required pixel attribute or the pixel data is missing or inconsistent' },
  CVR562: { severity: 'error', summary: "a DICOM file's compressed pixel data cannot be decoded by its codec (corrupt or truncated stream)" },
  CVR563: { severity: 'error', summary: 'a DICOM pixel layout cvr does not decode (photometric interpretation, bits allocated, samples per pixel)' },
  CVR564: { severity: 'warning', summary: 'a 3-D volume (multi-frame DICOM, NIfTI) is not a 2-D image: counted and reported, never decoded as one' },
  CVR565: { severity: 'error', summary: "a DICOM file's Modality LUT or VOI window is invalid (window width below 1, LUT descriptor inconsistent with its data)" },
} as const satisfies Record<string, CodeInfo>;
