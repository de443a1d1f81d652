/**
 * Node contracts (src/run/nodes/contract.ts): one a kind, each naming the same output schema
 * version as the key table (src/plan/key-versions.ts), each accepting exactly the inputs the plan
 * gives its nodes; a handler gets its inputs grouped by kind, and a plan/contract mismatch is an
 * internal error, never a silently missing input.
 */
import { describe, expect, it } from 'vitest';
import { buildPlan, OUTPUT_SCHEMA_VERSIONS, type PlanNode, type PlanNodeKind } from '../../src/plan/index.ts';
import { NODE_CONTRACTS } from '../../src/run/stage-handlers.ts';
import { defineNode, many } from '../../src/run/nodes/contract.ts';
import { predictNode } from '../../src/run/nodes/predict.ts';
import { splitNode } from '../../src/run/nodes/split.ts';
import type { StageKit } from '../../src/run/nodes/kit.ts';
import type { NodeContext, NodeHandler } from '../../src/run/executor.ts';
import { folderSource, NO_VALIDATION, pipelineFixture } from '../data/pipeline-fixture.ts';

const KINDS = Object.keys(OUTPUT_SCHEMA_VERSIONS) as PlanNodeKind[];

describe('node contracts', () => {
  it('one contract a kind, with the key table\'s output schema version', () => {
    expect(Object.keys(NODE_CONTRACTS).sort()).toEqual([...KINDS].sort());
    for (const kind of KINDS) {
      expect(NODE_CONTRACTS[kind].kind).toBe(kind);
      expect(NODE_CONTRACTS[kind].outputSchemaVersion, kind).toBe(OUTPUT_SCHEMA_VERSIONS[kind]);
    }
    // Those two write into the run folder and run every time.
    expect(KINDS.filter((k) => !NODE_CONTRACTS[k].cache).sort()).toEqual(['gradcam', 'report']);
  });

  it('every node of a full plan gets exactly the inputs its contract names', () => {
    const pipeline = pipelineFixture({
      file: '/nonexistent/a.cvr',
      sources: [folderSource('a', '/nonexistent/a', { NORMAL: 'NOR' }), folderSource('b', '/nonexistent/b', { COVID: 'CVP' })],
      task: ['NCV', 'CVP'],
      split: { form: 'kfold', k: 3, stratified: true, groupByPatient: false, validation: NO_VALIDATION },
    });
    const plan = buildPlan({ ...pipeline, evaluate: { ...pipeline.evaluate, gradcam: { className: 'CVP', top: 2, threshold: 0.5 } } });
    expect(plan.nodes.some((n) => n.kind === 'gradcam')).toBe(true);
    const kindOf = new Map(plan.nodes.map((n) => [n.id, n.kind]));
    for (const node of plan.nodes) {
      expect(node.id.split(':')[0], 'a node id starts with its kind').toBe(node.kind);
      const inputKinds = node.inputs.map((id) => kindOf.get(id));
      for (const [name, spec] of Object.entries(NODE_CONTRACTS[node.kind].inputs)) {
        const kind = 'many' in spec ? spec.many.kind : spec.kind;
        const count = inputKinds.filter((k) => k === kind).length;
        if (!('many' in spec)) expect(count, `${node.id} input ${name}`).toBe(1);
      }
      const named = Object.values(NODE_CONTRACTS[node.kind].inputs).map((spec) => ('many' in spec ? spec.many.kind : spec.kind));
      expect(inputKinds.filter((k) => k === undefined || !named.includes(k)), node.id).toEqual([]);
    }
  });

  const node = (inputs: string[]): PlanNode => ({ id: 'metrics:m', kind: 'metrics', key: 'k', streamKey: 's', inputs, config: {} });
  const probe = defineNode({
    kind: 'metrics',
    outputSchemaVersion: 1,
    inputs: { folds: many(predictNode), split: splitNode },
    run: async ({ inputs }) => ({ folds: inputs.folds.map((f) => f.predictions.length), images: inputs.split.images.length }),
  });
  const handler = probe.handler({} as StageKit) as NodeHandler;
  const ctx = {} as NodeContext;
  const split = { form: 'kfold', images: [{}, {}], folds: [] };

  it('hands the handler its inputs grouped by kind, many in the plan\'s order', async () => {
    const outputs = { 'predict:m:1': { predictions: [1, 2, 3] }, 'predict:m:0': { predictions: [1] }, split };
    expect(await handler(node(['predict:m:1', 'predict:m:0', 'split']), outputs, ctx)).toEqual({ folds: [3, 1], images: 2 });
    expect(await handler(node(['split']), { split }, ctx)).toEqual({ folds: [], images: 2 });
  });

  it('an input the contract does not name, a missing one or a second one is an internal error', async () => {
    await expect(handler(node(['split', 'audit']), { split, audit: {} }, ctx)).rejects.toThrow(/Internal error: metrics:m reads audit \(kind audit\), which its contract does not name/);
    await expect(handler(node(['predict:m:0']), { 'predict:m:0': { predictions: [] } }, ctx)).rejects.toThrow(/Internal error: metrics:m has no split input/);
    await expect(handler(node(['split', 'split']), { split }, ctx)).rejects.toThrow(/more than one split node/);
  });
});
