/**
 * report/: a run folder's report.md (plots as PNG in plots/) and a self-contained report.html
 * (inline CSS, plots as inline SVG, images as data URIs); and `cvr diff`.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { loadPipelines } from '../dsl/index.ts';
import { writeFileAtomic } from '../data/index.ts';
import type { ResolvedPipeline } from '../dsl/index.ts';
import type { Diagnostic } from '../diag/index.ts';
import { buildReport } from './build.ts';
import { toHtml, toMarkdown } from './document.ts';
import { svgToPng } from './plot/render.ts';
import { readRunFolder } from './run-folder.ts';

export { buildReport } from './build.ts';
export { toHtml, toMarkdown, type Block } from './document.ts';
export { readRunFolder, readMetricsFile, parsePredictions, parseEpochs, type RunFolder } from './run-folder.ts';
export { lineChart, heatmap, barChart } from './plot/svg.ts';
export { svgToPng } from './plot/render.ts';
export * from './diff/index.ts';

export interface WriteReportOptions {
  /** The run's resolved pipeline (the runner has it); otherwise pipeline.json or pipeline.cvr is resolved. */
  readonly pipeline?: ResolvedPipeline;
  /** Skip PNG rendering (report.md then links plots that are not written). */
  readonly png?: boolean;
}

export type WriteReportResult =
  | { readonly ok: true; readonly files: readonly string[] }
  | { readonly ok: false; readonly diagnostic: Diagnostic };

/** The run's pipeline: given, else pipeline.json (resolved), else pipeline.cvr when it resolves on its own. */
async function runPipeline(runDir: string, name: string, given?: ResolvedPipeline): Promise<{ pipeline?: ResolvedPipeline; note?: string }> {
  if (given !== undefined) return { pipeline: given };
  try {
    const value = JSON.parse(await readFile(join(runDir, 'pipeline.json'), 'utf8')) as ResolvedPipeline;
    if (typeof value === 'object' && value !== null && value.name === name && Array.isArray(value.sources)) return { pipeline: value };
  } catch {
    // Not there or not a resolved pipeline: try pipeline.cvr.
  }
  const result = await loadPipelines([join(runDir, 'pipeline.cvr')], { cwd: runDir });
  const pipeline = result.pipelines.find((p) => p.name === name);
  if (pipeline !== undefined && !result.diagnostics.some((d) => d.severity === 'error')) return { pipeline };
  const first = result.diagnostics.find((d) => d.severity === 'error');
  return {
    note: `The resolved settings are not shown: pipeline.cvr of this run does not resolve on its own${first !== undefined ? ` (${first.code}: ${first.message})` : ''}; its text is below.`,
  };
}

export async function writeReport(runDir: string, options: WriteReportOptions = {}): Promise<WriteReportResult> {
  const read = await readRunFolder(runDir);
  if ('diagnostic' in read) return { ok: false, diagnostic: read.diagnostic };
  const { pipeline, note } = await runPipeline(runDir, read.run.metrics.pipeline, options.pipeline);
  const { title, blocks } = buildReport({ run: read.run, cwd: runDir, ...(pipeline !== undefined && { pipeline }), ...(note !== undefined && { pipelineNote: note }) });
  const files: string[] = [];
  if (options.png !== false) {
    // sharp rasterises on its own thread pool: all plots at once.
    const plots = blocks.flatMap((b) => (b.kind === 'plot' ? [b] : []));
    await Promise.all(plots.map(async (b) => writeFileAtomic(join(runDir, b.file), await svgToPng(b.svg))));
    files.push(...plots.map((b) => b.file));
  }
  await writeFileAtomic(join(runDir, 'report.md'), toMarkdown(blocks));
  await writeFileAtomic(join(runDir, 'report.html'), toHtml(title, blocks));
  files.push('report.md', 'report.html');
  return { ok: true, files };
}
