import type { PlannedImage } from './plan.ts';
import type { ImageName, SourcePlan } from './presets.ts';

/**
 * The bad inputs `--corrupt N` plants, in this order, cycling:
 * - `truncated`: a real PNG of the source cut to 40 % of its bytes (valid signature, broken data);
 * - `not-an-image`: a short text file with a .png name;
 * - `missing-file`: a manifest row naming an image that does not exist (manifest sources only;
 *   skipped in presets without manifests);
 * - `empty`: a zero-byte .png file.
 * Files of manifest sources also get a manifest row, so a loader reading the manifest meets them.
 */
export type CorruptKind = 'truncated' | 'not-an-image' | 'missing-file' | 'empty';

export interface CorruptPlan {
  readonly kind: CorruptKind;
  readonly plan: SourcePlan;
  readonly name: ImageName;
  readonly file: string;
  readonly manifestRow: readonly string[] | null;
  /** For `truncated`: the image whose PNG is cut. */
  readonly template: PlannedImage | null;
}

export const NOT_AN_IMAGE = 'This is not a PNG image: planted by cvr synth --corrupt.\n';
export const TRUNCATE_FRACTION = 0.4;

export function planCorruption(n: number, images: readonly PlannedImage[], allPlans: readonly SourcePlan[]): CorruptPlan[] {
  // a volume is not an image: a broken one would be reported as a volume, not as corrupt
  const plans = allPlans.filter((p) => p.layout.format !== 'nifti');
  const withManifest = plans.filter((p) => p.layout.manifest !== undefined);
  const kinds: CorruptKind[] = withManifest.length > 0 ? ['truncated', 'not-an-image', 'missing-file', 'empty'] : ['truncated', 'not-an-image', 'empty'];
  const lastOf = new Map<SourcePlan, PlannedImage>();
  for (const img of images) lastOf.set(img.plan, img);
  const out: CorruptPlan[] = [];
  const counters = new Map<SourcePlan, number>();
  for (let j = 0; j < n; j++) {
    const kind = kinds[j % kinds.length]!;
    const pool = kind === 'missing-file' ? withManifest : plans;
    const plan = pool[j % pool.length]!;
    const last = lastOf.get(plan);
    if (last === undefined) continue;
    const extra = (counters.get(plan) ?? 0) + 1;
    counters.set(plan, extra);
    // numbers past the source's last image, so the name fits the source's naming scheme
    const name: ImageName = {
      native: last.name.native,
      patient: last.name.patient + extra,
      view: 1,
      nth: last.name.nth + extra,
      serial: last.name.serial + extra,
    };
    const file = plan.layout.file(name);
    const manifest = plan.layout.manifest;
    out.push({ kind, plan, name, file, manifestRow: manifest === undefined ? null : manifest.row(name, file), template: kind === 'truncated' ? last : null });
  }
  return out;
}
