/**
 * The audit's findings, one small function per finding (as dsl/checks is), each reading the
 * statistics (audit-stats.ts) and returning its diagnostics. They run in the order of
 * `AUDIT_CHECKS`, which is the order of the findings in audit.json.
 */
import type { Diagnostic } from '../diag/index.ts';
import { ROLE } from '../data/index.ts';
import { diagnostic, firstFew } from '../diag/index.ts';
import { pct } from './audit-report.ts';
import type { BaselineFold } from './audit-report.ts';
import type { AuditStats } from './audit-stats.ts';
import { nearClusterFindings, nearCrossingFinding, nearSourceFindings } from './near-duplicates.ts';

/** A source-only baseline at or above this is reported as confounding (CVR601). */
export const CONFOUNDING_BASELINE = 0.9;
/** Cramér's V at or above this is reported as a strong source-class association (CVR602). */
export const STRONG_ASSOCIATION = 0.5;
/** Largest / smallest class count at or above this is reported as imbalance (CVR630). */
export const IMBALANCE_RATIO = 3;

export type AuditCheck = (stats: AuditStats) => Diagnostic[];

/** CVR600: the summary, always reported. */
export function summaryFinding(stats: AuditStats): Diagnostic[] {
  const { baselineFolds, sourceOnlyBaseline, cramersV, multiFold } = stats;
  const unseen = [...new Set(baselineFolds.flatMap((f) => Object.entries(f.rule).filter(([, r]) => r.from === 'prior').map(([name]) => name)))];
  const priorNote =
    unseen.length > 0 && baselineFolds.length === 1
      ? `; unseen test source${unseen.length === 1 ? '' : 's'} ${unseen.join(', ')} get${unseen.length === 1 ? 's' : ''} the training prior ${baselineFolds[0]!.trainingPrior.class} (${pct(baselineFolds[0]!.trainingPrior.fraction)} of training)`
      : '';
  return [
    diagnostic('CVR600', `source-only baseline ${pct(sourceOnlyBaseline)}${multiFold ? ` (mean over ${baselineFolds.length} folds)` : ''}; Cramér's V between source and class ${cramersV.toFixed(2)}${priorNote}`, {
      data: { sourceOnlyBaseline, cramersV, folds: baselineFolds.map((f) => ({ fold: f.fold, accuracy: f.accuracy, testImages: f.testImages })) },
    }),
  ];
}

/** CVR601: the source alone predicts the test class well. */
export function confoundingFinding(stats: AuditStats): Diagnostic[] {
  const { baselineFolds, sourceOnlyBaseline, pipeline } = stats;
  if (!(baselineFolds.length > 0 && sourceOnlyBaseline >= CONFOUNDING_BASELINE)) return [];
  const bestFold = baselineFolds.reduce<BaselineFold | undefined>((a, b) => (a === undefined || b.accuracy > a.accuracy ? b : a), undefined);
  const rule = bestFold === undefined ? '' : Object.entries(bestFold.rule).map(([s, r]) => `${s} → ${r.class}`).join(', ');
  return [
    diagnostic('CVR601', `source-class confounding: predicting the class from the source alone (${rule}) scores ${pct(sourceOnlyBaseline)} on the test set`, {
      span: pipeline.spans['split'] ?? pipeline.spans['task'],
      data: { sourceOnlyBaseline, threshold: CONFOUNDING_BASELINE, folds: baselineFolds },
      hint: 'a network can reach this accuracy by recognising the dataset, not the disease; draw every class from several sources and test on sources never seen in training (`split holdout { test sources … }`)',
    }),
  ];
}

/** CVR602: a strong association between source and class. */
export function associationFinding(stats: AuditStats): Diagnostic[] {
  const { cramersV, classSources, pipeline } = stats;
  if (cramersV < STRONG_ASSOCIATION) return [];
  return [
    diagnostic('CVR602', `strong association between source and class (Cramér's V ${cramersV.toFixed(2)})`, {
      span: pipeline.spans['task'],
      data: { cramersV, threshold: STRONG_ASSOCIATION, classSources },
      hint: 'balance the classes within each source, or add sources that supply several classes',
    }),
  ];
}

/** CVR603: a class drawn from a single source that supplies no other class. */
export function singleSourceClassFindings(stats: AuditStats): Diagnostic[] {
  const { task, classSources, classesOfSource, encoded, pipeline } = stats;
  const out: Diagnostic[] = [];
  for (const c of task) {
    const list = classSources[c]!;
    if (list.length === 1 && classesOfSource(encoded.sourceIndex.get(list[0]!)!) === 1) {
      out.push(
        diagnostic('CVR603', `class ${c} comes only from source "${list[0]}", which supplies no other class`, {
          span: pipeline.spans[`source:${list[0]}`] ?? pipeline.spans['task'],
          data: { class: c, sources: list, images: encoded.cls.reduce((k, x) => k + (x === task.indexOf(c) ? 1 : 0), 0) },
          hint: `the source identifies ${c}; add ${c} images from other sources`,
        }),
      );
    }
  }
  return out;
}

/** CVR610 / CVR611: test sources that also appear in training or validation. */
export function sharedSourceFinding(stats: AuditStats): Diagnostic[] {
  const { sharedSources, split, pipeline } = stats;
  if (Object.keys(sharedSources).length === 0) return [];
  const all = [...new Set(Object.values(sharedSources).flat())];
  const random = split.form === 'kfold' || (pipeline.split.form === 'holdout' && pipeline.split.testSources === undefined);
  if (random) {
    return [
      diagnostic('CVR611', `the test sets are drawn from the same sources as training (${all.join(', ')}): the test is not independent`, {
        span: pipeline.spans['split'],
        data: { sharedSources },
        hint: 'an independent test holds out whole sources: `split holdout { test sources … }` or `split leave_source_out`',
      }),
    ];
  }
  return [
    diagnostic('CVR610', `test source${all.length === 1 ? '' : 's'} ${all.join(', ')} also appear${all.length === 1 ? 's' : ''} in training or validation: the test is not independent`, {
      span: pipeline.spans['split'],
      data: { sharedSources },
      hint: 'take the test images from sources that are not used for training (public benchmarks often mix them)',
    }),
  ];
}

/** CVR612: patients with images in a test set and in its training or validation. */
export function sharedPatientFinding(stats: AuditStats): Diagnostic[] {
  const { crossingPatients, encoded, pipeline } = stats;
  if (crossingPatients.size === 0) return [];
  const patientNames = [...encoded.patientIndex.keys()];
  const list = [...crossingPatients].map((p) => patientNames[p]!.replace('\u0000', '/'));
  return [
    diagnostic('CVR612', `${crossingPatients.size} patient(s) have images in both a test set and its training or validation: ${firstFew(list)}`, {
      span: pipeline.spans['split'],
      data: { count: crossingPatients.size, first: list.slice(0, 5) },
      hint: 'split by patient: `grouped by patient`, with patient ids from the manifest or `patients from path`',
    }),
  ];
}

/** CVR613: test images byte-identical to images in training or validation. */
export function sharedContentFinding(stats: AuditStats): Diagnostic[] {
  const { crossingContent, split, pipeline } = stats;
  if (crossingContent.size === 0) return [];
  const images = split.images;
  const list = [...crossingContent].map((i) => `${images[i]!.source}/${images[i]!.id}`);
  return [
    diagnostic('CVR613', `${crossingContent.size} test image(s) are byte-identical to images in training or validation: ${firstFew(list)}`, {
      span: pipeline.spans['split'],
      data: { count: crossingContent.size, first: list.slice(0, 5) },
      hint: 'remove the duplicates (often the same image published in two datasets)',
    }),
  ];
}

/** CVR620: byte-identical images in more than one source (only when the images were read). */
export function duplicateSourceFindings(stats: AuditStats): Diagnostic[] {
  const { split, hashes } = stats;
  if (hashes === undefined) return [];
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

/** CVR630: the worst class imbalance of a partition kind, naming the others over the ratio. */
export function imbalanceFinding(stats: AuditStats): Diagnostic[] {
  const { task, split, classBalance, pipeline } = stats;
  const worst = new Map<string, { fold: string; ratio: number; counts: Record<string, number> }>();
  for (const b of classBalance) {
    const present = task.map((c) => b.counts[c]!).filter((n) => n > 0);
    if (present.length < 2) continue;
    const ratio = Math.max(...present) / Math.min(...present);
    if (ratio >= IMBALANCE_RATIO && ratio > (worst.get(b.partition)?.ratio ?? 0)) worst.set(b.partition, { fold: b.fold, ratio, counts: { ...b.counts } });
  }
  const worstOverall = [...worst.entries()].sort((a, b) => b[1].ratio - a[1].ratio)[0];
  if (worstOverall === undefined) return [];
  const [partition, w] = worstOverall;
  const others = [...worst.entries()].filter(([p]) => p !== partition).map(([p, x]) => `${p} ${x.ratio.toFixed(1)}`);
  return [
    diagnostic('CVR630', `class imbalance: ${partition}${split.folds.length > 1 ? ` of ${w.fold}` : ''} has ${task.map((c) => `${c} ${w.counts[c]}`).join(', ')} (ratio ${w.ratio.toFixed(1)})${others.length > 0 ? `; also ${others.join(', ')}` : ''}`, {
      span: pipeline.spans['split'],
      data: { worst: { partition, ...w }, partitions: Object.fromEntries(worst), threshold: IMBALANCE_RATIO },
      hint: 'class weights (`class_weights balanced`) compensate in training; report per-class metrics (recall, F1), not accuracy alone',
    }),
  ];
}

/** CVR631: one finding per (partition, missing classes), naming every fold it happens in. */
export function absentClassFindings(stats: AuditStats): Diagnostic[] {
  const { task, split, classBalance, pipeline } = stats;
  const grouped = new Map<string, { partition: string; classes: string[]; folds: string[] }>();
  for (const b of classBalance) {
    const missing = task.filter((c) => b.counts[c] === 0);
    if (missing.length === 0) continue;
    const key = `${b.partition}\u0000${missing.join(',')}`;
    const g = grouped.get(key) ?? { partition: b.partition, classes: missing, folds: [] };
    g.folds.push(b.fold);
    grouped.set(key, g);
  }
  const named = split.folds.length > 1 || split.form === 'leave_source_out';
  return [...grouped.values()].map((a) => {
    const inTest = a.partition === 'test';
    return diagnostic('CVR631', `class${a.classes.length === 1 ? '' : 'es'} ${a.classes.join(', ')} absent from ${a.partition}${named ? ` of ${a.folds.join(', ')}` : ''}`, {
      span: pipeline.spans['split'],
      severity: inTest && split.form === 'leave_source_out' ? 'info' : 'warning',
      data: { folds: a.folds, partition: a.partition, classes: a.classes },
      hint: inTest
        ? 'metrics for the absent class cannot be computed on this test set'
        : a.partition === 'val'
          ? 'early stopping and model selection never see this class; add images or raise the validation fraction'
          : 'the model cannot learn a class it never sees in training',
    });
  });
}

/** CVR640: `validation test`. */
export function validationIsTestFinding(stats: AuditStats): Diagnostic[] {
  if (!stats.split.folds.some((f) => f.validationIsTest)) return [];
  return [
    diagnostic('CVR640', '`validation test` uses the test set for validation: early stopping and model selection then see the test labels, and the reported accuracy is optimistic', {
      span: stats.pipeline.spans['split'],
      data: { validation: 'test' },
      hint: 'carve validation from the training data: `validation 10% stratified`',
    }),
  ];
}

/** CVR641: validation was requested but a fold's validation set is empty. */
export function emptyValidationFinding(stats: AuditStats): Diagnostic[] {
  const { pipeline, split } = stats;
  const validationFraction = pipeline.split.validation.fraction;
  if (!(validationFraction > 0 && !pipeline.split.validation.fromTest)) return [];
  const empty = split.folds.filter((f) => !f.roles.some((r) => r === ROLE.val)).map((f) => f.name);
  if (empty.length === 0) return [];
  return [
    diagnostic('CVR641', `validation ${pct(validationFraction)} was requested but the validation set is empty in ${empty.join(', ')}`, {
      span: pipeline.spans['split'],
      data: { folds: empty, fraction: validationFraction },
      hint: 'the training data is too small for this fraction; raise it or add images',
    }),
  ];
}

export const AUDIT_CHECKS: readonly AuditCheck[] = [
  summaryFinding,
  confoundingFinding,
  associationFinding,
  singleSourceClassFindings,
  sharedSourceFinding,
  sharedPatientFinding,
  sharedContentFinding,
  duplicateSourceFindings,
  (stats) => nearCrossingFinding(stats.pipeline, stats.split, stats.nearPairs),
  (stats) => nearSourceFindings(stats.pipeline, stats.split, stats.nearPairs),
  (stats) => nearClusterFindings(stats.pipeline, stats.split, stats.nearPairs),
  imbalanceFinding,
  absentClassFindings,
  validationIsTestFinding,
  emptyValidationFinding,
];
