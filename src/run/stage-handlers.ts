/**
 * The real node handlers: each plan node kind runs its stage's function (data scanning, labels,
 * split and audit from data/ and plan/; preprocessing, training, prediction and metrics from
 * data/, train/ and evaluate/) and returns a JSON output the cache stores. User problems (bad
 * files, an audit error, a diverging loss) become `NodeFailure`s with the stage's diagnostics.
 * One module per node kind under nodes/, each a contract (nodes/contract.ts); what they share is
 * nodes/kit.ts.
 */
import type { PlanNodeKind } from '../plan/index.ts';
import type { Handlers } from './executor.ts';
import { stageKit, type StageOptions } from './nodes/kit.ts';
import type { NodeContract } from './nodes/contract.ts';
import { scanNode } from './nodes/scan.ts';
import { labelsNode } from './nodes/labels.ts';
import { splitNode } from './nodes/split.ts';
import { auditNode } from './nodes/audit.ts';
import { prepNode } from './nodes/prep.ts';
import { trainNode } from './nodes/train.ts';
import { predictNode } from './nodes/predict.ts';
import { metricsNode } from './nodes/metrics.ts';
import { gradcamNode } from './nodes/gradcam.ts';
import { reportNode } from './nodes/report.ts';

export type { StageOptions } from './nodes/kit.ts';

/** Every node kind's contract; the compiler insists on one a kind. */
export const NODE_CONTRACTS: { readonly [K in PlanNodeKind]: NodeContract<K, unknown> } = {
  scan: scanNode,
  labels: labelsNode,
  split: splitNode,
  audit: auditNode,
  prep: prepNode,
  train: trainNode,
  predict: predictNode,
  metrics: metricsNode,
  gradcam: gradcamNode,
  report: reportNode,
};

export function stageHandlers(options: StageOptions): Handlers {
  const kit = stageKit(options);
  return Object.fromEntries(Object.values(NODE_CONTRACTS).map((contract) => [contract.kind, contract.handler(kit)]));
}
