/**
 * A small SVG plotting module: line charts (training curves, ROC), heat maps (confusion
 * matrices) and bar charts (per-source accuracy). Plain strings, no DOM, deterministic output
 * (numbers rounded to 0.01 px), so the same run gives byte-identical plots.
 */

export interface Series {
  readonly name: string;
  readonly points: readonly (readonly [number, number])[];
  /** Dashed (validation curves, reference lines). */
  readonly dashed?: boolean;
  /** Index into the palette; default the series' position. */
  readonly color?: number;
}

export interface LineChartSpec {
  readonly title: string;
  readonly xLabel: string;
  readonly yLabel: string;
  readonly series: readonly Series[];
  readonly width?: number;
  readonly height?: number;
  /** Fixed axis ranges; default from the data. */
  readonly x?: readonly [number, number];
  readonly y?: readonly [number, number];
  readonly logY?: boolean;
  /** Only whole-number ticks on the x axis (epochs). */
  readonly integerX?: boolean;
  /** Square plot area with an equal-axes diagonal (ROC). */
  readonly diagonal?: boolean;
}

/** Colour-blind-safe (Okabe–Ito). */
export const PALETTE = ['#0072B2', '#D55E00', '#009E73', '#CC79A7', '#E69F00', '#56B4E9', '#F0E442', '#000000'] as const;

const FONT = 'font-family="DejaVu Sans, Arial, Helvetica, sans-serif"';

export function escapeXml(text: string): string {
  return text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;').replaceAll('"', '&quot;');
}

function r(x: number): string {
  return String(Math.round(x * 100) / 100);
}

/** 1, 2 or 5 times a power of ten, so ticks read naturally. */
export function niceTicks(lo: number, hi: number, target = 5): number[] {
  if (!(hi > lo)) return [lo];
  const raw = (hi - lo) / target;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * mag).find((s) => raw <= s) ?? 10 * mag;
  const ticks: number[] = [];
  for (let v = Math.ceil(lo / step - 1e-9) * step; v <= hi + step * 1e-9; v += step) ticks.push(Number((Math.round(v / step) * step).toPrecision(12)) || 0);
  return ticks;
}

/** Decades, and 2 and 5 times them when the range spans less than two decades. */
export function logTicks(lo: number, hi: number): number[] {
  const ticks: number[] = [];
  const steps = Math.log10(hi / lo) < 2 ? [1, 2, 5] : [1];
  for (let d = Math.floor(Math.log10(lo)); d <= Math.ceil(Math.log10(hi)); d++) {
    for (const m of steps) {
      const v = Number((m * 10 ** d).toPrecision(6));
      if (v >= lo * (1 - 1e-9) && v <= hi * (1 + 1e-9)) ticks.push(v);
    }
  }
  return ticks;
}

export function tickLabel(v: number): string {
  if (v === 0) return '0';
  if (Math.abs(v) < 1e-3 || Math.abs(v) >= 1e5) return v.toExponential(0);
  return String(Number(v.toPrecision(4)));
}

function frame(width: number, height: number, title: string, body: string): string {
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}">` +
    `<rect width="${width}" height="${height}" fill="#ffffff"/>` +
    `<text x="${r(width / 2)}" y="20" text-anchor="middle" font-size="15" font-weight="bold" ${FONT} fill="#222">${escapeXml(title)}</text>` +
    `${body}</svg>`
  );
}

export function lineChart(spec: LineChartSpec): string {
  const width = spec.width ?? 560;
  const height = spec.height ?? 360;
  const legendWidth = 150;
  const m = { left: 62, right: 16 + legendWidth, top: 32, bottom: 48 };
  let pw = width - m.left - m.right;
  let ph = height - m.top - m.bottom;
  if (spec.diagonal === true) pw = ph = Math.min(pw, ph);
  const all = spec.series.flatMap((s) => s.points).filter(([x, y]) => Number.isFinite(x) && Number.isFinite(y) && (!spec.logY || y > 0));
  const xs = all.map((p) => p[0]);
  const ys = all.map((p) => p[1]);
  let [x0, x1] = spec.x ?? [Math.min(...xs, Infinity), Math.max(...xs, -Infinity)];
  let [y0, y1] = spec.y ?? [Math.min(...ys, Infinity), Math.max(...ys, -Infinity)];
  if (!Number.isFinite(x0) || !Number.isFinite(x1)) [x0, x1] = [0, 1];
  if (!Number.isFinite(y0) || !Number.isFinite(y1)) [y0, y1] = spec.logY ? [1e-4, 1] : [0, 1];
  if (x1 === x0) x1 = x0 + 1;
  if (y1 === y0) [y0, y1] = spec.logY ? [y0 / 2, y1 * 2] : [y0 - 0.5, y1 + 0.5];
  const ty = (v: number): number => (spec.logY ? Math.log10(v) : v);
  // Log axes get a little room above and below, so a curve on the range's edge stays visible.
  const pad = spec.logY && spec.y === undefined ? (ty(y1) - ty(y0)) * 0.08 : 0;
  const [ly0, ly1] = [ty(y0) - pad, ty(y1) + pad];
  const px = (v: number): number => m.left + ((v - x0) / (x1 - x0)) * pw;
  const py = (v: number): number => m.top + ph - ((ty(v) - ly0) / (ly1 - ly0)) * ph;
  const parts: string[] = [];
  // Grid and ticks.
  const xTicks = spec.integerX === true ? niceTicks(x0, x1, 6).filter((t) => Number.isInteger(t)) : niceTicks(x0, x1, 6);
  const yTicks = spec.logY
    ? logTicks(10 ** ly0, 10 ** ly1)
    : niceTicks(y0, y1, 5);
  for (const t of xTicks) {
    parts.push(`<line x1="${r(px(t))}" y1="${m.top}" x2="${r(px(t))}" y2="${r(m.top + ph)}" stroke="#e5e5e5"/>`);
    parts.push(`<text x="${r(px(t))}" y="${r(m.top + ph + 16)}" text-anchor="middle" font-size="11" ${FONT} fill="#444">${tickLabel(t)}</text>`);
  }
  for (const t of yTicks) {
    parts.push(`<line x1="${m.left}" y1="${r(py(t))}" x2="${r(m.left + pw)}" y2="${r(py(t))}" stroke="#e5e5e5"/>`);
    parts.push(`<text x="${m.left - 6}" y="${r(py(t) + 4)}" text-anchor="end" font-size="11" ${FONT} fill="#444">${tickLabel(t)}</text>`);
  }
  parts.push(`<rect x="${m.left}" y="${m.top}" width="${r(pw)}" height="${r(ph)}" fill="none" stroke="#888"/>`);
  parts.push(`<text x="${r(m.left + pw / 2)}" y="${r(m.top + ph + 36)}" text-anchor="middle" font-size="12" ${FONT} fill="#222">${escapeXml(spec.xLabel)}</text>`);
  parts.push(
    `<text transform="translate(16 ${r(m.top + ph / 2)}) rotate(-90)" text-anchor="middle" font-size="12" ${FONT} fill="#222">${escapeXml(spec.yLabel)}</text>`,
  );
  if (spec.diagonal === true) {
    parts.push(`<line x1="${r(px(x0))}" y1="${r(py(y0))}" x2="${r(px(x1))}" y2="${r(py(y1))}" stroke="#999" stroke-dasharray="4 4"/>`);
  }
  spec.series.forEach((s, i) => {
    const color = PALETTE[(s.color ?? i) % PALETTE.length];
    const pts = s.points.filter(([x, y]) => Number.isFinite(x) && Number.isFinite(y) && (!spec.logY || y > 0));
    if (pts.length === 0) return;
    const dash = s.dashed === true ? ' stroke-dasharray="6 4"' : '';
    if (pts.length === 1) {
      const [x, y] = pts[0]!;
      parts.push(`<circle cx="${r(px(x))}" cy="${r(py(y))}" r="3" fill="${color}"/>`);
    } else {
      const d = pts.map(([x, y], j) => `${j === 0 ? 'M' : 'L'}${r(px(x))} ${r(py(y))}`).join(' ');
      parts.push(`<path d="${d}" fill="none" stroke="${color}" stroke-width="2"${dash}/>`);
    }
    const lx = width - legendWidth - 4;
    const ly = m.top + 10 + i * 18;
    parts.push(`<line x1="${lx}" y1="${ly}" x2="${lx + 22}" y2="${ly}" stroke="${color}" stroke-width="2"${dash}/>`);
    parts.push(`<text x="${lx + 28}" y="${ly + 4}" font-size="11" ${FONT} fill="#222">${escapeXml(s.name)}</text>`);
  });
  return frame(width, height, spec.title, parts.join(''));
}

export interface HeatmapSpec {
  readonly title: string;
  readonly rowLabels: readonly string[];
  readonly colLabels: readonly string[];
  readonly values: readonly (readonly number[])[];
  readonly rowTitle: string;
  readonly colTitle: string;
}

/** A confusion matrix: cell shade by the row share (recall), the count written in each cell. */
export function heatmap(spec: HeatmapSpec): string {
  const n = spec.rowLabels.length;
  const cols = spec.colLabels.length;
  const cell = Math.max(44, Math.min(90, Math.floor(320 / Math.max(n, cols, 1))));
  const m = { left: 110, top: 62, right: 20, bottom: 20 };
  const width = Math.max(560, m.left + cols * cell + m.right);
  const height = m.top + n * cell + m.bottom + 20;
  const parts: string[] = [];
  parts.push(`<text x="${r(m.left + (cols * cell) / 2)}" y="${m.top - 26}" text-anchor="middle" font-size="12" ${FONT} fill="#222">${escapeXml(spec.colTitle)}</text>`);
  parts.push(`<text transform="translate(18 ${r(m.top + (n * cell) / 2)}) rotate(-90)" text-anchor="middle" font-size="12" ${FONT} fill="#222">${escapeXml(spec.rowTitle)}</text>`);
  spec.colLabels.forEach((c, j) => {
    parts.push(`<text x="${r(m.left + j * cell + cell / 2)}" y="${m.top - 8}" text-anchor="middle" font-size="12" ${FONT} fill="#222">${escapeXml(c)}</text>`);
  });
  spec.rowLabels.forEach((label, i) => {
    const row = spec.values[i] ?? [];
    const total = row.reduce((a, b) => a + b, 0);
    parts.push(`<text x="${m.left - 8}" y="${r(m.top + i * cell + cell / 2 + 4)}" text-anchor="end" font-size="12" ${FONT} fill="#222">${escapeXml(label)}</text>`);
    for (let j = 0; j < cols; j++) {
      const v = row[j] ?? 0;
      const share = total > 0 ? v / total : 0;
      // White → deep blue by the share of the row.
      const shade = (c0: number, c1: number): number => Math.round(c0 + (c1 - c0) * share);
      const fill = `rgb(${shade(247, 8)},${shade(251, 48)},${shade(255, 107)})`;
      const x = m.left + j * cell;
      const y = m.top + i * cell;
      parts.push(`<rect x="${x}" y="${y}" width="${cell}" height="${cell}" fill="${fill}" stroke="#fff"/>`);
      const ink = share > 0.5 ? '#fff' : '#111';
      parts.push(`<text x="${r(x + cell / 2)}" y="${r(y + cell / 2 + 1)}" text-anchor="middle" font-size="14" ${FONT} fill="${ink}">${v}</text>`);
      // The row share (recall for the diagonal), so unequal class sizes do not mislead.
      parts.push(`<text x="${r(x + cell / 2)}" y="${r(y + cell / 2 + 16)}" text-anchor="middle" font-size="10" ${FONT} fill="${ink}">${total > 0 ? `${Math.round(share * 100)}%` : ''}</text>`);
    }
  });
  return frame(width, height, spec.title, parts.join(''));
}

export interface BarChartSpec {
  readonly title: string;
  readonly yLabel: string;
  readonly bars: readonly { readonly label: string; readonly value: number; readonly note?: string }[];
  readonly yMax?: number;
  /** A horizontal reference line (e.g. the source-only baseline). */
  readonly reference?: { readonly value: number; readonly label: string };
}

export function barChart(spec: BarChartSpec): string {
  const bar = 56;
  const m = { left: 62, top: 44, right: 20, bottom: 56 };
  const width = Math.max(560, m.left + spec.bars.length * (bar + 16) + m.right);
  const height = 360;
  const ph = height - m.top - m.bottom;
  const max = spec.yMax ?? Math.max(1e-9, ...spec.bars.map((b) => b.value));
  const py = (v: number): number => m.top + ph - (Math.max(0, Math.min(v, max)) / max) * ph;
  const parts: string[] = [];
  for (const t of niceTicks(0, max, 5)) {
    parts.push(`<line x1="${m.left}" y1="${r(py(t))}" x2="${width - m.right}" y2="${r(py(t))}" stroke="#e5e5e5"/>`);
    parts.push(`<text x="${m.left - 6}" y="${r(py(t) + 4)}" text-anchor="end" font-size="11" ${FONT} fill="#444">${tickLabel(t)}</text>`);
  }
  parts.push(`<text transform="translate(16 ${r(m.top + ph / 2)}) rotate(-90)" text-anchor="middle" font-size="12" ${FONT} fill="#222">${escapeXml(spec.yLabel)}</text>`);
  spec.bars.forEach((b, i) => {
    const x = m.left + 12 + i * (bar + 16);
    const y = py(b.value);
    parts.push(`<rect x="${x}" y="${r(y)}" width="${bar}" height="${r(m.top + ph - y)}" fill="${PALETTE[i % PALETTE.length]}"/>`);
    parts.push(`<text x="${r(x + bar / 2)}" y="${r(y - 4)}" text-anchor="middle" font-size="11" ${FONT} fill="#222">${Number.isFinite(b.value) ? b.value.toFixed(3) : 'n/a'}</text>`);
    parts.push(`<text x="${r(x + bar / 2)}" y="${r(m.top + ph + 16)}" text-anchor="middle" font-size="11" ${FONT} fill="#222">${escapeXml(b.label)}</text>`);
    if (b.note !== undefined) parts.push(`<text x="${r(x + bar / 2)}" y="${r(m.top + ph + 30)}" text-anchor="middle" font-size="10" ${FONT} fill="#666">${escapeXml(b.note)}</text>`);
  });
  if (spec.reference !== undefined && Number.isFinite(spec.reference.value)) {
    const y = py(spec.reference.value);
    parts.push(`<line x1="${m.left}" y1="${r(y)}" x2="${width - m.right}" y2="${r(y)}" stroke="#D55E00" stroke-dasharray="6 4" stroke-width="1.5"/>`);
    // The label sits above the plot area, clear of the bar values.
    parts.push(`<line x1="${width - m.right - 150}" y1="${m.top - 8}" x2="${width - m.right - 128}" y2="${m.top - 8}" stroke="#D55E00" stroke-dasharray="6 4" stroke-width="1.5"/>`);
    parts.push(`<text x="${width - m.right - 122}" y="${m.top - 4}" font-size="11" ${FONT} fill="#D55E00">${escapeXml(spec.reference.label)}</text>`);
  }
  parts.push(`<line x1="${m.left}" y1="${r(m.top + ph)}" x2="${width - m.right}" y2="${r(m.top + ph)}" stroke="#888"/>`);
  return frame(width, height, spec.title, parts.join(''));
}
