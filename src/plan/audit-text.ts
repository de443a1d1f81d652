/** The audit as plain-text tables (the human form of `cvr audit`; reused by reports). */
import type { LabelMappingRow } from '../data/index.ts';
import type { AuditReport } from './audit.ts';
import { pct } from './audit.ts';

function table(header: readonly string[], rows: readonly (readonly string[])[], rightFrom = 2, rightTo = Infinity): string {
  const widths = header.map((h, c) => Math.max(h.length, ...rows.map((r) => (r[c] ?? '').length)));
  const line = (cells: readonly string[]): string =>
    cells
      .map((cell, c) => (c >= rightFrom && c <= rightTo ? cell.padStart(widths[c]!) : cell.padEnd(widths[c]!)))
      .join('  ')
      .trimEnd();
  return [line(header), line(widths.map((w) => '─'.repeat(w))), ...rows.map(line)].join('\n');
}

const OUTCOME_TEXT: Readonly<Record<LabelMappingRow['outcome'], string>> = {
  kept: '',
  dropped: 'dropped',
  'outside-task': 'outside the task',
  'coarse-dropped': 'too coarse, dropped',
  'coarse-error': 'too coarse',
  unmapped: 'unmapped',
  conflicting: 'conflicting',
};

/** Native label → class → task class, with counts: what the source maps told the audit. */
export function formatLabelMapping(mapping: readonly LabelMappingRow[], sourceOrder: readonly string[]): string {
  const ordered = [...mapping].sort((a, b) => sourceOrder.indexOf(a.source) - sourceOrder.indexOf(b.source));
  const rows = ordered.map((r) => [r.source, r.nativeLabel, String(r.count), r.mappedTo ?? '—', r.taskClass ?? OUTCOME_TEXT[r.outcome]]);
  return table(['source', 'label', 'images', 'class', 'task class'], rows, 2, 2);
}

export function formatAudit(report: AuditReport, sourceOrder: readonly string[], task: readonly string[], mapping?: readonly LabelMappingRow[]): string {
  const lines: string[] = [];
  lines.push(`pipeline ${report.pipeline} — ${report.split}, seed ${report.seed}`);
  if (mapping !== undefined && mapping.length > 0) {
    lines.push('');
    lines.push(formatLabelMapping(mapping, sourceOrder));
    lines.push('');
  }
  const totalImages = new Map<string, number>();
  const multiFold = report.baselineFolds.length > 1 || report.counts.some((c) => c.partition.includes(':'));
  const columns = multiFold ? [...new Set(report.counts.map((c) => c.partition.split(':')[0]!))] : ['train', 'val', 'test'];
  const cell = new Map<string, number>();
  for (const c of report.counts) {
    const [fold, role] = multiFold ? (c.partition.split(':') as [string, string]) : [c.partition, c.partition];
    if (multiFold && role !== 'test') continue;
    const key = `${c.source}\u0000${c.class}`;
    cell.set(`${key}\u0000${fold}`, (cell.get(`${key}\u0000${fold}`) ?? 0) + c.n);
    totalImages.set(key, (totalImages.get(key) ?? 0) + c.n);
  }
  const rows: string[][] = [];
  for (const source of sourceOrder) {
    for (const cls of task) {
      const key = `${source}\u0000${cls}`;
      const total = totalImages.get(key);
      if (total === undefined) continue;
      rows.push([source, cls, ...columns.map((col) => String(cell.get(`${key}\u0000${col}`) ?? 0)), String(total)]);
    }
  }
  const all = [...totalImages.values()].reduce((a, b) => a + b, 0);
  lines.push(`${all} images in the task${report.metadataOnly ? ' (metadata only: image contents not read)' : ''}`);
  lines.push('');
  if (multiFold) lines.push('test images per fold:');
  lines.push(table(['source', 'class', ...columns, 'total'], rows));
  if (multiFold) {
    lines.push('');
    const perFold = columns.map((fold) => {
      const n = (role: string) => report.counts.filter((c) => c.partition === `${fold}:${role}`).reduce((s, c) => s + c.n, 0);
      return `${fold}: train ${n('train')} · val ${n('val')} · test ${n('test')}`;
    });
    lines.push(...perFold);
  }
  lines.push('');
  const baseline = report.baselineFolds.length > 1 ? `${pct(report.sourceOnlyBaseline)} (mean over ${report.baselineFolds.length} folds)` : pct(report.sourceOnlyBaseline);
  lines.push(`source-only baseline  ${baseline}`);
  const single = report.baselineFolds.length === 1 ? report.baselineFolds[0] : undefined;
  if (single !== undefined) {
    const rule = Object.entries(single.rule).map(([s, r]) => `${s} → ${r.class}${r.from === 'prior' ? ' (unseen: training prior)' : ''}`);
    lines.push(`  rule: ${rule.join(', ')}`);
    lines.push(`  training prior: ${single.trainingPrior.class} ${pct(single.trainingPrior.fraction)}`);
  }
  lines.push(`Cramér's V (source × class)  ${report.cramersV.toFixed(2)}`);
  lines.push(`classes by source: ${task.map((c) => `${c} ← ${(report.classSources[c] ?? []).join(', ') || '(none)'}`).join('; ')}`);
  const why: string[] = [];
  const shared = [...new Set(Object.values(report.independence.sharedSources).flat())];
  if (shared.length > 0) why.push(`test sources also in training: ${shared.join(', ')}`);
  if (report.independence.sharedPatients > 0) why.push(`${report.independence.sharedPatients} shared patient(s)`);
  if ((report.independence.sharedContent ?? 0) > 0) why.push(`${report.independence.sharedContent} identical image(s)`);
  if ((report.independence.nearDuplicates ?? 0) > 0) why.push(`${report.independence.nearDuplicates} near-duplicate image(s)`);
  lines.push(`independent test  ${report.independent ? 'yes' : 'no'}${why.length > 0 ? ` (${why.join('; ')})` : ''}${report.independence.sharedContent === null ? ' — image contents not compared' : ''}`);
  return `${lines.join('\n')}\n`;
}
