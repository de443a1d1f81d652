import type { FindingClass } from './findings/types.ts';
import type { ImageName, Preset, SourcePlan } from './presets.ts';
import { deriveRng } from './random.ts';
import type { Rng } from './random.ts';
import type { ImageRecipe } from './render.ts';

/** One image to write: its pixels' recipe, its file, and its manifest row if its source has one. */
export interface PlannedImage {
  readonly plan: SourcePlan;
  readonly name: ImageName;
  readonly finding: FindingClass;
  readonly file: string;
  readonly recipe: ImageRecipe;
  readonly manifestRow: readonly string[] | null;
}

export interface PlanOptions {
  readonly seed: number;
  readonly scale: number;
  /** Base image size in pixels (the sources scale it by their own size factor). */
  readonly size: number;
}

/** Images per (source, native label): `max(4, round(count × scale))`, as docs/data-layout.md says. */
export function scaledCount(count: number, scale: number): number {
  return Math.max(4, Math.round(count * scale));
}

function draw<T>(rng: Rng, weighted: readonly (readonly [T, number])[]): T {
  const total = weighted.reduce((s, [, w]) => s + w, 0);
  let x = rng.next() * total;
  for (const [value, w] of weighted) {
    x -= w;
    if (x < 0) return value;
  }
  return weighted[weighted.length - 1]![0];
}

function planSource(plan: SourcePlan, o: PlanOptions): PlannedImage[] {
  // one stream for the source's patients, so a label's images do not shift another label's
  const out: PlannedImage[] = [];
  let patient = 0;
  let serial = 0;
  for (const label of plan.labels) {
    const rng = deriveRng(o.seed, plan.key, `label:${label.native}`, 'patients');
    const n = scaledCount(label.count, o.scale);
    let nth = 0;
    while (nth < n) {
      patient++;
      const perPatient = Math.min(n - nth, 1 + draw(rng, plan.imagesPerPatient.map((p, i) => [i, p] as const)));
      const finding = draw(rng, label.mix);
      const [lo, hi] = plan.severity;
      // skewed towards mild: a share of the cases are subtle
      const base = finding === 'NOR' ? 0 : lo + (hi - lo) * Math.pow(rng.next(), 1.3);
      for (let view = 1; view <= perPatient; view++) {
        nth++;
        serial++;
        const severity = finding === 'NOR' ? 0 : Math.min(1, Math.max(0, base + rng.normal(0, 0.05)));
        const name: ImageName = { native: label.native, patient, view, nth, serial };
        const file = plan.layout.file(name);
        const manifest = plan.layout.manifest;
        out.push({
          plan,
          name,
          finding,
          file,
          manifestRow: manifest === undefined ? null : manifest.row(name, file),
          recipe: {
            seed: o.seed,
            source: plan.key,
            patient: String(patient),
            index: serial,
            modality: plan.style.modality,
            finding,
            severity,
            profile: plan.style.profile,
            baseSize: o.size,
            ...(plan.repeatStudies === true && { studies: true }),
          },
        });
      }
    }
  }
  return out;
}

/** Every image of a preset, in a fixed order (sources, then native labels, then patients). */
export function planPreset(preset: Preset, o: PlanOptions): PlannedImage[] {
  return preset.sources.flatMap((plan) => planSource(plan, o));
}
