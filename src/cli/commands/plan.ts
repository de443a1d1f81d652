/** `cvr plan FILE` — the execution DAG, its content-hash keys and which nodes are cached. */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { nodeCacheDir } from '../../plan/index.ts';
import { planRunKeys } from '../../plan/run-keys.ts';
import { chooseEngine } from '../../engine/index.ts';
import { formatDiagnostic } from './flags.ts';
import type { Plan } from '../../plan/index.ts';
import type { CliIo } from '../io.ts';
import { EXIT } from '../io.ts';
import { loadSelected, parseOptions, parseSeed } from '../pipeline-command.ts';

const USAGE = `usage: cvr plan FILE [--pipeline NAME] [--format text|json] [--dot] [--cache DIR] [--seed N] [--engine E]

Prints each pipeline's DAG: nodes in run order with their content-hash keys and inputs, and
which are already in the cache (<cache>/nodes/<key>/). The sources are listed (not read) so
that the scan keys cover the file lists. --dot prints Graphviz. The keys are \`cvr run\`'s: the
engine (--engine, else the file's \`engine\`, else auto) is resolved the same way, so after a
finished run every node shows as cached.
`;

export async function run(argv: readonly string[], io: CliIo): Promise<number> {
  const args = parseOptions(argv, { values: ['pipeline', 'format', 'cache', 'seed', 'engine'], flags: ['dot', 'json'] });
  if (args === 'help') {
    io.stdout(USAGE);
    return EXIT.ok;
  }
  const usage = (message: string): number => {
    io.stderr(`cvr plan: ${message}\n\n${USAGE}`);
    return EXIT.usage;
  };
  if ('error' in args) return usage(args.error);
  if (args.positional.length !== 1) return usage(args.positional.length === 0 ? 'no file given' : 'give one .cvr file');
  let format = args.values.get('format') ?? 'text';
  if (args.flags.has('json')) format = 'json';
  if (args.flags.has('dot')) format = 'dot';
  if (format === 'human') format = 'text';
  if (format !== 'text' && format !== 'json' && format !== 'dot') return usage(`--format takes "text", "json" or "dot", not "${format}"`);
  const seed = parseSeed(args.values.get('seed'));
  if (typeof seed === 'object') return usage(seed.error);
  const loaded = await loadSelected('plan', args.positional[0]!, args.values.get('pipeline'), io, format === 'json');
  if (typeof loaded === 'number') return loaded;
  const cacheDir = resolve(io.cwd, args.values.get('cache') ?? io.env['CVR_CACHE_DIR'] ?? '.cvr-cache');

  const plans: { plan: Plan; listed: boolean }[] = [];
  for (const declared of loaded.pipelines) {
    // The engine as `cvr run` resolves it (probed, not started): it is part of the train keys.
    const choice = await chooseEngine(args.values.get('engine') ?? declared.engine);
    if (!choice.ok) {
      for (const d of choice.diagnostics) io.stderr(formatDiagnostic(d));
      return EXIT.failed;
    }
    const keyed = await planRunKeys(declared, { engine: choice.engine.name, unlisted: 'omit', ...(existsSync(cacheDir) ? { cacheDir } : {}), ...(seed === undefined ? {} : { seed }) });
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
