/**
 * The real node handlers: each plan node kind runs its stage's function (data scanning, labels,
 * split and audit from data/ and plan/; preprocessing, training, prediction and metrics from
 * data/, train/ and evaluate/) and returns a JSON output the cache stores. User problems (bad
 * files, an audit error, a diverging loss) become `NodeFailure`s with the stage's diagnostics.
 * One module per node kind under nodes/; what they share is nodes/kit.ts.
 */
import type { Handlers } from './executor.ts';
import { stageKit, type StageOptions } from './nodes/kit.ts';
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
import { probeNode } from './nodes/probe.ts';

export type { StageOptions } from './nodes/kit.ts';

export function stageHandlers(options: StageOptions): Handlers {
  const kit = stageKit(options);
  return {
    scan: scanNode(kit),
    labels: labelsNode(kit),
    split: splitNode(kit),
    audit: auditNode(kit),
    prep: prepNode(kit),
    train: trainNode(kit),
    predict: predictNode(kit),
    metrics: metricsNode(kit),
    probe: probeNode(kit),
    // Writes into the run folder, so it runs every time (its inputs, the trained models, are cached).
    gradcam: { cache: false, run: gradcamNode(kit) },
    // After every metrics and gradcam node: metrics.json, predictions.csv and gradcam/ are in the run folder.
    report: { cache: false, run: reportNode(kit) },
  };
}
