/**
 * Audit findings from near-duplicate pairs (docs/dedupe.md): the pairs come from data/dedupe
 * (signatures of the prepared images, candidate search, pixel verification), as indices into
 * `split.images`. CVR672 test ↔ training/validation (error: the test is not independent),
 * CVR671 two sources sharing images (warning), CVR670 copies within one partition (info).
 */
import type { Diagnostic } from '../diag/index.ts';
import { diagnostic, firstFew } from '../diag/index.ts';
import { ROLE, ROLE_NAMES } from '../data/index.ts';
import type { NearPair, SplitResult } from '../data/index.ts';
import type { ResolvedPipeline } from '../dsl/index.ts';

/** A pair as findings show it: both images, their similarity, and where each one is. */
export interface NearExample {
  readonly a: string;
  readonly b: string;
  readonly similarity: number;
  readonly fold?: string;
}

const EXAMPLES = 10;

function nameOf(split: SplitResult, i: number): string {
  const img = split.images[i]!;
  return `${img.source}/${img.id}`;
}

function example(split: SplitResult, p: NearPair, fold?: string): NearExample {
  const e = { a: nameOf(split, p.a), b: nameOf(split, p.b), similarity: Math.round(p.similarity * 1000) / 1000 };
  return fold === undefined ? e : { ...e, fold };
}

/** Test images with a near-duplicate in the same fold's training or validation, with one pair each. */
export function crossingNearPairs(split: SplitResult, pairs: readonly NearPair[]): { tests: Set<number>; examples: NearExample[] } {
  const tests = new Set<number>();
  const examples: NearExample[] = [];
  for (const fold of split.folds) {
    for (const p of pairs) {
      const ra = fold.roles[p.a]!;
      const rb = fold.roles[p.b]!;
      const learn = (r: number): boolean => r === ROLE.train || r === ROLE.val;
      const test = ra === ROLE.test && learn(rb) ? p.a : rb === ROLE.test && learn(ra) ? p.b : -1;
      if (test < 0) continue;
      if (!tests.has(test) && examples.length < EXAMPLES) {
        const other = test === p.a ? p.b : p.a;
        examples.push(example(split, { a: test, b: other, similarity: p.similarity }, fold.name));
      }
      tests.add(test);
    }
  }
  return { tests, examples };
}

export function nearCrossingFinding(pipeline: ResolvedPipeline, split: SplitResult, pairs: readonly NearPair[] | undefined): Diagnostic[] {
  if (pairs === undefined) return [];
  const { tests, examples } = crossingNearPairs(split, pairs);
  if (tests.size === 0) return [];
  return [
    diagnostic('CVR672', `${tests.size} test image(s) are near-duplicates of training or validation images (the test is not independent): ${firstFew(examples.map((e) => `${e.a} ≈ ${e.b} (${e.similarity.toFixed(3)})`), 3)}`, {
      span: pipeline.spans['split'],
      data: { count: tests.size, examples },
      hint: 'the same image, re-encoded, resized or cropped, is in both; `dedupe near { threshold 0.95 keep first }` removes later copies before the split',
    }),
  ];
}

export function nearSourceFindings(pipeline: ResolvedPipeline, split: SplitResult, pairs: readonly NearPair[] | undefined): Diagnostic[] {
  if (pairs === undefined) return [];
  const bySources = new Map<string, { images: Set<number>; examples: NearExample[] }>();
  for (const p of pairs) {
    const sa = split.images[p.a]!.source;
    const sb = split.images[p.b]!.source;
    if (sa === sb) continue;
    const key = [sa, sb].sort().join('\u0000');
    const entry = bySources.get(key) ?? { images: new Set<number>(), examples: [] };
    // counted once per image of the later source: "B shares 41 images with A"
    entry.images.add(sa < sb ? p.b : p.a);
    if (entry.examples.length < EXAMPLES) entry.examples.push(example(split, p));
    bySources.set(key, entry);
  }
  return [...bySources].sort((x, y) => (x[0] < y[0] ? -1 : 1)).map(([key, e]) => {
    const [a, b] = key.split('\u0000') as [string, string];
    return diagnostic('CVR671', `sources ${a} and ${b} share ${e.images.size} image(s) (near-duplicates): ${firstFew(e.examples.map((x) => `${x.a} ≈ ${x.b}`), 3)}`, {
      span: pipeline.spans[`source:${b}`] ?? pipeline.spans['task'],
      data: { sources: [a, b], count: e.images.size, examples: e.examples },
      hint: 'public collections republish each other; keep one copy (`dedupe near { keep first }`) or drop one source',
    });
  });
}

export function nearClusterFindings(pipeline: ResolvedPipeline, split: SplitResult, pairs: readonly NearPair[] | undefined): Diagnostic[] {
  if (pairs === undefined || split.folds.length === 0) return [];
  // Within one partition of the first fold (each fold repeats the same images).
  const fold = split.folds[0]!;
  const byPartition = new Map<string, { images: Set<number>; examples: NearExample[] }>();
  for (const p of pairs) {
    const r = fold.roles[p.a]!;
    if (r !== fold.roles[p.b] || r === ROLE.none) continue;
    const name = ROLE_NAMES[r] ?? String(r);
    const entry = byPartition.get(name) ?? { images: new Set<number>(), examples: [] };
    entry.images.add(p.a).add(p.b);
    if (entry.examples.length < EXAMPLES) entry.examples.push(example(split, p));
    byPartition.set(name, entry);
  }
  return [...byPartition].map(([partition, e]) =>
    diagnostic('CVR670', `${e.images.size} image(s) of ${partition}${split.folds.length > 1 ? ` (${fold.name})` : ''} have near-duplicates in the same partition: ${firstFew(e.examples.map((x) => `${x.a} ≈ ${x.b}`), 3)}`, {
      span: pipeline.spans['split'],
      data: { partition, count: e.images.size, examples: e.examples },
      hint: 'copies weigh an image twice in training and evaluation; `dedupe near` keeps one',
    }),
  );
}

/** A pair the report shows side by side: test ↔ training first, then across sources, then within a partition. */
export interface TopNearPair extends NearExample {
  readonly kind: 'test-training' | 'sources' | 'partition';
  /** Indices into `split.images`. */
  readonly ia: number;
  readonly ib: number;
}

export function topNearPairs(split: SplitResult, pairs: readonly NearPair[], n = 6): TopNearPair[] {
  const kindOf = (p: NearPair): TopNearPair['kind'] => {
    const crossing = split.folds.some((f) => {
      const ra = f.roles[p.a]!;
      const rb = f.roles[p.b]!;
      const learn = (r: number): boolean => r === ROLE.train || r === ROLE.val;
      return (ra === ROLE.test && learn(rb)) || (rb === ROLE.test && learn(ra));
    });
    if (crossing) return 'test-training';
    if (split.images[p.a]!.source !== split.images[p.b]!.source) return 'sources';
    return 'partition';
  };
  const rank = { 'test-training': 0, sources: 1, partition: 2 } as const;
  return pairs
    .map((p) => ({ p, kind: kindOf(p) }))
    .sort((x, y) => rank[x.kind] - rank[y.kind] || y.p.similarity - x.p.similarity)
    .slice(0, n)
    .map(({ p, kind }) => ({ ...example(split, p), kind, ia: p.a, ib: p.b }));
}
