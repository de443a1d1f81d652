/** A DICOM file that cannot be decoded, as a value: the code, what is wrong, and what to do. */
export interface DicomFailure {
  readonly ok: false;
  readonly code: 'CVR560' | 'CVR561' | 'CVR562' | 'CVR563' | 'CVR564' | 'CVR565' | 'CVR801';
  readonly message: string;
  readonly hint: string;
}

/**
 * Stored pixel values of one frame, before any LUT: `grey` holds one signed or unsigned integer
 * per pixel (already masked to Bits Stored and sign-extended); `rgb` holds 8-bit R, G, B triples.
 */
export type Samples = { readonly kind: 'grey'; readonly values: Int32Array } | { readonly kind: 'rgb'; readonly values: Uint8Array };

/** How the VOI window is chosen: the file's own (default), or the image's min–max (`window auto`). */
export type WindowMode = 'file' | 'auto';
