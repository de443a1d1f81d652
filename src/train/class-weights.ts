/**
 * Per-class loss weights. `balanced` is N / (K · N_j): the paper's stated intent (its printed
 * formula N_j / N would favour the majority class). `max_over_count` is max_k N_k / N_j, what the
 * authors' notebooks compute. `explicit` takes the declared weight of every task class.
 */
import type { Diagnostic } from '../diag/index.ts';
import type { ResolvedTrain } from '../dsl/index.ts';

export type ClassWeightResult =
  | { readonly ok: true; readonly weights: readonly number[] }
  | { readonly ok: false; readonly diagnostics: readonly Diagnostic[] };

export function classCounts(classIndices: readonly number[], k: number): number[] {
  const counts = new Array<number>(k).fill(0);
  for (const c of classIndices) counts[c] = (counts[c] ?? 0) + 1;
  return counts;
}

export function classWeights(config: ResolvedTrain['classWeights'], classes: readonly string[], counts: readonly number[]): ClassWeightResult {
  const k = classes.length;
  if (config.mode === 'none') return { ok: true, weights: new Array<number>(k).fill(1) };
  if (config.mode === 'explicit') {
    const missing = classes.filter((c) => config.weights[c] === undefined);
    if (missing.length > 0) {
      return {
        ok: false,
        diagnostics: [{ code: 'CVR805', severity: 'error', message: `class_weights gives no weight for ${missing.join(', ')}`, hint: 'give a weight for every class of the task, or use `balanced`' }],
      };
    }
    return { ok: true, weights: classes.map((c) => config.weights[c] as number) };
  }
  const empty = classes.filter((_, j) => (counts[j] ?? 0) === 0);
  if (empty.length > 0) {
    return {
      ok: false,
      diagnostics: [
        {
          code: 'CVR805',
          severity: 'error',
          message: `class ${empty.join(', ')} has no training images, so \`${config.mode}\` class weights are undefined`,
          hint: 'check the split and label mapping (`cvr audit` shows the counts)',
          data: { counts: Object.fromEntries(classes.map((c, j) => [c, counts[j] ?? 0])) },
        },
      ],
    };
  }
  const total = counts.reduce((s, n) => s + n, 0);
  const max = Math.max(...counts);
  const weights = counts.map((n) => (config.mode === 'balanced' ? total / (k * n) : max / n));
  return { ok: true, weights };
}
