/**
 * The JSON document of one pipeline's audit (cli.md's `cvr audit --format json`, and the
 * `audit.json` of a run folder). Findings are passed in already rendered (with file, line and
 * column), since only the caller holds the source texts.
 */
import type { PipelineAudit } from './audit-pipeline.ts';

export function auditDocument<F>(result: PipelineAudit, findings: readonly F[], metadataOnly: boolean) {
  const report = result.report;
  return {
    pipeline: result.pipeline.name,
    seed: result.seed,
    split: report?.split ?? null,
    metadataOnly,
    counts: report?.counts ?? [],
    sourceOnlyBaseline: report?.sourceOnlyBaseline ?? null,
    baselineFolds: report?.baselineFolds ?? [],
    trainingPrior: report !== undefined && report.baselineFolds.length === 1 ? report.baselineFolds[0]!.trainingPrior : null,
    cramersV: report?.cramersV ?? null,
    independent: report?.independent ?? null,
    independence: report?.independence ?? null,
    classSources: report?.classSources ?? null,
    classBalance: report?.classBalance ?? [],
    labels: result.labels?.mapping ?? [],
    ledger: result.ledger ?? [],
    findings,
  };
}
