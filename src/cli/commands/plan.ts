/** `cvr plan FILE` — the execution DAG, its content-hash keys and which nodes are cached. */
import { existsSync } from 'node:fs';
import { nodeCacheDir } from '../../plan/index.ts';
import { planRunKeys } from '../../plan/index.ts';
import { chooseEngine } from '../../engine/index.ts';
import { formatDiagnostic } from './flags.ts';
import type { Plan } from '../../plan/index.ts';
import type { CliIo } from '../io.ts';
import { EXIT } from '../io.ts';
import { settleCommandLine } from '../args.ts';
import { PLAN } from '../specs.ts';
import { projectBase } from '../project.ts';
import { resolveCacheDir } from '../../run/index.ts';
import { loadSelected } from '../pipeline-command.ts';

export async function run(argv: readonly string[], io: CliIo): Promise<number> {
  const args = settleCommandLine(PLAN, argv, io);
  if (typeof args === 'number') return args;
  const format = args.values.dot === true ? 'dot' : args.values.json === true ? 'json' : (args.values.format ?? 'text');
  const seed = args.values.seed;
  const loaded = await loadSelected('plan', args.positional[0]!, args.values.pipeline, io, format === 'json');
  if (typeof loaded === 'number') return loaded;
  const cacheDir = resolveCacheDir(io.cwd, args.values.cache, io.env, projectBase(io.cwd));

  const plans: { plan: Plan; listed: boolean }[] = [];
  for (const declared of loaded.pipelines) {
    // The engine as `cvr run` resolves it (probed, not started): it is part of the train keys.
    const choice = await chooseEngine(args.values.engine ?? declared.engine);
    if (!choice.ok) {
      for (const d of choice.diagnostics) io.stderr(formatDiagnostic(d));
      return EXIT.failed;
    }
    const keyed = await planRunKeys(declared, { engine: choice.engine.name, unlisted: 'omit', env: io.env, ...(existsSync(cacheDir) ? { cacheDir } : {}), ...(seed === undefined ? {} : { seed }) });
    if (!keyed.ok) throw new Error('Internal error: planRunKeys with unlisted "omit" always gives a plan');
    plans.push({ plan: keyed.plan, listed: keyed.listed });
  }
  const cached = (key: string): boolean => existsSync(nodeCacheDir(cacheDir, key));

  if (format === 'json') {
    const docs = plans.map(({ plan, listed }) => ({
      pipeline: plan.pipeline,
      dataListed: listed,
      cache: cacheDir,
      nodes: plan.nodes.map((n) => ({ id: n.id, kind: n.kind, key: n.key, cached: cached(n.key), inputs: n.inputs, ...(n.fold === undefined ? {} : { fold: n.fold }), ...(n.model === undefined ? {} : { model: n.model }) })),
      edges: plan.edges,
    }));
    io.stdout(`${JSON.stringify(docs.length === 1 ? docs[0] : { pipelines: docs }, null, 2)}\n`);
  } else if (format === 'dot') {
    io.stdout(plans.map(({ plan }) => toDot(plan, cached)).join('\n'));
  } else {
    io.stdout(plans.map(({ plan, listed }) => toText(plan, cached, listed)).join('\n'));
  }
  return EXIT.ok;
}

function toText(plan: Plan, cached: (key: string) => boolean, listed: boolean): string {
  const width = Math.max(...plan.nodes.map((n) => n.id.length));
  const done = plan.nodes.filter((n) => cached(n.key)).length;
  const lines = [`plan ${plan.pipeline}: ${plan.nodes.length} nodes, ${plan.edges.length} edges, ${done} cached`];
  if (!listed) lines.push('(the sources could not be listed: scan keys do not cover the file lists)');
  for (const n of plan.nodes) {
    const inputs = n.inputs.length === 0 ? '' : `  ← ${n.inputs.length > 4 ? `${n.inputs.slice(0, 3).join(', ')} +${n.inputs.length - 3}` : n.inputs.join(', ')}`;
    lines.push(`  ${n.id.padEnd(width)}  ${n.key.slice(0, 12)}  ${cached(n.key) ? 'cached' : 'to run'}${inputs}`);
  }
  return `${lines.join('\n')}\n`;
}

function toDot(plan: Plan, cached: (key: string) => boolean): string {
  const q = (s: string): string => JSON.stringify(s);
  const lines = [`digraph ${q(plan.pipeline)} {`, '  rankdir=LR;', '  node [shape=box, fontname="monospace"];'];
  for (const n of plan.nodes) {
    lines.push(`  ${q(n.id)} [label=${q(`${n.id}\n${n.key.slice(0, 12)}`)}${cached(n.key) ? ', style=filled, fillcolor="#d9f2d9"' : ''}];`);
  }
  for (const [from, to] of plan.edges) lines.push(`  ${q(from)} -> ${q(to)};`);
  lines.push('}');
  return `${lines.join('\n')}\n`;
}
