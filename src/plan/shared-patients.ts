/**
 * The same patient id in two sources (CVR660): possibly one person published twice, so a
 * grouped split may put them on both sides. With `patients shared across sources` the split
 * groups by the id alone (see `data/split.ts`), and the finding is not raised.
 */
import type { Diagnostic } from '../diag/index.ts';
import type { ResolvedPipeline } from '../dsl/index.ts';
import { diagnostic, firstFew } from '../diag/index.ts';
import type { LabeledImage } from '../data/index.ts';

export function sharedPatientFindings(pipeline: ResolvedPipeline, images: readonly LabeledImage[]): Diagnostic[] {
  if (pipeline.patientsShared === true) return [];
  const sourcesOf = new Map<string, Set<string>>();
  for (const image of images) {
    if (image.patient === undefined) continue;
    let set = sourcesOf.get(image.patient);
    if (set === undefined) {
      set = new Set();
      sourcesOf.set(image.patient, set);
    }
    set.add(image.source);
  }
  const shared = [...sourcesOf].filter(([, s]) => s.size > 1).sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  if (shared.length === 0) return [];
  const examples = shared.slice(0, 5).map(([p, s]) => `${p} (${[...s].sort().join(', ')})`);
  return [
    diagnostic('CVR660', `${shared.length} patient id(s) appear in more than one source, possibly the same person: ${firstFew(examples.map((e) => e), 5)}`, {
      span: pipeline.spans['task'],
      data: { count: shared.length, examples: shared.slice(0, 10).map(([patient, s]) => ({ patient, sources: [...s].sort() })) },
      hint: 'if the ids name the same people, say `patients shared across sources` so grouped splits keep each patient on one side',
    }),
  ];
}
