/**
 * The report's "Ledger" section (language.md "The ledger"): per source, what was read and the
 * line each manifest row or file landed on, with a few examples, from audit.json's `ledger`.
 */
import type { SourceLedger } from '../data/index.ts';
import type { Block } from './document.ts';

const EXAMPLES = 3;

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** audit.json's `ledger` when it has the documented shape, else undefined (older run folders). */
export function readLedger(value: unknown): SourceLedger[] | undefined {
  if (!Array.isArray(value)) return undefined;
  const out: SourceLedger[] = [];
  for (const s of value) {
    if (!isRecord(s) || typeof s['source'] !== 'string' || typeof s['read'] !== 'number' || !Array.isArray(s['lines'])) return undefined;
    const lines = s['lines'].filter(isRecord).flatMap((l) =>
      typeof l['line'] === 'string' && typeof l['count'] === 'number'
        ? [{ line: l['line'] as SourceLedger['lines'][number]['line'], count: l['count'], examples: Array.isArray(l['examples']) ? l['examples'].map(String) : [] }]
        : [],
    );
    out.push({ source: s['source'], read: s['read'], lines });
  }
  return out;
}

/** Blocks of the section; none when the run folder's audit.json has no ledger. */
export function ledgerSection(ledger: readonly SourceLedger[] | undefined): Block[] {
  if (ledger === undefined || ledger.length === 0) return [];
  const rows: string[][] = [];
  for (const s of ledger) {
    rows.push([s.source, 'read', String(s.read), '']);
    for (const l of s.lines) {
      rows.push(['', l.line, String(l.count), l.line === 'used' ? '' : l.examples.slice(0, EXAMPLES).map((e) => `\`${e.replaceAll('`', "'")}\``).join('; ')]);
    }
  }
  const unbalanced = ledger.filter((s) => s.lines.reduce((n, l) => n + l.count, 0) !== s.read).map((s) => s.source);
  return [
    { kind: 'heading', level: 3, text: 'Ledger' },
    {
      kind: 'paragraph',
      text: `Every manifest row and every file read for a source, and the one line it landed on; each source's lines add up to what it read.${unbalanced.length > 0 ? ` **They do not for ${unbalanced.join(', ')}: a bug, please report it.**` : ''}`,
    },
    { kind: 'table', header: ['Source', 'Line', 'Count', 'Examples'], rows, numeric: [false, false, true, false] },
  ];
}
