/** Split well-formedness: test sources exist, fractions in (0,1), K ≥ 2, partitions known. */
import type { Ident, ValidationSpec } from '../ast.ts';
import { suggestion } from '../../diag/index.ts';
import type { EffectivePipeline } from '../effective.ts';
import type { Accept } from '../report.ts';
import { GROUP_BY } from '../vocabulary.ts';
import { checkCount, checkOpenFraction } from './numbers.ts';

/** Source names known without reading data; undefined when a manifest may name more. */
function knownSourceNames(p: EffectivePipeline): string[] | undefined {
  const names = p.sources.map((s) => s.use.name.name);
  for (const m of p.manifests) {
    if (m.only === undefined) return undefined;
    names.push(...m.only.map((o) => o.name));
  }
  return [...new Set(names)];
}

function checkValidation(v: ValidationSpec | undefined, accept: Accept): void {
  if (v === undefined) return;
  if (v.fromTest) {
    accept('CVR407', v.span, '`validation test` reuses the test set for validation: model selection sees the test data', {
      hint: 'carve validation from the training data (`validation 10%`); `cvr audit` rejects this design',
    });
    return;
  }
  checkOpenFraction(v.fraction, 'the validation fraction', accept);
}

function checkGroupedBy(g: Ident | undefined, accept: Accept): void {
  if (g !== undefined && !(GROUP_BY as readonly string[]).includes(g.name)) {
    accept('CVR405', g.span, `cannot group by "${g.name}"`, { hint: suggestion(g.name, GROUP_BY) });
  }
}

export function checkSplitShape(p: EffectivePipeline, accept: Accept): void {
  const split = p.split;
  if (split === undefined) return;
  checkValidation(split.validation, accept);
  checkGroupedBy(split.groupedBy, accept);
  switch (split.form) {
    case 'kfold':
      if (split.k.unit === 'none' && Number.isInteger(split.k.value) && split.k.value < 2) {
        accept('CVR404', split.k.span, `k-fold needs at least 2 folds, not ${split.k.raw}`);
      } else checkCount(split.k, 2, 'the number of folds', accept);
      break;
    case 'holdout': {
      const hasSources = split.testSources !== undefined && split.testSources.length > 0;
      const hasFraction = split.testFraction !== undefined;
      if (hasSources === hasFraction) {
        accept('CVR411', split.span, hasSources ? 'a holdout split takes `test sources …` or `test N%`, not both' : 'a holdout split needs a test set', {
          hint: 'independent: `test sources a, b`; random: `test 20% stratified`',
        });
      }
      checkOpenFraction(split.testFraction, 'the test fraction', accept);
      break;
    }
    case 'leave_source_out':
    case 'given':
      break;
    default: {
      const never: never = split;
      throw new Error(`Internal error: unknown split ${JSON.stringify(never)}`);
    }
  }
}

export function checkTestSources(p: EffectivePipeline, accept: Accept): void {
  if (p.split?.form !== 'holdout' || p.split.testSources === undefined) return;
  const known = knownSourceNames(p);
  const seen = new Map<string, Ident>();
  for (const s of p.split.testSources) {
    const earlier = seen.get(s.name);
    if (earlier !== undefined) {
      accept('CVR317', s.span, `source "${s.name}" is listed twice among the test sources`, { related: [{ message: 'first listed here', span: earlier.span }] });
      continue;
    }
    seen.set(s.name, s);
    if (known !== undefined && !known.includes(s.name)) {
      accept('CVR303', s.span, `unknown source "${s.name}" in the test sources`, { hint: suggestion(s.name, known) ?? `the pipeline's sources are: ${known.join(', ')}` });
    }
  }
  if (known !== undefined && known.length > 0 && known.every((k) => seen.has(k))) {
    accept('CVR415', p.split.span, 'every source is a test source: nothing is left to train on', { hint: 'keep at least one source for training' });
  }
}

export function checkSplitFitsSources(p: EffectivePipeline, accept: Accept): void {
  const split = p.split;
  if (split === undefined) return;
  if (split.form === 'leave_source_out') {
    const known = knownSourceNames(p);
    if (known !== undefined && known.length < 2) {
      accept('CVR416', split.span, `leave_source_out needs at least two sources, found ${known.length}`);
    }
  }
  if (split.form === 'given') {
    const partitioned =
      p.manifests.some((m) => m.partition !== undefined || m.fields.partitionColumn !== undefined || (m.fields.columns ?? []).some((c) => c.name === 'partition')) ||
      p.sources.some((s) => s.def.location?.kind === 'manifest' && (s.def.location.fields.partitionColumn !== undefined || (s.def.location.fields.columns ?? []).some((c) => c.name === 'partition')));
    if (!partitioned) {
      accept('CVR416', split.span, '`split given` needs the partition from the data, but no manifest gives one', {
        hint: 'add `partition train` / `partition test` to `sources from manifest`, or name a partition column',
      });
    }
  }
}
