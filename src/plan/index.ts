/** plan/: the static audit, the execution DAG, lock files. */
export { audit, cramersVOf, describeSplit, CONFOUNDING_BASELINE, STRONG_ASSOCIATION, IMBALANCE_RATIO } from './audit.ts';
export type { AuditReport, AuditInput, BaselineFold, ClassBalance, CountRow, IndependenceReport } from './audit.ts';
export { auditPipeline } from './audit-pipeline.ts';
export type { AuditOptions, PipelineAudit } from './audit-pipeline.ts';
export type { Plan, PlanNode, PlanNodeKind } from './types.ts';
export { buildPlan, foldCount, nodeCacheDir } from './dag.ts';
export type { PlanOptions } from './dag.ts';
export { pipelineLock, lockFileOf, defaultLockPath, readLockFile, compareLocks, cvrVersion, LOCK_VERSION } from './lock.ts';
export type { LockFile, PipelineLock, SourceLock, LockedFile } from './lock.ts';
export { canonicalJson, sha256Hex } from './canonical.ts';
export { fileListHashes, dataFingerprints, sourceFingerprints, DIGEST_MEMO_FILE } from './fingerprint.ts';
export { auditDocument } from './audit-json.ts';
export { formatAudit, formatLabelMapping } from './audit-text.ts';
export { movedImages } from './lock.ts';
export { planRunKeys } from './run-keys.ts';
export { topNearPairs, type TopNearPair } from './near-duplicates.ts';
export { nearPairsOfPrepared, nearPairsOfImages, applyDedupe, prepareSources, storedTopPairs, type StoredNearPair, nearThreshold, prepId, type Deduped } from './near-audit.ts';
export { OUTPUT_SCHEMA_VERSIONS, currentKeyVersions, type KeyVersions } from './key-versions.ts';
