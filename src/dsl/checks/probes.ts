/**
 * `probes { … }` (language.md "Image-level evidence"): known probe names, known settings with
 * their ranges (CVR822, "does not run yet", is retired: every probe runs).
 */
import type { ProbeDecl, ProbeSetting } from '../ast.ts';
import { suggestion } from '../../diag/index.ts';
import type { EffectivePipeline } from '../effective.ts';
import type { Accept } from '../report.ts';
import { PROBE_NAMES } from '../resolved.ts';

/** Integer settings of each probe with their inclusive ranges. */
const SETTINGS: Readonly<Record<string, Readonly<Record<string, readonly [number, number]>>>> = {
  source_probe: { folds: [2, 20], thumbnail: [4, 64], bins: [2, 256], epochs: [1, 10_000] },
  periphery_only: { epochs: [1, 10_000], folds: [1, 100] },
  lung_only: { epochs: [1, 10_000], folds: [1, 100] },
  gradcam_in_lungs: { bootstrap: [0, 100_000] },
};

/** Not a probe: the lung field the masked probes and gradcam_in_lungs use (docs/probes.md). */
const LUNG_FIELD = 'lung_field';

/** Probes that are accepted by the language but not run yet (docs/probes.md): none since issue 15. */
export const PROBES_NOT_RUN: ReadonlySet<string> = new Set<string>();

export function checkProbes(p: EffectivePipeline, accept: Accept): void {
  for (const probe of p.probes?.probes ?? []) checkProbe(probe, accept);
}

function checkProbe(probe: ProbeDecl, accept: Accept): void {
  const name = probe.name.name;
  if (name === LUNG_FIELD) return checkLungField(probe, accept);
  const known = SETTINGS[name];
  if (known === undefined || !(PROBE_NAMES as readonly string[]).includes(name)) {
    const hint = suggestion(name, [...PROBE_NAMES, LUNG_FIELD]);
    accept('CVR820', probe.name.span, `unknown probe "${name}"`, hint === undefined ? {} : { hint });
    return;
  }
  if (probe.model !== undefined && name !== 'periphery_only' && name !== 'lung_only') {
    accept('CVR821', probe.model.span, `${name} takes no model (only periphery_only and lung_only train one)`);
  }
  for (const s of probe.settings) checkSetting(name, known, s, accept);
  if (PROBES_NOT_RUN.has(name)) {
    accept('CVR822', probe.name.span, `${name} is accepted but does not run yet in this version; it is skipped`, { hint: 'see docs/probes.md' });
  }
}

function checkSetting(probe: string, known: Readonly<Record<string, readonly [number, number]>>, s: ProbeSetting, accept: Accept): void {
  const range = known[s.key.name];
  if (range === undefined) {
    const keys = Object.keys(known);
    const hint = suggestion(s.key.name, keys);
    accept('CVR821', s.key.span, `${probe} has no setting "${s.key.name}" (it takes ${keys.join(', ')})`, hint === undefined ? {} : { hint });
    return;
  }
  const [min, max] = range;
  if (s.value.kind !== 'number' || s.value.raw.endsWith('%') || s.value.raw.endsWith('deg') || !Number.isInteger(s.value.value) || s.value.value < min || s.value.value > max) {
    accept('CVR821', s.value.span, `${probe} ${s.key.name} must be a whole number from ${min} to ${max}`);
  }
}

/**
 * `lung_field { ellipse CX CY AX AY … }` (centre across and down, half-width and half-height, as
 * fractions of the image: 0 < CX, CY < 1, 0 < AX, AY ≤ 1) or `lung_field { masks "folder" }`.
 */
function checkLungField(probe: ProbeDecl, accept: Accept): void {
  const what = 'lung_field takes `ellipse CX CY AX AY` (one line per ellipse, fractions of the image) or `masks "folder"`';
  if (probe.model !== undefined) accept('CVR823', probe.model.span, 'lung_field takes no model', { hint: what });
  const masks = probe.settings.filter((s) => s.key.name === 'masks' && s.value.kind === 'string');
  const ellipses = probe.settings.filter((s) => s.key.name === 'ellipse');
  for (const s of probe.settings) {
    if (s.key.name === 'masks') {
      if (s.value.kind !== 'string' || (s.more ?? []).length > 0) accept('CVR823', s.span, 'lung_field masks takes one folder in quotes, e.g. masks "data/masks"', { hint: 'masks are matched to images by file stem; 0 is outside the lungs, anything else inside' });
    } else if (s.key.name === 'ellipse') {
      checkEllipse(s, accept);
    } else {
      const hint = suggestion(s.key.name, ['ellipse', 'masks']);
      accept('CVR823', s.key.span, `lung_field has no setting "${s.key.name}"`, { hint: hint ?? what });
    }
  }
  if (masks.length > 0 && ellipses.length > 0) accept('CVR823', probe.span, 'lung_field declares both ellipses and a mask folder', { hint: 'keep one: the masks, or the ellipses' });
  if (masks.length === 0 && ellipses.length === 0) accept('CVR823', probe.name.span, 'lung_field declares no ellipse and no mask folder', { hint: `${what}; leave lung_field out for the default ellipses` });
}

function checkEllipse(s: ProbeSetting, accept: Accept): void {
  const values = [s.value, ...(s.more ?? [])];
  const names = ['centre across', 'centre down', 'half-width', 'half-height'];
  if (values.length !== 4 || values.some((v) => v.kind !== 'number' || /(%|deg)$/.test(v.raw))) {
    accept('CVR823', s.span, `an ellipse needs four numbers (${names.join(', ')}), got ${values.length}`, { hint: 'e.g. ellipse 0.30 0.44 0.15 0.31: fractions of the image width and height' });
    return;
  }
  values.forEach((v, i) => {
    if (v.kind !== 'number') return;
    const ok = i < 2 ? v.value > 0 && v.value < 1 : v.value > 0 && v.value <= 1;
    if (!ok) accept('CVR823', v.span, `the ellipse's ${names[i]} must be ${i < 2 ? 'between 0 and 1' : 'above 0 and at most 1'} (a fraction of the image), got ${v.raw}`);
  });
}
