/**
 * A node kind's contract: its kind, the version of its output's shape, the kinds of node it
 * reads, and how it runs, in one value (one module a kind under nodes/):
 *
 *   export const splitNode = defineNode({
 *     kind: 'split',
 *     outputSchemaVersion: 1,            // = OUTPUT_SCHEMA_VERSIONS.split (src/plan/key-versions.ts)
 *     inputs: { labels: labelsNode },    // one input of kind labels; many(prepNode): every prep input
 *     run: async ({ node, inputs, ctx, kit }) => assign(inputs.labels.images),
 *   });
 *
 * The handler gets its inputs typed as the producers' outputs (`OutputOf<typeof labelsNode>`),
 * grouped by kind (a node's id starts with its kind: `prep:cxri`, `train:cvrnet:0`), so no handler
 * casts. The one cast is here: a cached output has the shape its contract's version names, since
 * that version is part of the cache key (a changed shape with a bumped version is recomputed).
 */
import type { PlanNode, PlanNodeKind, OUTPUT_SCHEMA_VERSIONS } from '../../plan/index.ts';
import type { HandlerEntry, NodeContext, NodeHandler } from '../executor.ts';
import type { NodeResult } from '../node-result.ts';
import type { StageKit } from './kit.ts';

/** An input read from every node of a kind (zero or more, in the plan's input order). */
export interface Many<C> {
  readonly many: C;
}

export function many<C extends AnyContract>(contract: C): Many<C> {
  return { many: contract };
}

type AnyContract = NodeContract<PlanNodeKind, unknown>;
export type InputSpecs = Readonly<Record<string, AnyContract | Many<AnyContract>>>;

/** What a contract's node outputs (its handler's return value, as stored in the cache). */
export type OutputOf<C> = C extends NodeContract<PlanNodeKind, infer O> ? O : never;

export type InputsOf<I extends InputSpecs> = {
  readonly [N in keyof I]: I[N] extends Many<infer C> ? readonly OutputOf<C>[] : OutputOf<I[N]>;
};

export interface RunArgs<I extends InputSpecs> {
  readonly node: PlanNode;
  readonly inputs: InputsOf<I>;
  readonly ctx: NodeContext;
  readonly kit: StageKit;
}

export interface NodeSpec<K extends PlanNodeKind, I extends InputSpecs, O> {
  readonly kind: K;
  /** The version of the output's shape; bump it (and the table) when the shape changes. */
  readonly outputSchemaVersion: (typeof OUTPUT_SCHEMA_VERSIONS)[K];
  readonly inputs: I;
  /** `false`: the node runs every time (it writes outside the cache, into the run folder). */
  readonly cache?: false;
  /** The output, or `succeeded(output, …)` / `failed(diagnostics)`; user problems may throw `NodeFailure`. */
  readonly run: (args: RunArgs<I>) => Promise<O | NodeResult<O>>;
}

/** What `defineNode` gives: the kind, its version, what it reads, and the executor's handler. */
export interface NodeContract<K extends PlanNodeKind, O> {
  readonly kind: K;
  readonly outputSchemaVersion: (typeof OUTPUT_SCHEMA_VERSIONS)[K];
  readonly inputs: InputSpecs;
  readonly cache: boolean;
  /** The executor's handler for this kind, over one run's kit. */
  readonly handler: (kit: StageKit) => HandlerEntry;
  /** Type-only (never set): the output's type, for `OutputOf`. */
  readonly outputType?: O;
}

export function defineNode<K extends PlanNodeKind, I extends InputSpecs, O>(spec: NodeSpec<K, I, O>): NodeContract<K, O> {
  const handler = (kit: StageKit): HandlerEntry => {
    const run: NodeHandler = async (node, inputs, ctx) => spec.run({ node, inputs: gather(spec, node, inputs), ctx, kit });
    return spec.cache === false ? { cache: false, run } : run;
  };
  return { kind: spec.kind, outputSchemaVersion: spec.outputSchemaVersion, inputs: spec.inputs, cache: spec.cache !== false, handler };
}

/** The node's inputs by id, grouped under the contract's names by the inputs' kinds. */
function gather<I extends InputSpecs>(spec: NodeSpec<PlanNodeKind, I, unknown>, node: PlanNode, byId: Readonly<Record<string, unknown>>): InputsOf<I> {
  const names = new Map<string, string>(Object.entries(spec.inputs).map(([name, input]) => [kindOf(input), name]));
  const grouped: Record<string, unknown> = {};
  for (const [name, input] of Object.entries(spec.inputs)) if ('many' in input) grouped[name] = [];
  for (const id of node.inputs) {
    const kind = id.split(':')[0] ?? id;
    const name = names.get(kind);
    if (name === undefined) throw new Error(`Internal error: ${node.id} reads ${id} (kind ${kind}), which its contract does not name (inputs of src/run/nodes/${node.kind}.ts)`);
    const slot = grouped[name];
    if (Array.isArray(slot)) slot.push(byId[id]);
    else if (name in grouped) throw new Error(`Internal error: ${node.id} reads more than one ${kind} node; its contract takes one (use many())`);
    else grouped[name] = byId[id];
  }
  const missing = Object.keys(spec.inputs).filter((name) => !(name in grouped));
  if (missing.length > 0) throw new Error(`Internal error: ${node.id} has no ${missing.join(', ')} input that its contract requires`);
  return grouped as InputsOf<I>;
}

function kindOf(input: AnyContract | Many<AnyContract>): PlanNodeKind {
  return 'many' in input ? input.many.kind : input.kind;
}
