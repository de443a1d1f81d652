import type { CodeInfo } from './types.ts';
import { dicomCodes } from './dicom.ts';

/**
 * CVR5xx — data. Codes are stable: never renumber or reuse one; retire by leaving it here
 * marked "(retired)".
 */
export const dataCodes = {
  ...dicomCodes,
  CVR501: { severity: 'error', summary: 'a source folder or manifest does not exist or cannot be read' },
  CVR502: { severity: 'error', summary: 'a manifest is malformed: a named column is missing or a row is short' },
  CVR503: { severity: 'error', summary: 'an image path escapes its declared root (`..`, an absolute path, a link out of the root)' },
  CVR504: { severity: 'error', summary: 'not one image named by a manifest location exists under its root: the folder is probably wrong (count and the first few rows)' },
  CVR505: { severity: 'error', summary: 'a native label is neither mapped nor dropped (label and count)' },
  CVR506: { severity: 'error', summary: 'images whose class is too coarse for the task (error unless the source says `coarse drop`)' },
  CVR507: { severity: 'info', summary: 'images dropped: explicit `drop`, class outside the task, or coarse labels dropped as declared' },
  CVR508: { severity: 'error', summary: '`labels from path` / `patients from path` does not match some image paths' },
  CVR509: { severity: 'warning', summary: 'a source contributes no images to the task' },
  CVR510: { severity: 'error', summary: 'an image file could not be read while hashing' },
  CVR511: { severity: 'error', summary: 'a `given` split needs a partition for every image, and some have none' },
  CVR512: { severity: 'error', summary: 'a partition value is not train, val or test' },
  CVR513: { severity: 'warning', summary: 'the same image is listed more than once in a source; later rows are ignored' },
  CVR514: { severity: 'error', summary: 'a split names a source that has no images' },
  CVR515: { severity: 'warning', summary: 'image files of zero bytes (found while hashing)' },
  CVR516: { severity: 'error', summary: 'a `where` filter names a column the manifest does not have (the real columns are listed)' },
  CVR517: { severity: 'error', summary: 'an image path template names a column the manifest does not have' },
  CVR518: { severity: 'error', summary: 'a template ending in `.*` matches several files for one row (the row is named)' },
  CVR519: { severity: 'error', summary: 'rows of a multi-source manifest have an empty source value and no `alias { "" -> name }` (rows listed)' },
  CVR520: { severity: 'error', summary: 'two non-empty header columns of a manifest have the same name' },
  CVR521: { severity: 'warning', summary: 'a source read nothing: its folder or manifest rows are empty' },
  CVR522: { severity: 'warning', summary: 'hidden files under a source folder are not images (ledger: not an image)' },
  CVR523: { severity: 'warning', summary: 'dangling links under a source folder (ledger: not an image)' },
  CVR524: { severity: 'warning', summary: 'link loops under a source folder (ledger: not an image)' },
  CVR525: { severity: 'warning', summary: 'files that are not images (unknown or non-image extension) under a source folder or in a manifest (ledger: not an image)' },
  CVR526: { severity: 'warning', summary: '3-D volumes (NIfTI, …) are counted and reported, never decoded as one image (ledger: not an image)' },
  CVR527: { severity: 'warning', summary: 'multi-valued labels whose values map to different classes are dropped as conflicting (count and examples)' },
  CVR528: { severity: 'warning', summary: 'invalid bytes for the manifest\'s encoding in a column cvr reads (row and column named)' },
  CVR529: { severity: 'warning', summary: 'manifest rows name no existing file (the path, or a template found no file with its stem; rows listed; ledger: missing file)' },
} as const satisfies Record<string, CodeInfo>;
