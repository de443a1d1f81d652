/**
 * The static bias audit: from labels and the split alone (no training) it measures how well the
 * source predicts the class, whether the test set is independent of training, duplicates,
 * imbalance and empty classes. Every finding is a Diagnostic with its numbers in `data`.
 */
import type { Diagnostic } from '../diag/index.ts';
import type { ResolvedPipeline } from '../dsl/index.ts';
import { ROLE, ROLE_NAMES, diagnostic, firstFew } from '../data/index.ts';
import type { SplitResult } from '../data/index.ts';

/** A source-only baseline at or above this is reported as confounding (CVR601). */
export const CONFOUNDING_BASELINE = 0.9;
/** Cramér's V at or above this is reported as a strong source-class association (CVR602). */
export const STRONG_ASSOCIATION = 0.5;
/** Largest / smallest class count at or above this is reported as imbalance (CVR630). */
export const IMBALANCE_RATIO = 3;

export interface CountRow {
  readonly source: string;
  readonly class: string;
  /** `train` / `val` / `test` for one-fold designs; `fold1:test` etc. for several folds. */
  readonly partition: string;
  readonly n: number;
}

export interface BaselineFold {
  readonly fold: string;
  readonly accuracy: number;
  readonly testImages: number;
  readonly correct: number;
  /** The class the rule predicts for each test source, and whether from the source or the prior. */
  readonly rule: Readonly<Record<string, { readonly class: string; readonly from: 'source' | 'prior' }>>;
  /** The majority class of all training data, and its share: what an unseen source scores. */
  readonly trainingPrior: { readonly class: string; readonly fraction: number };
}

export interface IndependenceReport {
  /** Per fold, the test sources that also appear in training or validation. */
  readonly sharedSources: Readonly<Record<string, readonly string[]>>;
  /** Distinct (source, patient) pairs in a test set and in that fold's training or validation. */
  readonly sharedPatients: number;
  /** Test images byte-identical to an image in training or validation; null when images were not read. */
  readonly sharedContent: number | null;
}

export interface AuditReport {
  readonly pipeline: string;
  readonly seed: number;
  readonly split: string;
  readonly metadataOnly: boolean;
  readonly counts: readonly CountRow[];
  readonly sourceOnlyBaseline: number;
  readonly baselineFolds: readonly BaselineFold[];
  readonly cramersV: number;
  readonly independent: boolean;
  readonly independence: IndependenceReport;
  /** For each task class, the sources that supply it. */
  readonly classSources: Readonly<Record<string, readonly string[]>>;
  /** Class counts of every partition of every fold, and largest / smallest (null when a class is absent). */
  readonly classBalance: readonly ClassBalance[];
  readonly findings: readonly Diagnostic[];
}

export interface ClassBalance {
  readonly fold: string;
  readonly partition: string;
  readonly counts: Readonly<Record<string, number>>;
  readonly ratio: number | null;
}

export interface AuditInput {
  readonly pipeline: ResolvedPipeline;
  readonly split: SplitResult;
  readonly seed: number;
  /** sha256 per image (same order as split.images), when the images were read. */
  readonly contentHashes?: readonly (string | undefined)[];
}

export function audit(input: AuditInput): AuditReport {
  const { pipeline, split } = input;
  const images = split.images;
  const task = pipeline.task.classes;
  const sourceOrder = pipeline.sources.map((s) => s.name);
  const findings: Diagnostic[] = [];
  const multiFold = split.folds.length > 1;

  // Images as small integers once, so the per-fold passes below allocate nothing per image.
  const sourceNames = [...sourceOrder];
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
  const S = sourceNames.length;
  const C = task.length;

  // Count table: per fold, role × source × class.
  const countRows: CountRow[] = [];
  const perFold = split.folds.map((fold) => {
    const table = new Float64Array(4 * S * C);
    for (let i = 0; i < n; i++) table[(fold.roles[i]! * S + src[i]!) * C + cls[i]!]!++;
    return table;
  });
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

  // Which sources supply each class.
  const supplies = new Uint8Array(S * C);
  for (let i = 0; i < n; i++) supplies[src[i]! * C + cls[i]!] = 1;
  const classSources: Record<string, string[]> = Object.fromEntries(task.map((c, ci) => [c, sourceNames.filter((_, s) => supplies[s * C + ci] === 1)]));
  const classesOfSource = (s: number): number => task.reduce((k, _, c) => k + supplies[s * C + c]!, 0);

  // Source-only baseline: the majority class of each source in the fold's training data
  // (train + validation), or the training prior for a source absent from it.
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
  const sourceOnlyBaseline = baselineFolds.length === 0 ? 0 : baselineFolds.reduce((sum, f) => sum + f.accuracy, 0) / baselineFolds.length;

  const cramersV = cramersVOf(images.map((i) => i.source), images.map((i) => i.taskClass));

  // Independence: sources, patients and content shared between a test set and its training.
  const sharedSources: Record<string, string[]> = {};
  const crossingPatients = new Set<number>();
  const crossingContent = new Set<number>();
  const hashes = input.contentHashes;
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
  const patientNames = [...patientIndex.keys()];
  const anySharedSource = Object.keys(sharedSources).length > 0;
  const independent = !anySharedSource && crossingPatients.size === 0 && crossingContent.size === 0 && !split.folds.some((f) => f.validationIsTest);
  const independence: IndependenceReport = {
    sharedSources,
    sharedPatients: crossingPatients.size,
    sharedContent: hashes === undefined ? null : crossingContent.size,
  };

  // Findings.
  const splitSpan = pipeline.spans['split'];
  const taskSpan = pipeline.spans['task'];
  const bestFold = baselineFolds.reduce<BaselineFold | undefined>((a, b) => (a === undefined || b.accuracy > a.accuracy ? b : a), undefined);
  const unseen = [...new Set(baselineFolds.flatMap((f) => Object.entries(f.rule).filter(([, r]) => r.from === 'prior').map(([name]) => name)))];
  const priorNote =
    unseen.length > 0 && baselineFolds.length === 1
      ? `; unseen test source${unseen.length === 1 ? '' : 's'} ${unseen.join(', ')} get${unseen.length === 1 ? 's' : ''} the training prior ${baselineFolds[0]!.trainingPrior.class} (${pct(baselineFolds[0]!.trainingPrior.fraction)} of training)`
      : '';
  findings.push(
    diagnostic('CVR600', `source-only baseline ${pct(sourceOnlyBaseline)}${multiFold ? ` (mean over ${baselineFolds.length} folds)` : ''}; Cramér's V between source and class ${cramersV.toFixed(2)}${priorNote}`, {
      data: { sourceOnlyBaseline, cramersV, folds: baselineFolds.map((f) => ({ fold: f.fold, accuracy: f.accuracy, testImages: f.testImages })) },
    }),
  );
  if (baselineFolds.length > 0 && sourceOnlyBaseline >= CONFOUNDING_BASELINE) {
    const rule = bestFold === undefined ? '' : Object.entries(bestFold.rule).map(([s, r]) => `${s} → ${r.class}`).join(', ');
    findings.push(
      diagnostic('CVR601', `source-class confounding: predicting the class from the source alone (${rule}) scores ${pct(sourceOnlyBaseline)} on the test set`, {
        span: splitSpan ?? taskSpan,
        data: { sourceOnlyBaseline, threshold: CONFOUNDING_BASELINE, folds: baselineFolds },
        hint: 'a network can reach this accuracy by recognising the dataset, not the disease; draw every class from several sources and test on sources never seen in training (`split holdout { test sources … }`)',
      }),
    );
  }
  if (cramersV >= STRONG_ASSOCIATION) {
    findings.push(
      diagnostic('CVR602', `strong association between source and class (Cramér's V ${cramersV.toFixed(2)})`, {
        span: taskSpan,
        data: { cramersV, threshold: STRONG_ASSOCIATION, classSources },
        hint: 'balance the classes within each source, or add sources that supply several classes',
      }),
    );
  }
  for (const c of task) {
    const list = classSources[c]!;
    if (list.length === 1 && classesOfSource(sourceIndex.get(list[0]!)!) === 1) {
      findings.push(
        diagnostic('CVR603', `class ${c} comes only from source "${list[0]}", which supplies no other class`, {
          span: pipeline.spans[`source:${list[0]}`] ?? taskSpan,
          data: { class: c, sources: list, images: cls.reduce((k, x) => k + (x === task.indexOf(c) ? 1 : 0), 0) },
          hint: `the source identifies ${c}; add ${c} images from other sources`,
        }),
      );
    }
  }
  if (anySharedSource) {
    const all = [...new Set(Object.values(sharedSources).flat())];
    const random = split.form === 'kfold' || (pipeline.split.form === 'holdout' && pipeline.split.testSources === undefined);
    if (random) {
      findings.push(
        diagnostic('CVR611', `the test sets are drawn from the same sources as training (${all.join(', ')}): the test is not independent`, {
          span: splitSpan,
          data: { sharedSources },
          hint: 'an independent test holds out whole sources: `split holdout { test sources … }` or `split leave_source_out`',
        }),
      );
    } else {
      findings.push(
        diagnostic('CVR610', `test source${all.length === 1 ? '' : 's'} ${all.join(', ')} also appear${all.length === 1 ? 's' : ''} in training or validation: the test is not independent`, {
          span: splitSpan,
          data: { sharedSources },
          hint: 'take the test images from sources that are not used for training (public benchmarks often mix them)',
        }),
      );
    }
  }
  if (crossingPatients.size > 0) {
    const list = [...crossingPatients].map((p) => patientNames[p]!.replace('\u0000', '/'));
    findings.push(
      diagnostic('CVR612', `${crossingPatients.size} patient(s) have images in both a test set and its training or validation: ${firstFew(list)}`, {
        span: splitSpan,
        data: { count: crossingPatients.size, first: list.slice(0, 5) },
        hint: 'split by patient: `grouped by patient`, with patient ids from the manifest or `patients from path`',
      }),
    );
  }
  if (crossingContent.size > 0) {
    const list = [...crossingContent].map((i) => `${images[i]!.source}/${images[i]!.id}`);
    findings.push(
      diagnostic('CVR613', `${crossingContent.size} test image(s) are byte-identical to images in training or validation: ${firstFew(list)}`, {
        span: splitSpan,
        data: { count: crossingContent.size, first: list.slice(0, 5) },
        hint: 'remove the duplicates (often the same image published in two datasets)',
      }),
    );
  }
  if (hashes !== undefined) findings.push(...duplicateSourceFindings(split, hashes));
  const classBalance: ClassBalance[] = [];
  findings.push(...balanceFindings(pipeline, split, perFold, S, classBalance));
  if (split.folds.some((f) => f.validationIsTest)) {
    findings.push(
      diagnostic('CVR640', '`validation test` uses the test set for validation: early stopping and model selection then see the test labels, and the reported accuracy is optimistic', {
        span: splitSpan,
        data: { validation: 'test' },
        hint: 'carve validation from the training data: `validation 10% stratified`',
      }),
    );
  }
  const validationFraction = pipeline.split.validation.fraction;
  if (validationFraction > 0 && !pipeline.split.validation.fromTest) {
    const empty = split.folds.filter((f) => !f.roles.some((r) => r === ROLE.val)).map((f) => f.name);
    if (empty.length > 0) {
      findings.push(
        diagnostic('CVR641', `validation ${pct(validationFraction)} was requested but the validation set is empty in ${empty.join(', ')}`, {
          span: splitSpan,
          data: { folds: empty, fraction: validationFraction },
          hint: 'the training data is too small for this fraction; raise it or add images',
        }),
      );
    }
  }
  return {
    pipeline: pipeline.name,
    seed: input.seed,
    split: describeSplit(pipeline),
    metadataOnly: hashes === undefined,
    counts: countRows,
    sourceOnlyBaseline,
    baselineFolds,
    cramersV,
    independent,
    independence,
    classSources,
    classBalance,
    findings,
  };
}

function duplicateSourceFindings(split: SplitResult, hashes: readonly (string | undefined)[]): Diagnostic[] {
  const bySum = new Map<string, number[]>();
  hashes.forEach((h, i) => {
    if (h === undefined) return;
    const list = bySum.get(h) ?? [];
    list.push(i);
    bySum.set(h, list);
  });
  const groups: string[][] = [];
  const pairs = new Map<string, number>();
  for (const members of bySum.values()) {
    const sources = [...new Set(members.map((i) => split.images[i]!.source))].sort();
    if (sources.length < 2) continue;
    groups.push(members.map((i) => `${split.images[i]!.source}/${split.images[i]!.id}`));
    const key = sources.join(' & ');
    pairs.set(key, (pairs.get(key) ?? 0) + 1);
  }
  if (groups.length === 0) return [];
  return [
    diagnostic('CVR620', `${groups.length} image(s) appear byte-identical in more than one source (${[...pairs].map(([k, n]) => `${k}: ${n}`).join(', ')}): ${firstFew(groups.map((g) => g.join(' = ')), 3)}`, {
      data: { count: groups.length, bySources: Object.fromEntries(pairs), first: groups.slice(0, 5) },
      hint: 'public datasets often redistribute each other\'s images; drop the copies from one source',
    }),
  ];
}

function balanceFindings(pipeline: ResolvedPipeline, split: SplitResult, perFold: readonly Float64Array[], S: number, balance: ClassBalance[]): Diagnostic[] {
  const task = pipeline.task.classes;
  const out: Diagnostic[] = [];
  const splitSpan = pipeline.spans['split'];
  const worst = new Map<string, { fold: string; ratio: number; counts: Record<string, number> }>();
  const absent: { fold: string; partition: string; classes: string[] }[] = [];
  const C = task.length;
  for (const [f, fold] of split.folds.entries()) {
    for (const role of [ROLE.train, ROLE.val, ROLE.test] as const) {
      const table = perFold[f]!;
      const counts: Record<string, number> = Object.fromEntries(task.map((c, ci) => [c, Array.from({ length: S }, (_, s) => table[(role * S + s) * C + ci]!).reduce((a, b) => a + b, 0)]));
      const total = Object.values(counts).reduce((a, b) => a + b, 0);
      if (total === 0) continue;
      const present = task.map((c) => counts[c]!).filter((n) => n > 0);
      balance.push({ fold: fold.name, partition: ROLE_NAMES[role], counts, ratio: present.length === task.length ? Math.max(...present) / Math.min(...present) : null });
      const missing = task.filter((c) => counts[c] === 0);
      if (missing.length > 0) absent.push({ fold: fold.name, partition: ROLE_NAMES[role], classes: missing });
      if (present.length < 2) continue;
      const ratio = Math.max(...present) / Math.min(...present);
      const name = ROLE_NAMES[role];
      if (ratio >= IMBALANCE_RATIO && ratio > (worst.get(name)?.ratio ?? 0)) worst.set(name, { fold: fold.name, ratio, counts });
    }
  }
  const worstOverall = [...worst.entries()].sort((a, b) => b[1].ratio - a[1].ratio)[0];
  if (worstOverall !== undefined) {
    const [partition, w] = worstOverall;
    const others = [...worst.entries()].filter(([p]) => p !== partition).map(([p, x]) => `${p} ${x.ratio.toFixed(1)}`);
    out.push(
      diagnostic('CVR630', `class imbalance: ${partition}${split.folds.length > 1 ? ` of ${w.fold}` : ''} has ${task.map((c) => `${c} ${w.counts[c]}`).join(', ')} (ratio ${w.ratio.toFixed(1)})${others.length > 0 ? `; also ${others.join(', ')}` : ''}`, {
        span: splitSpan,
        data: { worst: { partition, ...w }, partitions: Object.fromEntries(worst), threshold: IMBALANCE_RATIO },
        hint: 'class weights (`class_weights balanced`) compensate in training; report per-class metrics (recall, F1), not accuracy alone',
      }),
    );
  }
  // One finding per (partition, missing classes), naming every fold it happens in.
  const grouped = new Map<string, { partition: string; classes: string[]; folds: string[] }>();
  for (const a of absent) {
    const key = `${a.partition}\u0000${a.classes.join(',')}`;
    const g = grouped.get(key) ?? { partition: a.partition, classes: a.classes, folds: [] };
    g.folds.push(a.fold);
    grouped.set(key, g);
  }
  const named = split.folds.length > 1 || split.form === 'leave_source_out';
  for (const a of grouped.values()) {
    const inTest = a.partition === 'test';
    out.push(
      diagnostic('CVR631', `class${a.classes.length === 1 ? '' : 'es'} ${a.classes.join(', ')} absent from ${a.partition}${named ? ` of ${a.folds.join(', ')}` : ''}`, {
        span: splitSpan,
        severity: inTest && split.form === 'leave_source_out' ? 'info' : 'warning',
        data: { folds: a.folds, partition: a.partition, classes: a.classes },
        hint: inTest
          ? 'metrics for the absent class cannot be computed on this test set'
          : a.partition === 'val'
            ? 'early stopping and model selection never see this class; add images or raise the validation fraction'
            : 'the model cannot learn a class it never sees in training',
      }),
    );
  }
  return out;
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

export function describeSplit(pipeline: ResolvedPipeline): string {
  const s = pipeline.split;
  const validation = s.validation.fromTest ? ', validation = test' : s.validation.fraction > 0 ? `, validation ${pct(s.validation.fraction)}` : '';
  const grouped = s.groupByPatient ? ', grouped by patient' : '';
  switch (s.form) {
    case 'kfold':
      return `${s.k}-fold cross-validation${s.stratified ? ', stratified' : ''}${grouped}${validation}`;
    case 'holdout':
      return s.testSources !== undefined
        ? `independent holdout (test sources ${s.testSources.join(', ')})${validation}`
        : `random holdout (test ${pct(s.testFraction ?? 0.2)}${s.stratified ? ', stratified' : ''})${grouped}${validation}`;
    case 'leave_source_out':
      return `leave one source out${grouped}${validation}`;
    case 'given':
      return `given train/test partition${grouped}${validation}`;
  }
}

export function pct(x: number): string {
  const v = x * 100;
  return `${Number.isInteger(v) ? v.toFixed(0) : v.toFixed(1)}%`;
}
