/** `audit`: the static audit over the split and the images' content hashes; its errors stop the run. */
import { audit, lockFileOf, nearPairsOfPrepared, pipelineLock, storedTopPairs, type AuditReport, type LockFile, type StoredNearPair } from '../../plan/index.ts';
import { DEFAULT_THRESHOLD, hashFiles, type SourceLedger } from '../../data/index.ts';
import { preparedFromCache } from '../relocate.ts';
import { prepNode } from './prep.ts';
import { NodeFailure } from '../executor.ts';
import { restoreSplit } from './kit.ts';
import { defineNode, many } from './contract.ts';
import { splitNode } from './split.ts';

/**
 * The audit report with the ledger (audit.json's `ledger`, in `cvr audit --format json`'s shape)
 * and the data fingerprint in `cvr lock`'s format (so `cvr diff` reads a run folder's lock.json).
 */
export type AuditOutput = AuditReport & { readonly ledger: readonly SourceLedger[]; readonly dataLock: LockFile | undefined; readonly nearDuplicates?: readonly StoredNearPair[] };

export const auditNode = defineNode({
  kind: 'audit',
  outputSchemaVersion: 3,
  inputs: { split: splitNode, prep: many(prepNode) },
  run: async ({ node, inputs, ctx, kit }): Promise<AuditOutput> => {
    const { options, pipeline, seed } = kit;
    const split = restoreSplit(inputs.split);
    const ledger = inputs.split.ledger ?? [];
    const hashed = await hashFiles(split.images.map((i) => i.absPath));
    if (hashed.failures.length > 0) {
      throw new NodeFailure(`${hashed.failures.length} image file(s) could not be read, e.g. ${hashed.failures.slice(0, 3).map((f) => f.path).join(', ')}`);
    }
    // Near-duplicates from the prep nodes' signatures (docs/dedupe.md); no image is decoded here.
    const prepared = inputs.prep.map((p) => preparedFromCache(p, options.cacheDir));
    const threshold = typeof node.config['nearThreshold'] === 'number' ? node.config['nearThreshold'] : DEFAULT_THRESHOLD;
    const nearPairs = prepared.length === 0 ? undefined : await nearPairsOfPrepared(split, prepared, threshold);
    const base = { pipeline, split, seed, contentHashes: hashed.hashes };
    const report: AuditReport = audit(nearPairs === undefined ? base : { ...base, nearPairs });
    const errors = report.findings.filter((f) => f.severity === 'error');
    if (errors.length > 0) {
      // Show the findings before stopping: the audit is why this run does not train.
      ctx.emit({
        type: 'audit',
        t: ctx.now(),
        sourceOnlyBaseline: report.sourceOnlyBaseline,
        cramersV: report.cramersV,
        independent: report.independent,
        findings: report.findings.map((f) => ({ code: f.code, severity: f.severity, message: f.message })),
        ledger,
      });
      throw new NodeFailure(`the audit found ${errors.length} error(s); fix the design before training:\n${options.render(errors)}`, errors);
    }
    const lock = pipelineLock({ pipeline, seed, diagnostics: [], split, contentHashes: hashed.hashes, report, ledger });
    // The top near-duplicate pairs with their thumbnails, for the report (docs/dedupe.md).
    const nearDuplicates = nearPairs === undefined || nearPairs.length === 0 ? undefined : await storedTopPairs(split, prepared, nearPairs);
    return { ...report, ledger, dataLock: lock === undefined ? undefined : lockFileOf({ [pipeline.name]: lock }), ...(nearDuplicates === undefined ? {} : { nearDuplicates }) };
  },
});
