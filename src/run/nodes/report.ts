/** `report`: report.md and report.html in the run folder. */
import { writeReport } from '../../report/index.ts';
import { NodeFailure, type NodeHandler } from '../executor.ts';
import type { StageKit } from './kit.ts';

export function reportNode(kit: StageKit): NodeHandler {
  const { pipeline } = kit;
  return async (_node, _inputs, ctx) => {
    const written = await writeReport(ctx.runDir, { pipeline });
    if (!written.ok) throw new NodeFailure(`writing the report failed: ${written.message}`);
    return { written: true, files: written.files };
  };
}
