/**
 * `cvr diff RUN_A RUN_B`: metric deltas between two run folders. Each delta says whether it is
 * larger than the noise the runs themselves show: the fold standard deviation for k-fold designs,
 * the 95 % bootstrap interval for a single test set. A delta inside the noise is not a result.
 */
import type { MetricsFile, ModelMetrics } from '../../evaluate/index.ts';
import type { Change } from './types.ts';

function fmt(x: number): string {
  return Number.isFinite(x) ? x.toFixed(4) : 'n/a';
}

/** Which summary metrics have bootstrap intervals in a fold entry (their names differ). */
const BOOTSTRAP_KEY: Readonly<Record<string, string>> = { accuracy: 'accuracy', macroF1: 'macroF1' };

function noiseVerdict(metric: string, a: ModelMetrics, b: ModelMetrics, delta: number): { exceeds: boolean | null; against: string } {
  const sa = a.summary[metric];
  const sb = b.summary[metric];
  if (a.folds.length > 1 && b.folds.length > 1 && sa !== undefined && sb !== undefined) {
    const std = Math.max(sa.std, sb.std);
    return { exceeds: Math.abs(delta) > std, against: `fold std ${fmt(std)}` };
  }
  const key = BOOTSTRAP_KEY[metric];
  const ia = key !== undefined && a.folds.length === 1 ? a.folds[0]?.bootstrap?.[key] : undefined;
  const ib = key !== undefined && b.folds.length === 1 ? b.folds[0]?.bootstrap?.[key] : undefined;
  if (ia !== undefined && sb !== undefined) {
    const outside = sb.mean < ia.low || sb.mean > ia.high;
    const outsideB = ib !== undefined && sa !== undefined ? sa.mean < ib.low || sa.mean > ib.high : outside;
    return { exceeds: outside && outsideB, against: `95% bootstrap interval [${fmt(ia.low)}, ${fmt(ia.high)}]` };
  }
  return { exceeds: null, against: 'no fold std or bootstrap interval' };
}

type CountRow = { readonly source: string; readonly class: string; readonly partition: string; readonly n: number };

/**
 * Image counts per source × class × partition from the two runs' audit.json: where the data or
 * the split assignment changed, at the level a reader can check.
 */
export function diffCounts(a: readonly CountRow[], b: readonly CountRow[]): Change[] {
  const key = (r: CountRow): string => `${r.source}\u0000${r.class}\u0000${r.partition}`;
  const sum = (rows: readonly CountRow[]): Map<string, CountRow> => {
    const m = new Map<string, CountRow>();
    for (const r of rows) m.set(key(r), { ...r, n: (m.get(key(r))?.n ?? 0) + r.n });
    return m;
  };
  const ma = sum(a);
  const mb = sum(b);
  const keys = [...new Set([...ma.keys(), ...mb.keys()])].sort();
  const out: Change[] = [];
  for (const k of keys) {
    const x = ma.get(k);
    const y = mb.get(k);
    const na = x?.n ?? 0;
    const nb = y?.n ?? 0;
    if (na === nb) continue;
    const r = (x ?? y)!;
    out.push({
      path: `counts.${r.source}.${r.class}.${r.partition}`,
      kind: x === undefined ? 'added' : y === undefined ? 'removed' : 'changed',
      from: na,
      to: nb,
      meaning: `${r.source} ${r.class} images in ${r.partition}: ${na} → ${nb}`,
    });
  }
  return out;
}

export function diffRuns(a: MetricsFile, b: MetricsFile, counts?: { readonly a: readonly CountRow[]; readonly b: readonly CountRow[] }): Change[] {
  const out: Change[] = [];
  if (a.pipeline !== b.pipeline) out.push({ path: 'pipeline', kind: 'changed', from: a.pipeline, to: b.pipeline, meaning: `different pipelines: ${a.pipeline} → ${b.pipeline}` });
  if (a.seed !== b.seed) out.push({ path: 'seed', kind: 'changed', from: a.seed, to: b.seed, meaning: `seed changed (${a.seed} → ${b.seed}): part of any delta below is seed noise` });
  if (a.engine !== b.engine) out.push({ path: 'engine', kind: 'changed', from: a.engine, to: b.engine, meaning: `engine changed (${a.engine} → ${b.engine}): results need not be bit-identical` });
  const baseA = a.audit.sourceOnlyBaseline;
  const baseB = b.audit.sourceOnlyBaseline;
  if (fmt(baseA) !== fmt(baseB)) {
    out.push({ path: 'audit.sourceOnlyBaseline', kind: 'changed', from: baseA, to: baseB, meaning: `source-only baseline ${fmt(baseA)} → ${fmt(baseB)} (${baseB > baseA ? 'more' : 'less'} of the accuracy may be the source)` });
  }
  if (counts !== undefined) out.push(...diffCounts(counts.a, counts.b));
  const models = [...new Set([...Object.keys(a.models), ...Object.keys(b.models)])].sort();
  for (const model of models) {
    const ma = a.models[model];
    const mb = b.models[model];
    if (ma === undefined || mb === undefined) {
      const m = (ma ?? mb)!;
      const acc = fmt(m.summary.accuracy.mean);
      out.push({ path: `model:${model}`, kind: ma === undefined ? 'added' : 'removed', from: ma === undefined ? null : acc, to: mb === undefined ? null : acc, meaning: `model ${model} ${ma === undefined ? 'only in the second run' : 'only in the first run'} (accuracy ${acc})` });
      continue;
    }
    const metrics = [...new Set([...Object.keys(ma.summary), ...Object.keys(mb.summary)])].sort();
    for (const metric of metrics) {
      const x = ma.summary[metric];
      const y = mb.summary[metric];
      if (x === undefined || y === undefined || !Number.isFinite(x.mean) || !Number.isFinite(y.mean)) continue;
      const delta = y.mean - x.mean;
      if (fmt(delta) === fmt(0) || fmt(delta) === fmt(-0)) continue;
      const verdict = noiseVerdict(metric, ma, mb, delta);
      const mark = verdict.exceeds === null ? `cannot tell against noise (${verdict.against})` : verdict.exceeds ? `exceeds the ${verdict.against}` : `within the ${verdict.against}`;
      out.push({ path: `${model}.${metric}`, kind: 'changed', from: x.mean, to: y.mean, meaning: `${metric} ${delta > 0 ? '+' : ''}${fmt(delta)}: ${mark}`, exceedsNoise: verdict.exceeds, noise: verdict.against });
    }
  }
  return out;
}

/**
 * A run diff for people: first the table of metric changes (metric, old, new, delta, beyond the
 * noise?), then the other changes (pipeline, seed, engine, baseline), then the count cells that
 * changed. `md` prints the same as Markdown, for a pull request or a lab notebook.
 */
export function renderRunDiff(changes: readonly Change[], format: 'text' | 'md'): string {
  const metrics = changes.filter((c) => c.exceedsNoise !== undefined);
  const counts = changes.filter((c) => c.path.startsWith('counts.'));
  const others = changes.filter((c) => c.exceedsNoise === undefined && !c.path.startsWith('counts.'));
  const num = (v: Change['from']): string => (typeof v === 'number' ? fmt(v) : String(v ?? '—'));
  const verdict = (c: Change): string => (c.exceedsNoise === null ? `cannot tell (${c.noise ?? 'no noise estimate'})` : `${c.exceedsNoise ? 'yes' : 'no'} (${c.noise ?? ''})`);
  const header = ['metric', 'old', 'new', 'delta', 'beyond noise?'];
  const rows = metrics.map((c) => {
    const delta = typeof c.from === 'number' && typeof c.to === 'number' ? c.to - c.from : Number.NaN;
    return [c.path, num(c.from), num(c.to), `${delta > 0 ? '+' : ''}${fmt(delta)}`, verdict(c)];
  });
  const out: string[] = [];
  if (format === 'md') {
    if (rows.length > 0) {
      out.push(`| ${header.join(' | ')} |`, `| --- | ---: | ---: | ---: | --- |`, ...rows.map((r) => `| ${r.join(' | ')} |`), '');
    } else out.push('No metric changed.', '');
    if (others.length > 0) out.push(...others.map((c) => `- ${c.meaning}`), '');
    if (counts.length > 0) out.push(`<details><summary>${counts.length} image count${counts.length === 1 ? '' : 's'} changed</summary>`, '', ...counts.map((c) => `- ${c.meaning}`), '', '</details>', '');
    return `${out.join('\n')}`;
  }
  if (rows.length > 0) {
    const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
    const line = (cells: readonly string[]): string => cells.map((cell, i) => (i >= 1 && i <= 3 ? cell.padStart(widths[i]!) : cell.padEnd(widths[i]!))).join('  ').trimEnd();
    out.push(line(header), widths.map((w) => '─'.repeat(w)).join('  '), ...rows.map(line));
  } else out.push('no metric changed');
  if (others.length > 0) out.push('', ...others.map((c) => `~ ${c.meaning}`));
  if (counts.length > 0) out.push('', `${counts.length} image count${counts.length === 1 ? '' : 's'} changed (source × class × partition):`, ...counts.map((c) => `  ${c.meaning}`));
  return `${out.join('\n')}\n`;
}
