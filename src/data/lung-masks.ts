/**
 * A declared folder of lung masks (`probes { lung_field { masks "folder" } }`, docs/probes.md):
 * one greyscale image per chest image, 0 outside the lungs and anything else inside, matched to
 * its image by file stem (the name up to its last dot) anywhere under the folder. When several
 * masks share a stem, the one whose path ends with the image's own path inside its source wins
 * (`cvr synth --lung-masks` writes `masks/<source>/<class>/<stem>.png`). A mask must have its
 * image's size; it is brought to the prepared size as the image is (fill, nearest neighbour).
 */
import { readdir } from 'node:fs/promises';
import { basename, join, relative } from 'node:path';
import sharp from 'sharp';
import type { Diagnostic } from '../diag/index.ts';

const MASK_EXTENSIONS = /\.(png|jpe?g|tiff?|bmp|webp|gif)$/i;

/** An image whose mask is wanted: its key in the run, its path inside its source, its file. */
export interface MaskedImage {
  readonly key: string;
  readonly id: string;
  readonly absPath: string;
}

export type LungMasksResult =
  | { readonly ok: true; readonly masks: ReadonlyMap<string, Uint8Array> }
  | { readonly ok: false; readonly diagnostics: readonly Diagnostic[] };

const stem = (file: string): string => basename(file).replace(/\.[^.]*$/, '');
const noExtension = (p: string): string => p.replace(/\.[^./]*$/, '');

async function listFiles(root: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(root, { withFileTypes: true })) {
    const p = join(root, e.name);
    if (e.isDirectory()) out.push(...(await listFiles(p)));
    else if (MASK_EXTENSIONS.test(e.name)) out.push(p);
  }
  return out.sort();
}

function error(code: 'CVR824' | 'CVR825', file: string, message: string, hint: string): Diagnostic {
  return { code, severity: 'error', message, file, hint };
}

/** Which mask file belongs to an image, or why none does. */
function pick(image: MaskedImage, byStem: ReadonlyMap<string, readonly string[]>, folder: string): string | Diagnostic {
  const candidates = byStem.get(stem(image.id)) ?? [];
  if (candidates.length === 1) return candidates[0]!;
  const own = candidates.filter((c) => noExtension(relative(folder, c)).endsWith(noExtension(image.id)));
  if (own.length === 1) return own[0]!;
  if (candidates.length === 0) {
    return error('CVR824', image.absPath, `no lung mask for this image in ${folder} (looked for a file named ${stem(image.id)}.<png|jpg|…> in any subfolder)`, 'add the mask, or remove `lung_field { masks … }` to use the default ellipses');
  }
  return error('CVR824', image.absPath, `${candidates.length} lung masks named ${stem(image.id)} in ${folder}: ${candidates.map((c) => relative(folder, c)).join(', ')}`, `keep one, or place it at ${noExtension(image.id)}.png under the mask folder`);
}

/**
 * The masks of `images` at the prepared size `width` × `height` (1 inside the lungs), keyed by
 * image key; every missing, ambiguous, unreadable or mis-sized mask is a diagnostic.
 */
export async function loadLungMasks(folder: string, images: readonly MaskedImage[], width: number, height: number): Promise<LungMasksResult> {
  let files: string[];
  try {
    files = await listFiles(folder);
  } catch {
    return { ok: false, diagnostics: [error('CVR824', folder, 'the lung mask folder cannot be read', 'check the path in `lung_field { masks "…" }` (relative to the .cvr file)')] };
  }
  const byStem = new Map<string, string[]>();
  for (const f of files) byStem.set(stem(f), [...(byStem.get(stem(f)) ?? []), f]);
  const masks = new Map<string, Uint8Array>();
  const diagnostics: Diagnostic[] = [];
  for (const image of images) {
    const file = pick(image, byStem, folder);
    if (typeof file !== 'string') {
      diagnostics.push(file);
      continue;
    }
    try {
      const meta = await sharp(file).metadata();
      // The image's own size (a format sharp cannot open, DICOM, is not compared).
      const own = await sharp(image.absPath).metadata().catch(() => undefined);
      if (own?.width !== undefined && own.height !== undefined && (own.width !== meta.width || own.height !== meta.height)) {
        diagnostics.push(error('CVR825', file, `this lung mask is ${meta.width}×${meta.height}, its image ${image.absPath} is ${own.width}×${own.height}`, 'a mask must be drawn on its image at the same size'));
        continue;
      }
      const { data, info } = await sharp(file).resize(width, height, { fit: 'fill', kernel: 'nearest' }).raw().toBuffer({ resolveWithObject: true });
      const mask = new Uint8Array(width * height);
      for (let p = 0; p < mask.length; p++) mask[p] = (data[p * info.channels] ?? 0) > 0 ? 1 : 0;
      masks.set(image.key, mask);
    } catch (e) {
      diagnostics.push(error('CVR825', file, `this lung mask cannot be read (${e instanceof Error ? e.message : String(e)})`, 'save it as a greyscale PNG, 0 outside the lungs'));
    }
  }
  return diagnostics.length > 0 ? { ok: false, diagnostics } : { ok: true, masks };
}
