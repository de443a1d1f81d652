/**
 * The audit's statistics, computed once from the labels and the split (no training): counts per
 * fold × role × source × class, which sources supply which class, the source-only baseline,
 * Cramér's V, what a test set shares with its training, and the class balance of every
 * partition. The checks (audit-checks.ts) only read this record.
 */
import type { ResolvedPipeline } from '../dsl/index.ts';
import { ROLE, ROLE_NAMES } from '../data/index.ts';
import type { SplitResult } from '../data/index.ts';
import type { AuditInput, BaselineFold, ClassBalance, CountRow, IndependenceReport } from './audit-report.ts';
import { crossingNearPairs } from './near-duplicates.ts';

/** The images as small integers (source, class, patient), so the per-fold passes allocate nothing per image. */
export interface EncodedImages {
  readonly sourceNames: readonly string[];
  readonly sourceIndex: ReadonlyMap<string, number>;
  readonly patientIndex: ReadonlyMap<string, number>;
  readonly src: Int32Array;
  readonly cls: Int32Array;
  /** -1 where the image has no patient. */
  readonly pat: Int32Array;
}

export interface AuditStats {
  readonly pipeline: ResolvedPipeline;
  readonly split: SplitResult;
  readonly task: readonly string[];
  readonly multiFold: boolean;
  readonly encoded: EncodedImages;
  /** S = sources, C = classes; `perFold[f][(role * S + s) * C + c]` counts images. */
  readonly S: number;
  readonly C: number;
  readonly perFold: readonly Float64Array[];
  readonly countRows: readonly CountRow[];
  readonly classSources: Readonly<Record<string, readonly string[]>>;
  /** How many classes source s supplies. */
  readonly classesOfSource: (s: number) => number;
  readonly baselineFolds: readonly BaselineFold[];
  readonly sourceOnlyBaseline: number;
  readonly cramersV: number;
  readonly hashes: readonly (string | undefined)[] | undefined;
  readonly sharedSources: Readonly<Record<string, readonly string[]>>;
  /** Patient indices (of `encoded.patientIndex`) in a test set and in that fold's training or validation. */
  readonly crossingPatients: ReadonlySet<number>;
  /** Test image indices byte-identical to an image in that fold's training or validation. */
  readonly crossingContent: ReadonlySet<number>;
  /** Verified near-duplicate pairs, when the images were compared. */
  readonly nearPairs: AuditInput['nearPairs'];
  /** Test image indices that are near-duplicates of that fold's training or validation images. */
  readonly crossingNear: ReadonlySet<number>;
  readonly independent: boolean;
  readonly independence: IndependenceReport;
  readonly classBalance: readonly ClassBalance[];
}

export function auditStatistics(input: AuditInput): AuditStats {
  const { pipeline, split } = input;
  const task = pipeline.task.classes;
  const encoded = encodeImages(pipeline, split);
  const S = encoded.sourceNames.length;
  const C = task.length;
  const perFold = countTables(split, encoded, S, C);
  const supplies = new Uint8Array(S * C);
  for (let i = 0; i < split.images.length; i++) supplies[encoded.src[i]! * C + encoded.cls[i]!] = 1;
  const classSources: Record<string, string[]> = Object.fromEntries(task.map((c, ci) => [c, encoded.sourceNames.filter((_, s) => supplies[s * C + ci] === 1)]));
  const classesOfSource = (s: number): number => task.reduce((k, _, c) => k + supplies[s * C + c]!, 0);
  const baselineFolds = sourceOnlyBaselines(split, task, encoded.sourceNames, perFold);
  const sourceOnlyBaseline = baselineFolds.length === 0 ? 0 : baselineFolds.reduce((sum, f) => sum + f.accuracy, 0) / baselineFolds.length;
  const cramersV = cramersVOf(split.images.map((i) => i.source), split.images.map((i) => i.taskClass));
  const hashes = input.contentHashes;
  const shared = sharedWithTraining(split, task, encoded, perFold, hashes);
  const anySharedSource = Object.keys(shared.sharedSources).length > 0;
  const crossingNear = input.nearPairs === undefined ? new Set<number>() : crossingNearPairs(split, input.nearPairs).tests;
  const independent = !anySharedSource && shared.crossingPatients.size === 0 && shared.crossingContent.size === 0 && crossingNear.size === 0 && !split.folds.some((f) => f.validationIsTest);
  return {
    pipeline,
    split,
    task,
    multiFold: split.folds.length > 1,
    encoded,
    S,
    C,
    perFold,
    countRows: countRowsOf(split, task, encoded.sourceNames, perFold),
    classSources,
    classesOfSource,
    baselineFolds,
    sourceOnlyBaseline,
    cramersV,
    hashes,
    ...shared,
    nearPairs: input.nearPairs,
    crossingNear,
    independent,
    independence: {
      sharedSources: shared.sharedSources,
      sharedPatients: shared.crossingPatients.size,
      sharedContent: hashes === undefined ? null : shared.crossingContent.size,
      ...(input.nearPairs === undefined ? {} : { nearDuplicates: crossingNear.size }),
    },
    classBalance: classBalanceOf(task, split, perFold, S),
  };
}

function encodeImages(pipeline: ResolvedPipeline, split: SplitResult): EncodedImages {
  const images = split.images;
  const task = pipeline.task.classes;
  const sourceNames = pipeline.sources.map((s) => s.name);
  const sourceIndex = new Map(sourceNames.map((s, i) => [s, i]));
  const classIndex = new Map(task.map((c, i) => [c, i]));
  const patientIndex = new Map<string, number>();
  const n = images.length;
  const src = new Int32Array(n);
  const cls = new Int32Array(n);
  const pat = new Int32Array(n).fill(-1);
  for (let i = 0; i < n; i++) {
    const image = images[i]!;
    let s = sourceIndex.get(image.source);
    if (s === undefined) {
      s = sourceNames.length;
      sourceNames.push(image.source);
      sourceIndex.set(image.source, s);
    }
    src[i] = s;
    cls[i] = classIndex.get(image.taskClass) ?? 0;
    if (image.patient !== undefined) {
      const key = `${image.source}\u0000${image.patient}`;
      let p = patientIndex.get(key);
      if (p === undefined) {
        p = patientIndex.size;
        patientIndex.set(key, p);
      }
      pat[i] = p;
    }
  }
  return { sourceNames, sourceIndex, patientIndex, src, cls, pat };
}

/** Count table: per fold, role × source × class. */
function countTables(split: SplitResult, encoded: EncodedImages, S: number, C: number): Float64Array[] {
  const { src, cls } = encoded;
  const n = split.images.length;
  return split.folds.map((fold) => {
    const table = new Float64Array(4 * S * C);
    for (let i = 0; i < n; i++) table[(fold.roles[i]! * S + src[i]!) * C + cls[i]!]!++;
    return table;
  });
}

function countRowsOf(split: SplitResult, task: readonly string[], sourceNames: readonly string[], perFold: readonly Float64Array[]): CountRow[] {
  const S = sourceNames.length;
  const C = task.length;
  const multiFold = split.folds.length > 1;
  const countRows: CountRow[] = [];
  for (let s = 0; s < S; s++) {
    for (let c = 0; c < C; c++) {
      split.folds.forEach((fold, f) => {
        for (const role of [ROLE.train, ROLE.val, ROLE.test]) {
          const count = perFold[f]![(role * S + s) * C + c]!;
          if (count === 0) continue;
          countRows.push({ source: sourceNames[s]!, class: task[c]!, partition: multiFold ? `${fold.name}:${ROLE_NAMES[role]}` : ROLE_NAMES[role], n: count });
        }
      });
    }
  }
  return countRows;
}

/**
 * Source-only baseline: the majority class of each source in the fold's training data
 * (train + validation), or the training prior for a source absent from it.
 */
function sourceOnlyBaselines(split: SplitResult, task: readonly string[], sourceNames: readonly string[], perFold: readonly Float64Array[]): BaselineFold[] {
  const S = sourceNames.length;
  const C = task.length;
  const baselineFolds: BaselineFold[] = [];
  split.folds.forEach((fold, f) => {
    const table = perFold[f]!;
    const training = (s: number, c: number): number => table[(ROLE.train * S + s) * C + c]! + table[(ROLE.val * S + s) * C + c]!;
    const overall = task.map((_, c) => sourceNames.reduce((k, _s, s) => k + training(s, c), 0));
    const trainingTotal = overall.reduce((a, b) => a + b, 0);
    const prior = argmax(overall);
    const rule: Record<string, { class: string; from: 'source' | 'prior' }> = {};
    let testImages = 0;
    let correct = 0;
    for (let s = 0; s < S; s++) {
      const tested = task.map((_, c) => table[(ROLE.test * S + s) * C + c]!);
      const nTest = tested.reduce((a, b) => a + b, 0);
      if (nTest === 0) continue;
      const seen = task.map((_, c) => training(s, c));
      const fromSource = seen.some((k) => k > 0);
      const predicted = fromSource ? argmax(seen) : prior;
      rule[sourceNames[s]!] = { class: task[predicted]!, from: fromSource ? 'source' : 'prior' };
      testImages += nTest;
      correct += tested[predicted]!;
    }
    if (testImages === 0) return;
    baselineFolds.push({
      fold: fold.name,
      accuracy: correct / testImages,
      testImages,
      correct,
      rule,
      trainingPrior: { class: task[prior]!, fraction: trainingTotal === 0 ? 0 : overall[prior]! / trainingTotal },
    });
  });
  return baselineFolds;
}

/** Independence: sources, patients and content shared between a test set and its training. */
function sharedWithTraining(
  split: SplitResult,
  task: readonly string[],
  encoded: EncodedImages,
  perFold: readonly Float64Array[],
  hashes: readonly (string | undefined)[] | undefined,
): { sharedSources: Record<string, string[]>; crossingPatients: Set<number>; crossingContent: Set<number> } {
  const { sourceNames, patientIndex, pat } = encoded;
  const S = sourceNames.length;
  const C = task.length;
  const n = split.images.length;
  const sharedSources: Record<string, string[]> = {};
  const crossingPatients = new Set<number>();
  const crossingContent = new Set<number>();
  const trainPatients = new Uint8Array(patientIndex.size);
  split.folds.forEach((fold, f) => {
    const table = perFold[f]!;
    trainPatients.fill(0);
    const trainHashes = new Set<string>();
    for (let i = 0; i < n; i++) {
      const role = fold.roles[i]!;
      if (role !== ROLE.train && role !== ROLE.val) continue;
      if (pat[i]! >= 0) trainPatients[pat[i]!] = 1;
      const h = hashes?.[i];
      if (h !== undefined) trainHashes.add(h);
    }
    for (let i = 0; i < n; i++) {
      if (fold.roles[i] !== ROLE.test) continue;
      if (pat[i]! >= 0 && trainPatients[pat[i]!] === 1) crossingPatients.add(pat[i]!);
      const h = hashes?.[i];
      if (h !== undefined && trainHashes.has(h)) crossingContent.add(i);
    }
    const sum = (role: number, s: number): number => task.reduce((k, _, c) => k + table[(role * S + s) * C + c]!, 0);
    const shared = sourceNames.filter((_, s) => sum(ROLE.test, s) > 0 && sum(ROLE.train, s) + sum(ROLE.val, s) > 0);
    if (shared.length > 0) sharedSources[fold.name] = shared;
  });
  return { sharedSources, crossingPatients, crossingContent };
}

/** Class counts of every non-empty partition of every fold, and largest / smallest (null when a class is absent). */
function classBalanceOf(task: readonly string[], split: SplitResult, perFold: readonly Float64Array[], S: number): ClassBalance[] {
  const C = task.length;
  const balance: ClassBalance[] = [];
  for (const [f, fold] of split.folds.entries()) {
    for (const role of [ROLE.train, ROLE.val, ROLE.test] as const) {
      const table = perFold[f]!;
      const counts: Record<string, number> = Object.fromEntries(task.map((c, ci) => [c, Array.from({ length: S }, (_, s) => table[(role * S + s) * C + ci]!).reduce((a, b) => a + b, 0)]));
      const total = Object.values(counts).reduce((a, b) => a + b, 0);
      if (total === 0) continue;
      const present = task.map((c) => counts[c]!).filter((n) => n > 0);
      balance.push({ fold: fold.name, partition: ROLE_NAMES[role], counts, ratio: present.length === task.length ? Math.max(...present) / Math.min(...present) : null });
    }
  }
  return balance;
}

/** Index of the largest count; ties go to the earlier class in task order. */
function argmax(counts: readonly number[]): number {
  let best = 0;
  for (let c = 1; c < counts.length; c++) if (counts[c]! > counts[best]!) best = c;
  return best;
}

/** Cramér's V of two categorical variables over the same observations; 0 when either has one level. */
export function cramersVOf(a: readonly string[], b: readonly string[]): number {
  const n = a.length;
  if (n === 0) return 0;
  const rows = [...new Set(a)];
  const cols = [...new Set(b)];
  const k = Math.min(rows.length, cols.length);
  if (k < 2) return 0;
  const table = new Map<string, number>();
  const rowTotals = new Map<string, number>();
  const colTotals = new Map<string, number>();
  for (let i = 0; i < n; i++) {
    const key = `${a[i]}\u0000${b[i]}`;
    table.set(key, (table.get(key) ?? 0) + 1);
    rowTotals.set(a[i]!, (rowTotals.get(a[i]!) ?? 0) + 1);
    colTotals.set(b[i]!, (colTotals.get(b[i]!) ?? 0) + 1);
  }
  let chi2 = 0;
  for (const r of rows) {
    for (const c of cols) {
      const expected = (rowTotals.get(r)! * colTotals.get(c)!) / n;
      const observed = table.get(`${r}\u0000${c}`) ?? 0;
      chi2 += (observed - expected) ** 2 / expected;
    }
  }
  return Math.min(1, Math.sqrt(chi2 / (n * (k - 1))));
}
