import { mkdir, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { CorruptPlan } from './corrupt.ts';
import { NOT_AN_IMAGE, TRUNCATE_FRACTION } from './corrupt.ts';
import { encodePng } from './encode.ts';
import { encodeAs } from './formats.ts';
import type { PlannedImage } from './plan.ts';
import type { RenderPool } from './pool.ts';
import type { SourcePlan } from './presets.ts';
import { renderImage } from './render.ts';

/** The record `cvr synth` leaves in the output folder (synth.json): what it wrote, for tools and tests. */
export interface SynthSummary {
  readonly preset: string;
  readonly seed: number;
  readonly scale: number;
  readonly size: number;
  readonly images: number;
  /** Top-level entries of the output folder that cvr synth owns (removed before a rewrite). */
  readonly roots: readonly string[];
  readonly counts: readonly { source: string; key: string; native: string; n: number; findings: Record<string, number>; sizePx: number }[];
  readonly manifests: readonly string[];
  readonly corrupt: readonly { kind: string; source: string; file: string; manifest: string | null }[];
}

export const SUMMARY_FILE = 'synth.json';

/** Where `cvr synth` writes an image's true lung mask, relative to the output folder. */
export const MASKS_DIR = 'masks';
export function lungMaskPath(imageFile: string): string {
  return `${MASKS_DIR}/${imageFile.replace(/\.[^./]*$/, '')}.png`;
}

function csvCell(value: string, separator: ',' | ' '): string {
  if (separator === ' ') return value;
  return /[",\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

/** Manifests in order of first use; rows in image order (planted rows last). */
export function manifestTexts(plans: readonly SourcePlan[], images: readonly PlannedImage[], corrupt: readonly CorruptPlan[]): Map<string, string> {
  const rows = new Map<string, string[]>();
  for (const p of plans) {
    const m = p.layout.manifest;
    if (m !== undefined && !rows.has(m.path)) rows.set(m.path, m.header === null ? [] : [m.header.map((h) => csvCell(h, m.separator)).join(m.separator)]);
  }
  const add = (plan: SourcePlan, row: readonly string[] | null): void => {
    const m = plan.layout.manifest;
    if (m === undefined || row === null) return;
    rows.get(m.path)!.push(row.map((c) => csvCell(c, m.separator)).join(m.separator));
  };
  for (const img of images) {
    add(img.plan, img.manifestRow);
    for (const row of img.plan.layout.manifest?.extraRows?.(img.name, img.file) ?? []) add(img.plan, row);
  }
  for (const c of corrupt) add(c.plan, c.manifestRow);
  return new Map([...rows].map(([path, lines]) => [path, `${lines.join('\n')}\n`]));
}

/**
 * Makes sure the output folder can be written: empty, new, or written before by cvr synth (then
 * the entries it recorded are removed, so a smaller rerun leaves no stale images). Returns an
 * error message for a folder that holds something else.
 */
export async function prepareOutput(out: string): Promise<string | null> {
  let entries: string[];
  try {
    entries = await readdir(out);
  } catch {
    await mkdir(out, { recursive: true });
    return null;
  }
  if (entries.length === 0) return null;
  if (!entries.includes(SUMMARY_FILE)) {
    return `${out} is not empty and was not written by cvr synth (no ${SUMMARY_FILE}); choose an empty or new folder`;
  }
  let previous: Partial<SynthSummary>;
  try {
    previous = JSON.parse(await readFile(join(out, SUMMARY_FILE), 'utf8')) as Partial<SynthSummary>;
  } catch {
    return `${join(out, SUMMARY_FILE)} is not a cvr synth record; choose an empty or new folder`;
  }
  const roots = Array.isArray(previous.roots) ? previous.roots.filter((r): r is string => typeof r === 'string') : [];
  for (const root of roots) {
    if (root.includes('/') || root.includes('..') || root === '') continue;
    await rm(join(out, root), { recursive: true, force: true });
  }
  await rm(join(out, SUMMARY_FILE), { force: true });
  return null;
}

/**
 * Renders and writes every image with at most `pool.capacity` renders in flight (sharp encodes on
 * its own threads while the next image is drawn). `onProgress(done, total)` after each image.
 */
export async function writeImages(
  out: string,
  images: readonly PlannedImage[],
  pool: RenderPool,
  onProgress: (done: number, total: number) => void,
  lungMasks = false,
): Promise<{ sizes: Map<string, number>; error: string | null }> {
  const dirs = new Set(images.flatMap((img) => [dirname(join(out, img.file)), ...(lungMasks ? [dirname(join(out, lungMaskPath(img.file)))] : [])]));
  for (const dir of [...dirs].sort()) await mkdir(dir, { recursive: true });
  const sizes = new Map<string, number>();
  const inFlight = new Set<Promise<void>>();
  let done = 0;
  let error: string | null = null;
  for (const img of images) {
    if (error !== null) break;
    const tracked: Promise<void> = pool
      .render(img.recipe)
      .then(async ({ png, width, mask }) => {
        sizes.set(img.plan.key, width);
        const format = img.plan.layout.format ?? 'png';
        await writeFile(join(out, img.file), format === 'png' ? png : await encodeAs(format, png, img.name));
        // The true lung field: masks/<the image's path with .png> (docs/probes.md).
        if (lungMasks && mask !== undefined) await writeFile(join(out, lungMaskPath(img.file)), mask);
      })
      .then(() => {
        done++;
        onProgress(done, images.length);
      })
      .catch((e: unknown) => {
        error ??= `cannot write ${join(out, img.file)}: ${e instanceof Error ? e.message : String(e)}`;
      })
      .finally(() => inFlight.delete(tracked));
    inFlight.add(tracked);
    if (inFlight.size >= pool.capacity) await Promise.race(inFlight);
  }
  await Promise.all(inFlight);
  return { sizes, error };
}

export async function writeCorruption(out: string, corrupt: readonly CorruptPlan[]): Promise<void> {
  for (const c of corrupt) {
    const path = join(out, c.file);
    await mkdir(dirname(path), { recursive: true });
    switch (c.kind) {
      case 'truncated': {
        const png = await encodePng(renderImage({ ...c.template!.recipe, index: c.name.serial }));
        await writeFile(path, png.subarray(0, Math.floor(png.length * TRUNCATE_FRACTION)));
        break;
      }
      case 'not-an-image':
        await writeFile(path, NOT_AN_IMAGE);
        break;
      case 'empty':
        await writeFile(path, Buffer.alloc(0));
        break;
      case 'missing-file':
        break;
      default: {
        const never: never = c.kind;
        throw new Error(`internal error: unknown corruption ${String(never)}`);
      }
    }
  }
}
