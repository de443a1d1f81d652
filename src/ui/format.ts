/** Text pieces both renderers share: bars, sparklines, the summary tables. */
import type { AuditEvent, MeanStdValue, SummaryEvent } from '../run/index.ts';

const SPARKS = '▁▂▃▄▅▆▇█';

/** One character per value, scaled between the series' own min and max. */
export function sparkline(values: readonly number[]): string {
  const finite = values.filter(Number.isFinite);
  if (finite.length === 0) return '';
  const min = Math.min(...finite);
  const max = Math.max(...finite);
  return values
    .map((v) => {
      if (!Number.isFinite(v)) return ' ';
      const level = max === min ? 3 : Math.round(((v - min) / (max - min)) * (SPARKS.length - 1));
      return SPARKS[level] ?? ' ';
    })
    .join('');
}

export function bar(done: number, total: number, width: number): string {
  const fraction = total > 0 ? Math.min(1, Math.max(0, done / total)) : 0;
  const full = Math.round(fraction * width);
  return `${'█'.repeat(full)}${'░'.repeat(width - full)}`;
}

export function pct(value: number): string {
  return Number.isFinite(value) ? `${(value * 100).toFixed(1)}%` : '–';
}

export function pm(value: MeanStdValue, digits = 3): string {
  if (!Number.isFinite(value.mean)) return '–';
  return `${value.mean.toFixed(digits)} ± ${Number.isFinite(value.std) ? value.std.toFixed(digits) : '–'}`;
}

export function auditHeadline(audit: AuditEvent): string {
  const v = Number.isFinite(audit.cramersV) ? audit.cramersV.toFixed(2) : '–';
  return `audit: source-only baseline ${pct(audit.sourceOnlyBaseline)} · Cramér's V ${v} · test ${audit.independent ? 'independent' : 'NOT independent'}`;
}

function table(rows: readonly (readonly string[])[], rightFrom = 1): string[] {
  const widths = rows.reduce<number[]>((w, row) => row.map((cell, i) => Math.max(w[i] ?? 0, cell.length)), []);
  return rows.map((row) =>
    row
      .map((cell, i) => (i >= rightFrom ? cell.padStart(widths[i] ?? 0) : cell.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd(),
  );
}

/** The end-of-run tables: models (mean ± std over folds), then per class and the confusion matrix of each model. */
export function summaryLines(summary: SummaryEvent): string[] {
  const lines: string[] = [];
  const entries = Object.entries(summary.models);
  // The audit's source-only rule beside the models: an accuracy near it may be source, not disease.
  const baseline = summary.audit?.sourceOnlyBaseline;
  lines.push(
    ...table([
      ['model', 'folds', 'accuracy', 'macro-F1'],
      ...entries.map(([name, m]) => [name, String(m.folds), pm(m.accuracy), pm(m.macroF1)]),
      ...(baseline !== undefined && Number.isFinite(baseline) ? [['source-only rule (audit)', '', baseline.toFixed(3), '']] : []),
    ]),
  );
  for (const [name, m] of entries) {
    lines.push('');
    lines.push(
      ...table([
        [`${name} per class`, 'precision', 'recall', 'F1'],
        ...summary.classes.map((cls) => {
          const c = m.perClass[cls];
          return [cls, c ? pm(c.precision) : '–', c ? pm(c.recall) : '–', c ? pm(c.f1) : '–'];
        }),
      ]),
    );
    lines.push('');
    lines.push(`${name} confusion (rows true, columns predicted${m.folds > 1 ? `, summed over ${m.folds} folds` : ''})`);
    lines.push(...table([['', ...summary.classes], ...summary.classes.map((cls, r) => [cls, ...summary.classes.map((_, c) => String(m.confusion[r]?.[c] ?? 0))])]));
  }
  return lines;
}
