/**
 * The phantom generator behind `cvr synth`: chest-radiograph-like and CT-slice-like PNGs with
 * class findings and per-source artifacts, laid out as real datasets are. For demonstrations and
 * tests of the pipeline machinery, not for clinical conclusions.
 */
import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { planCorruption } from './corrupt.ts';
import { planPreset } from './plan.ts';
import { createRenderPool, defaultWorkers } from './pool.ts';
import type { PresetName } from './presets.ts';
import { getPreset } from './presets.ts';
import { NEAR_DUPLICATES_FILE, planNearCopies, writeNearCopies } from './near-copies.ts';
import type { SynthSummary } from './write.ts';
import { manifestTexts, prepareOutput, SUMMARY_FILE, writeCorruption, writeImages } from './write.ts';

export type { PresetName, Preset, SourcePlan } from './presets.ts';
export { getPreset, PRESET_NAMES, PAPER_STYLES } from './presets.ts';
export type { SynthSummary } from './write.ts';
export { SUMMARY_FILE } from './write.ts';
export { NEAR_DUPLICATES_FILE, editedCopy, type NearDuplicateTruth, type PlantedCopy } from './near-copies.ts';
export type { CorruptKind } from './corrupt.ts';
export { NOT_AN_IMAGE, TRUNCATE_FRACTION } from './corrupt.ts';
export { renderImage } from './render.ts';
export type { ImageRecipe, RenderedImage, Modality } from './render.ts';
export { encodePng } from './encode.ts';
export type { FindingClass } from './findings/types.ts';
export { FINDING_CLASSES } from './findings/types.ts';
export { NO_ARTIFACTS } from './artifacts.ts';
export type { ArtifactProfile } from './artifacts.ts';
export { scaledCount, planPreset } from './plan.ts';
export type { PlannedImage } from './plan.ts';
export { createRenderPool, defaultWorkers } from './pool.ts';
export type { RenderPool } from './pool.ts';

export interface SynthOptions {
  readonly preset: PresetName;
  readonly out: string;
  readonly seed: number;
  /** Defaults to the preset's own (paper: 0.02). */
  readonly scale?: number;
  /** Base image size in pixels; defaults to the preset's (tiny, shortcut: 64; paper: 256). */
  readonly size?: number;
  readonly corrupt?: number;
  /** Edited copies of existing images to plant, with their ground truth (docs/dedupe.md). */
  readonly nearDuplicates?: number;
  /** PNG encodes in flight at once when rendering in this thread. */
  readonly concurrency?: number;
  /** Render worker threads; 0 renders in this thread. Default: up to 4 for 200 images or more. */
  readonly workers?: number;
  readonly onProgress?: (done: number, total: number) => void;
}

export type SynthResult = { readonly ok: true; readonly summary: SynthSummary } | { readonly ok: false; readonly message: string };

/** File-system failures (permissions, a full disk) are the user's to fix: report, don't crash. */
function isFsError(e: unknown): e is NodeJS.ErrnoException {
  return e instanceof Error && typeof (e as NodeJS.ErrnoException).code === 'string';
}

export async function synthesize(o: SynthOptions): Promise<SynthResult> {
  try {
    return await synthesizeUnchecked(o);
  } catch (e) {
    if (isFsError(e)) return { ok: false, message: `cannot write to ${o.out}: ${e.message}` };
    throw e;
  }
}

async function synthesizeUnchecked(o: SynthOptions): Promise<SynthResult> {
  const preset = getPreset(o.preset);
  const scale = o.scale ?? preset.defaultScale;
  const size = o.size ?? preset.baseSize;
  const images = planPreset(preset, { seed: o.seed, scale, size });
  const corrupt = planCorruption(o.corrupt ?? 0, images, preset.sources);
  const copies = planNearCopies(images, preset.sources, o.nearDuplicates ?? 0, o.seed);
  const manifests = manifestTexts(preset.sources, [...images, ...copies.map((c) => c.copy)], corrupt);
  const roots = [...new Set([...images.map((i) => i.file), ...manifests.keys()].map((f) => f.split('/')[0]!))].sort();
  const problem = await prepareOutput(o.out);
  if (problem !== null) return { ok: false, message: problem };
  await rm(join(o.out, NEAR_DUPLICATES_FILE), { force: true });
  const pool = createRenderPool(o.workers ?? defaultWorkers(images.length), o.concurrency ?? 4);
  let written: Awaited<ReturnType<typeof writeImages>>;
  try {
    written = await writeImages(o.out, images, pool, o.onProgress ?? (() => {}));
  } finally {
    await pool.close();
  }
  const { sizes, error } = written;
  if (error !== null) return { ok: false, message: error };
  await writeCorruption(o.out, corrupt);
  if (copies.length > 0) {
    const truth = await writeNearCopies(o.out, copies, images, o.seed);
    await writeFile(join(o.out, NEAR_DUPLICATES_FILE), `${JSON.stringify(truth, null, 2)}\n`);
  }
  for (const [path, text] of manifests) await writeFile(join(o.out, path), text);
  const counts = new Map<string, { source: string; key: string; native: string; n: number; findings: Record<string, number>; sizePx: number }>();
  for (const img of [...images, ...copies.map((c) => c.copy)]) {
    const id = `${img.plan.key}\u0000${img.name.native}`;
    const entry = counts.get(id) ?? { source: img.plan.source, key: img.plan.key, native: img.name.native, n: 0, findings: {}, sizePx: sizes.get(img.plan.key) ?? size };
    entry.n++;
    entry.findings[img.finding] = (entry.findings[img.finding] ?? 0) + 1;
    counts.set(id, entry);
  }
  const summary: SynthSummary = {
    preset: preset.name,
    seed: o.seed,
    scale,
    size,
    images: images.length + copies.length,
    roots,
    counts: [...counts.values()],
    manifests: [...manifests.keys()],
    corrupt: corrupt.map((c) => ({ kind: c.kind, source: c.plan.source, file: c.file, manifest: c.plan.layout.manifest?.path ?? null })),
  };
  await writeFile(join(o.out, SUMMARY_FILE), `${JSON.stringify(summary, null, 2)}\n`);
  return { ok: true, summary };
}
