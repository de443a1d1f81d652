/**
 * The static bias audit: from labels and the split alone (no training) it measures how well the
 * source predicts the class, whether the test set is independent of training, duplicates,
 * imbalance and empty classes. Every finding is a Diagnostic with its numbers in `data`.
 * The statistics are computed once (audit-stats.ts); each finding is one check over them
 * (audit-checks.ts).
 */
import type { ResolvedPipeline } from '../dsl/index.ts';
import type { AuditInput, AuditReport } from './audit-report.ts';
import { pct } from './audit-report.ts';
import { auditStatistics } from './audit-stats.ts';
import { AUDIT_CHECKS } from './audit-checks.ts';

export type { AuditInput, AuditReport, BaselineFold, ClassBalance, CountRow, IndependenceReport } from './audit-report.ts';
export { pct } from './audit-report.ts';
export { cramersVOf } from './audit-stats.ts';
export { CONFOUNDING_BASELINE, STRONG_ASSOCIATION, IMBALANCE_RATIO, AUDIT_CHECKS, type AuditCheck } from './audit-checks.ts';

export function audit(input: AuditInput): AuditReport {
  const stats = auditStatistics(input);
  return {
    pipeline: input.pipeline.name,
    seed: input.seed,
    split: describeSplit(input.pipeline),
    metadataOnly: stats.hashes === undefined,
    counts: stats.countRows,
    sourceOnlyBaseline: stats.sourceOnlyBaseline,
    baselineFolds: stats.baselineFolds,
    cramersV: stats.cramersV,
    independent: stats.independent,
    independence: stats.independence,
    classSources: stats.classSources,
    classBalance: stats.classBalance,
    findings: AUDIT_CHECKS.flatMap((check) => check(stats)),
  };
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
