/** `cvr diff a.cvr b.cvr`: load both files, pair their pipelines, diff each pair. */
import { closestName, diagnostic, type Diagnostic } from '../../diag/index.ts';
import { loadPipelines } from '../../dsl/index.ts';
import type { ResolvedPipeline } from '../../dsl/index.ts';
import { diffPipelines } from './pipeline-diff.ts';
import type { Change } from './types.ts';

export interface CvrDiffOptions {
  readonly cwd: string;
  /** `--pipeline A:B`: compare pipeline A of the first file with pipeline B of the second. */
  readonly pair?: { readonly a: string; readonly b: string };
}

export type CvrDiffResult =
  | { readonly ok: true; readonly changes: Change[] }
  | { readonly ok: false; readonly diagnostics: readonly Diagnostic[]; readonly files: Map<string, string> };

export async function diffCvrFiles(fileA: string, fileB: string, options: CvrDiffOptions): Promise<CvrDiffResult> {
  const [ra, rb] = await Promise.all([loadPipelines([fileA], { cwd: options.cwd }), loadPipelines([fileB], { cwd: options.cwd })]);
  const errors = [...ra.diagnostics, ...rb.diagnostics].filter((d) => d.severity === 'error');
  if (errors.length > 0) return { ok: false, diagnostics: errors, files: new Map([...ra.files, ...rb.files]) };
  const pairs = pairPipelines(ra.pipelines, rb.pipelines, options.pair);
  if ('diagnostic' in pairs) return { ok: false, diagnostics: [pairs.diagnostic], files: new Map() };
  const changes: Change[] = [];
  const prefixed = pairs.pairs.length + pairs.onlyA.length + pairs.onlyB.length > 1;
  for (const [a, b] of pairs.pairs) {
    for (const change of diffPipelines(a, b, options.cwd)) {
      changes.push(prefixed ? { ...change, path: `${a.name === b.name ? a.name : `${a.name}:${b.name}`}/${change.path}` } : change);
    }
  }
  for (const a of pairs.onlyA) changes.push({ path: `pipeline:${a.name}`, kind: 'removed', from: a.title ?? a.name, to: null, meaning: `pipeline ${a.name} removed` });
  for (const b of pairs.onlyB) changes.push({ path: `pipeline:${b.name}`, kind: 'added', from: null, to: b.title ?? b.name, meaning: `pipeline ${b.name} added` });
  return { ok: true, changes };
}

type Pairing =
  | { pairs: [ResolvedPipeline, ResolvedPipeline][]; onlyA: ResolvedPipeline[]; onlyB: ResolvedPipeline[] }
  | { diagnostic: Diagnostic };

/** By `--pipeline A:B`; else one pipeline each; else by name. */
export function pairPipelines(as: readonly ResolvedPipeline[], bs: readonly ResolvedPipeline[], pair?: { a: string; b: string }): Pairing {
  if (pair !== undefined) {
    const a = as.find((p) => p.name === pair.a);
    const b = bs.find((p) => p.name === pair.b);
    const missing = (which: string, name: string, has: readonly ResolvedPipeline[]): { diagnostic: Diagnostic } => {
      const names = has.map((p) => p.name);
      const near = closestName(name, names);
      return {
        diagnostic: diagnostic('CVR907', `the ${which} file has no pipeline "${name}" (it has ${names.join(', ') || 'none'})`, {
          hint: near !== undefined ? `did you mean "${near}"?` : '`--pipeline A:B` names a pipeline of the first file, then one of the second',
        }),
      };
    };
    if (a === undefined) return missing('first', pair.a, as);
    if (b === undefined) return missing('second', pair.b, bs);
    return { pairs: [[a, b]], onlyA: [], onlyB: [] };
  }
  if (as.length === 1 && bs.length === 1) return { pairs: [[as[0]!, bs[0]!]], onlyA: [], onlyB: [] };
  const byName = new Map(bs.map((p) => [p.name, p]));
  const names = new Set(as.map((p) => p.name));
  return {
    pairs: as.filter((a) => byName.has(a.name)).map((a) => [a, byName.get(a.name)!]),
    onlyA: as.filter((a) => !byName.has(a.name)),
    onlyB: bs.filter((b) => !names.has(b.name)),
  };
}
