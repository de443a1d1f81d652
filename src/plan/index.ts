/** plan/: the static audit, the execution DAG, lock files. */
export { audit, cramersVOf, describeSplit, CONFOUNDING_BASELINE, STRONG_ASSOCIATION, IMBALANCE_RATIO } from './audit.ts';
export type { AuditReport, AuditInput, BaselineFold, CountRow, IndependenceReport } from './audit.ts';
export { auditPipeline } from './audit-pipeline.ts';
export type { AuditOptions, PipelineAudit } from './audit-pipeline.ts';
export type { Plan, PlanNode, PlanNodeKind } from './types.ts';
