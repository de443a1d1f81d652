/**
 * docs/diagnostics.md is generated from the one code table, so the documentation cannot drift
 * from the codes the tool emits (a test compares the file with this output).
 */
import type { CodeInfo } from './codes/types.ts';

const RANGES: readonly { readonly from: number; readonly to: number; readonly title: string }[] = [
  { from: 100, to: 199, title: 'Syntax (CVR1xx)' },
  { from: 200, to: 299, title: 'Imports and extends (CVR2xx)' },
  { from: 300, to: 399, title: 'Names and classes (CVR3xx)' },
  { from: 400, to: 499, title: 'Values and splits (CVR4xx)' },
  { from: 500, to: 599, title: 'Data scanning and labels (CVR5xx)' },
  { from: 600, to: 699, title: 'Audit findings (CVR6xx)' },
  { from: 700, to: 799, title: 'Engines and models (CVR7xx)' },
  { from: 800, to: 849, title: 'Preprocessing, training and evaluation (CVR800–849)' },
  { from: 850, to: 899, title: 'Runner and cache (CVR850–899)' },
];

const escapeCell = (text: string): string => text.replace(/\|/g, '\\|').replace(/\n/g, ' ');

export function diagnosticsMarkdown(codes: Readonly<Record<string, CodeInfo>>): string {
  const entries = Object.entries(codes)
    .map(([code, info]) => ({ code, info, n: Number(code.replace(/^CVR/, '')) }))
    .sort((a, b) => a.n - b.n);
  const out: string[] = [
    '# Diagnostic codes',
    '',
    '<!-- Generated from src/diag/codes/ by `npm run -s docs:diagnostics`; do not edit by hand. -->',
    '',
    'Every problem cvr reports carries a stable code. Codes are never renumbered or reused;',
    'tests and scripts may rely on them (`cvr check --format json`). The severity shown is the',
    'default; a few findings may be raised or lowered by context.',
    '',
  ];
  const placed = new Set<string>();
  for (const range of RANGES) {
    const rows = entries.filter((e) => e.n >= range.from && e.n <= range.to);
    if (rows.length === 0) continue;
    out.push(`## ${range.title}`, '', '| code | severity | meaning |', '| --- | --- | --- |');
    for (const row of rows) {
      out.push(`| ${row.code} | ${row.info.severity} | ${escapeCell(row.info.summary)} |`);
      placed.add(row.code);
    }
    out.push('');
  }
  const rest = entries.filter((e) => !placed.has(e.code));
  if (rest.length > 0) {
    out.push('## Other', '', '| code | severity | meaning |', '| --- | --- | --- |');
    for (const row of rest) out.push(`| ${row.code} | ${row.info.severity} | ${escapeCell(row.info.summary)} |`);
    out.push('');
  }
  return out.join('\n');
}
