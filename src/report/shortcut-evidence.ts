/**
 * The report's "Shortcut evidence" section (docs/probes.md): what the probes measured in the
 * pixels, beside the model's score and the audit's source-only baseline, read from
 * `metrics.json`'s `probes`. Absent when the run declared no probes.
 */
import type { MetricsFile, ProbeFinding } from '../evaluate/index.ts';
import type { Block } from './document.ts';

const pct = (x: number | undefined): string => (x === undefined || !Number.isFinite(x) ? 'n/a' : `${(x * 100).toFixed(1)} %`);

export function shortcutEvidenceBlocks(metrics: MetricsFile): Block[] {
  const probes = metrics.probes;
  if (probes === undefined) return [];
  const model = Object.entries(metrics.models)[0];
  const full = model?.[1].summary.accuracy.mean;
  const rows: string[][] = [];
  if (model !== undefined) rows.push([`Full model (${model[0]})`, pct(full), `source-only baseline ${pct(metrics.audit.sourceOnlyBaseline)}`]);
  const sp = probes.source_probe;
  if (sp !== undefined) {
    rows.push(['Source from pixels (all images)', `${pct(sp.accuracy)} (balanced ${pct(sp.balancedAccuracy)})`, `majority source ${pct(sp.majorityRate)}`]);
    for (const [cls, w] of Object.entries(sp.withinClass)) {
      const one = w.sources !== undefined && w.sources.length < 2;
      rows.push([`Source from pixels, inside ${cls}`, one ? 'one source only' : pct(w.accuracy), one ? '—' : `majority source ${pct(w.majorityRate)}`]);
    }
  }
  for (const [name, label] of [['periphery_only', 'Lung field blanked (periphery only)'], ['lung_only', 'Lung field only']] as const) {
    const p = probes[name];
    if (p !== undefined) rows.push([label, pct(p.accuracy), `full model ${pct(p.fullModel)}, class prior ${pct(p.prior)}`]);
  }
  const g = probes.gradcam_in_lungs;
  if (g !== undefined) rows.push(['GradCAM heat inside the lung field', `${pct(g.share)} (95 % ${pct(g.low)}–${pct(g.high)})`, `lung field's area ${pct(g.areaShare)}`]);
  const out: Block[] = [
    { kind: 'heading', level: 2, text: 'Shortcut evidence' },
    {
      kind: 'paragraph',
      text: 'What the pixels give away, measured beside the model: a linear probe that names the source, the same model and protocol trained on images with the lung field blanked or kept alone, and the share of GradCAM heat inside the lung field (the lung field is two ellipses unless the pipeline declares `lung_field`; docs/probes.md).',
    },
    { kind: 'table', header: ['Check', 'Result', 'Against'], rows },
  ];
  if (g?.groups !== undefined && Object.keys(g.groups).length > 0) {
    out.push({ kind: 'heading', level: 3, text: 'GradCAM heat inside the lung field, per source and class' });
    out.push({
      kind: 'table',
      header: ['Source / class', 'Images', 'Share inside', '95 % interval'],
      rows: Object.entries(g.groups).map(([k, v]) => [k, String(v.n), pct(v.share), `${pct(v.low)}–${pct(v.high)}`]),
      numeric: [false, true, true, false],
    });
  }
  const findings: ProbeFinding[] = [sp?.findings, probes.periphery_only?.findings, probes.lung_only?.findings, g?.findings].flatMap((f) => f ?? []);
  out.push(
    findings.length > 0
      ? { kind: 'list', items: findings.map((f) => `**${f.severity} ${f.code}** ${f.message}${f.hint !== undefined ? ` (hint: ${f.hint})` : ''}`) }
      : { kind: 'paragraph', text: 'No probe finding.' },
  );
  return out;
}
