/**
 * The same file name in two sources (CVR673, info): a metadata-only hint of images one
 * collection took from another ("384 file names of source A also appear in source B"). Only
 * the base name counts (folders differ between collections); the pixels decide (CVR671).
 */
import type { Diagnostic } from '../diag/index.ts';
import type { ResolvedPipeline } from '../dsl/index.ts';
import { diagnostic, firstFew } from '../diag/index.ts';
import type { LabeledImage } from '../data/index.ts';

const EXAMPLES = 10;

function baseName(path: string): string {
  const i = Math.max(path.lastIndexOf('/'), path.lastIndexOf('\\'));
  return path.slice(i + 1);
}

export function sharedFileNameFindings(pipeline: ResolvedPipeline, images: readonly LabeledImage[]): Diagnostic[] {
  const order = new Map(pipeline.sources.map((s, i) => [s.name, i]));
  const namesBySource = new Map<string, Set<string>>();
  for (const img of images) {
    const set = namesBySource.get(img.source) ?? new Set<string>();
    set.add(baseName(img.absPath));
    namesBySource.set(img.source, set);
  }
  const sources = [...namesBySource.keys()].sort((x, y) => (order.get(x) ?? 0) - (order.get(y) ?? 0));
  const out: Diagnostic[] = [];
  for (let i = 0; i < sources.length; i++) {
    for (let j = i + 1; j < sources.length; j++) {
      const a = sources[i]!;
      const b = sources[j]!;
      const inB = namesBySource.get(b)!;
      const shared = [...namesBySource.get(a)!].filter((n) => inB.has(n)).sort();
      if (shared.length === 0) continue;
      out.push(
        diagnostic('CVR673', `${shared.length} file name(s) of source ${a} also appear in source ${b}: ${firstFew(shared, 3)}`, {
          span: pipeline.spans[`source:${b}`] ?? pipeline.spans['task'],
          data: { sources: [a, b], count: shared.length, examples: shared.slice(0, EXAMPLES) },
          hint: 'collections often republish each other\'s images under the same names; an audit that reads the images (without --metadata-only) compares their pixels',
        }),
      );
    }
  }
  return out;
}
