/** `report`: report.md and report.html in the run folder. */
import { writeReport } from '../../report/index.ts';
import { NodeFailure } from '../executor.ts';
import { defineNode, many } from './contract.ts';
import { auditNode } from './audit.ts';
import { metricsNode } from './metrics.ts';
import { gradcamNode } from './gradcam.ts';
import { probeNode } from './probe.ts';

export interface ReportOutput {
  readonly written: true;
  readonly files: readonly string[];
}

export const reportNode = defineNode({
  kind: 'report',
  outputSchemaVersion: 1,
  // After every metrics, gradcam and probe node: metrics.json (with `probes`), predictions.csv and gradcam/ are in the
  // run folder, where writeReport reads them; so it runs every time.
  cache: false,
  inputs: { audit: auditNode, metrics: many(metricsNode), gradcam: many(gradcamNode), probes: many(probeNode) },
  run: async ({ ctx, kit }): Promise<ReportOutput> => {
    const written = await writeReport(ctx.runDir, { pipeline: kit.pipeline });
    if (!written.ok) throw new NodeFailure(`writing the report failed: ${written.diagnostic.code} ${written.diagnostic.message}`);
    return { written: true, files: written.files };
  },
});
