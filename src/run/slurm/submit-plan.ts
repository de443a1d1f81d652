/**
 * The submission plan of `--executor slurm`, as data (no Slurm needed to test it): which nodes
 * go in one sbatch call, as a job array (the folds of one model's training, of its prediction),
 * what each job waits for (`afterok` on the jobs of its inputs), its sbatch arguments and its
 * batch script (`cvr run-node … --key K`, the key chosen by `$SLURM_ARRAY_TASK_ID`).
 */
import type { PlanNode } from '../../plan/index.ts';
import { sbatchOptionArgs, type SlurmOptions } from './options.ts';

export interface JobSpec {
  /** Slurm's job name: `cvr-<kind>-<model>` (the log files are named after it). */
  readonly name: string;
  /** One node, or the tasks of an array in task order (task i runs nodes[i]). */
  readonly nodes: readonly PlanNode[];
  /** Waits for these: a job id submitted before (string), or the index of an earlier spec of the batch (number). */
  readonly after: readonly (string | number)[];
}

export interface ReadyQuery {
  /** Runs as a Slurm job (train, predict, metrics). */
  readonly isRemote: (node: PlanNode) => boolean;
  /** Already has a job. */
  readonly isSubmitted: (id: string) => boolean;
  /** Its output is in the cache (a node done here or earlier). */
  readonly isCached: (id: string) => boolean;
}

/** Remote nodes without a job whose every input is cached, submitted, or one of them: submit them together. */
export function readyToSubmit(nodes: readonly PlanNode[], q: ReadyQuery): PlanNode[] {
  const ready = new Set<string>();
  for (const node of nodes) {
    if (!q.isRemote(node) || q.isSubmitted(node.id)) continue;
    if (node.inputs.every((input) => ready.has(input) || q.isSubmitted(input) || q.isCached(input))) ready.add(node.id);
  }
  return nodes.filter((n) => ready.has(n.id));
}

/** The base id of a job reference (`123_4` → `123`), the id `afterok` waits on for a whole array. */
export function baseJobId(ref: string): string {
  return ref.split('_')[0] ?? ref;
}

/**
 * Groups the batch into jobs: nodes of one kind and model share a job array, unless one depends
 * on a node of that group (then it starts a new one), so every job waits only on earlier ones.
 */
export function submissionBatch(batch: readonly PlanNode[], jobOf: (id: string) => string | undefined): JobSpec[] {
  const groups: { key: string; nodes: PlanNode[]; after: Set<string | number> }[] = [];
  const groupOf = new Map<string, number>();
  for (const node of batch) {
    const key = `${node.kind}:${node.model ?? ''}`;
    const inBatch = node.inputs.flatMap((i) => (groupOf.has(i) ? [groupOf.get(i)!] : []));
    const latest = Math.max(-1, ...inBatch);
    let g = groups.findIndex((group, index) => group.key === key && index > latest);
    if (g === -1) {
      groups.push({ key, nodes: [], after: new Set() });
      g = groups.length - 1;
    }
    const group = groups[g]!;
    group.nodes.push(node);
    groupOf.set(node.id, g);
    for (const input of node.inputs) {
      const earlier = jobOf(input);
      if (earlier !== undefined) group.after.add(baseJobId(earlier));
      else if (groupOf.has(input)) group.after.add(groupOf.get(input)!);
    }
  }
  return groups.map((group) => {
    const first = group.nodes[0]!;
    const name = ['cvr', first.kind, first.model].filter((p) => p !== undefined && p !== '').join('-');
    return { name, nodes: group.nodes, after: [...group.after] };
  });
}

export interface JobContext {
  readonly options: SlurmOptions;
  /** Where the job logs go: `<run>/slurm/logs`. */
  readonly logDir: string;
  readonly cwd: string;
  /** Engine threads of every node (the same as a local run's, so the bytes are the same). */
  readonly threads: number;
}

/** sbatch's arguments for one job, its dependencies resolved to job ids. */
export function sbatchArgs(spec: JobSpec, after: readonly string[], ctx: JobContext): string[] {
  const array = spec.nodes.length > 1;
  return [
    '--parsable',
    `--job-name=${spec.name}`,
    `--output=${ctx.logDir}/${array ? '%x-%A_%a' : '%x-%j'}.log`,
    `--chdir=${ctx.cwd}`,
    `--export=ALL,CI=1,CVR_NATIVE_THREADS=${ctx.threads}`,
    ...(array ? [`--array=0-${spec.nodes.length - 1}`] : []),
    ...(after.length > 0 ? [`--dependency=afterok:${after.join(':')}`, '--kill-on-invalid-dep=yes'] : []),
    ...sbatchOptionArgs(ctx.options),
  ];
}

/** A file-name form of a node id (`train:resnet50:0` → `train_resnet50_0`). */
export function fileId(id: string): string {
  return id.replace(/[^\w.-]/g, '_');
}

const quote = (s: string): string => `'${s.replaceAll("'", "'\\''")}'`;

/** The batch script: `cvr run-node` on the task's key, its events appended to `<events>/<node>.ndjson`. */
export function jobScript(spec: JobSpec, command: readonly string[], eventsDir: string): string {
  const keys = spec.nodes.map((n) => quote(n.key)).join(' ');
  const ids = spec.nodes.map((n) => quote(fileId(n.id))).join(' ');
  return [
    '#!/bin/bash',
    `# cvr: ${spec.nodes.map((n) => n.id).join(', ')}`,
    `keys=(${keys})`,
    `ids=(${ids})`,
    'i=${SLURM_ARRAY_TASK_ID:-0}',
    `exec ${command.map(quote).join(' ')} --key "\${keys[$i]}" --events ${quote(eventsDir)}/"\${ids[$i]}".ndjson`,
    '',
  ].join('\n');
}
