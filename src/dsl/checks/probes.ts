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

/** Probes that are accepted by the language but not run yet (docs/probes.md): none since issue 15. */
export const PROBES_NOT_RUN: ReadonlySet<string> = new Set<string>();

export function checkProbes(p: EffectivePipeline, accept: Accept): void {
  for (const probe of p.probes?.probes ?? []) checkProbe(probe, accept);
}

function checkProbe(probe: ProbeDecl, accept: Accept): void {
  const name = probe.name.name;
  const known = SETTINGS[name];
  if (known === undefined || !(PROBE_NAMES as readonly string[]).includes(name)) {
    const hint = suggestion(name, PROBE_NAMES);
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
