/**
 * Resolution in phases: (1) load and parse files and imports, (2) scopes, `extends` and
 * references, (3) semantic checks, (4) conversion to `ResolvedPipeline`. All problems of a
 * phase are reported together; a phase does not run when an earlier one found errors.
 */
import type { Diagnostic } from '../diag/index.ts';
import { hasErrors } from '../diag/index.ts';
import type { CvrFile, Pipeline, Statement } from './ast.ts';
import { CHECKS } from './checks/index.ts';
import { toResolved } from './convert.ts';
import { findCycles } from './cycles.ts';
import { suggestion } from '../diag/index.ts';
import type { EffectivePipeline } from './effective.ts';
import { effectivePipeline, mergeStatements, pipelineId } from './effective.ts';
import type { Accept } from './report.ts';
import { collector } from './report.ts';
import type { ResolvedPipeline } from './resolved.ts';
import { buildScopes } from './scope.ts';

export interface ResolveInput {
  /** Absolute paths of the files whose pipelines are wanted. */
  readonly entries: readonly string[];
  /** Every parsed file, entries and imports, by absolute path. */
  readonly files: ReadonlyMap<string, CvrFile>;
  /** For each file, the absolute paths it imports. */
  readonly imports: ReadonlyMap<string, readonly string[]>;
}

export interface ResolveResult {
  readonly pipelines: ResolvedPipeline[];
  readonly diagnostics: Diagnostic[];
}

function checkTopLevelSources(files: ReadonlyMap<string, CvrFile>, accept: Accept): void {
  for (const file of files.values()) {
    for (const item of file.items) {
      if (item.kind !== 'source') continue;
      if (item.drop || item.isReference || item.location === undefined) {
        accept('CVR205', item.span, `top-level source "${item.name.name}" must define a location`, {
          hint: item.drop ? '`{ drop }` removes an inherited source inside a pipeline that extends another' : 'add `folder "dir"` or `manifest "file" { … }`',
        });
      }
    }
  }
}

/** Each pipeline's parent; unknown parents and extends cycles reported. */
function resolveParents(files: ReadonlyMap<string, CvrFile>, scopes: ReturnType<typeof buildScopes>, accept: Accept): Map<string, Pipeline> {
  const parents = new Map<string, Pipeline>();
  const byId = new Map<string, Pipeline>();
  for (const file of files.values()) {
    for (const item of file.items) {
      if (item.kind !== 'pipeline') continue;
      byId.set(pipelineId(item), item);
      if (item.extends === undefined) continue;
      const scope = scopes.get(item.span.file);
      const parent = scope?.lookup('pipeline', item.extends.name);
      if (parent === undefined) {
        accept('CVR305', item.extends.span, `pipeline "${item.name.name}" extends unknown pipeline "${item.extends.name}"`, {
          hint: suggestion(item.extends.name, scope?.names('pipeline') ?? []) ?? 'import the file that declares it',
        });
      } else parents.set(pipelineId(item), parent);
    }
  }
  const edges = new Map<string, string[]>();
  for (const [child, parent] of parents) edges.set(child, [pipelineId(parent)]);
  for (const cycle of findCycles(edges)) {
    const first = byId.get(cycle[0] ?? '');
    if (first === undefined) continue;
    const names = [...cycle, cycle[0] ?? ''].map((id) => byId.get(id)?.name.name ?? id);
    accept('CVR203', first.extends?.span ?? first.name.span, `extends cycle: ${names.join(' → ')}`, {
      hint: 'a pipeline cannot inherit from itself, directly or through others',
      data: { cycle: names },
    });
    for (const id of cycle) parents.delete(id);
  }
  return parents;
}

/** Keeps the first of identical diagnostics (a parent's problem seen through two children). */
function dedupe(diagnostics: readonly Diagnostic[]): Diagnostic[] {
  const seen = new Set<string>();
  return diagnostics.filter((d) => {
    const key = `${d.code}|${d.span?.file ?? d.file ?? ''}|${d.span?.start ?? ''}|${d.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

export function resolvePipelines(input: ResolveInput): ResolveResult {
  const diagnostics: Diagnostic[] = [];
  const accept = collector(diagnostics);

  // Phase 2: names visible per file, top-level sources, extends.
  const scopes = buildScopes(input.files, input.imports, accept);
  checkTopLevelSources(input.files, accept);
  const parents = resolveParents(input.files, scopes, accept);
  if (hasErrors(diagnostics)) return { pipelines: [], diagnostics: dedupe(diagnostics) };

  const wanted: Pipeline[] = [];
  for (const entry of input.entries) for (const item of input.files.get(entry)?.items ?? []) if (item.kind === 'pipeline') wanted.push(item);
  const merged = new Map<string, ReadonlyMap<string, Statement>>();
  const effective: EffectivePipeline[] = wanted.map((p) => effectivePipeline(p, mergeStatements(p, { scopes, parents, accept, merged }), scopes, accept));
  if (hasErrors(diagnostics)) return { pipelines: [], diagnostics: dedupe(diagnostics) };

  // Phase 3: semantic checks, every check on every pipeline.
  const failed = new Set<EffectivePipeline>();
  for (const p of effective) {
    const before = diagnostics.length;
    for (const check of CHECKS) check(p, accept);
    if (hasErrors(diagnostics.slice(before))) failed.add(p);
  }
  const result = dedupe(diagnostics);
  if (failed.size > 0) return { pipelines: [], diagnostics: result };

  // Phase 4.
  return { pipelines: effective.map(toResolved), diagnostics: result };
}
