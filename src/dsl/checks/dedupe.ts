/**
 * `dedupe near { threshold T  keep first|none }` (language.md "Image-level evidence",
 * docs/dedupe.md): the method is `near` (CVR440), the settings are threshold and keep (CVR441),
 * the threshold a correlation in (0, 1] (CVR442), keep first or none (CVR443).
 */
import { suggestion } from '../../diag/index.ts';
import type { EffectivePipeline } from '../effective.ts';
import type { Accept } from '../report.ts';
import { DEDUPE_KEEP } from '../resolved.ts';

const KEYS = ['threshold', 'keep'] as const;

export function checkDedupe(p: EffectivePipeline, accept: Accept): void {
  const d = p.dedupe;
  if (d === undefined) return;
  if (d.method.name !== 'near') {
    const hint = suggestion(d.method.name, ['near']);
    accept('CVR440', d.method.span, `unknown dedupe method "${d.method.name}" (cvr knows \`dedupe near\`)`, { hint: hint ?? 'write `dedupe near { threshold 0.95  keep first }`' });
    return;
  }
  for (const s of d.settings) {
    if (s.key.name === 'threshold') {
      const v = s.value;
      if (v.kind !== 'number' || v.unit !== 'none' || !(v.value > 0 && v.value <= 1)) {
        accept('CVR442', v.span, `dedupe near threshold must be a number in (0, 1], got ${v.kind === 'number' ? v.raw : `"${v.name}"`}`, { hint: 'a correlation of aligned thumbnails; 0.95 is the default (docs/dedupe.md)' });
      }
    } else if (s.key.name === 'keep') {
      const v = s.value;
      if (v.kind !== 'ident' || !(DEDUPE_KEEP as readonly string[]).includes(v.name)) {
        const word = v.kind === 'ident' ? v.name : v.raw;
        const hint = v.kind === 'ident' ? suggestion(v.name, DEDUPE_KEEP) : undefined;
        accept('CVR443', v.span, `dedupe near keep must be first or none, got "${word}"`, { hint: hint ?? '`keep first` keeps the first copy in source order, `keep none` removes them all' });
      }
    } else {
      const hint = suggestion(s.key.name, KEYS);
      accept('CVR441', s.key.span, `dedupe near has no setting "${s.key.name}" (it takes threshold, keep)`, hint === undefined ? {} : { hint });
    }
  }
}
