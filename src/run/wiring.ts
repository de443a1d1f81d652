/**
 * `cvr run`'s real dependencies: the language front end, engine selection, the planner and the
 * stage handlers. Kept apart from the command so the command is testable with injected ones.
 */
import type { Diagnostic } from '../diag/diagnostic.ts';
import { hasErrors } from '../diag/diagnostic.ts';
import { renderDiagnostics } from '../diag/render.ts';
import { loadPipelines } from '../dsl/index.ts';
import { expandSourceManifests } from '../data/expand.ts';
import { buildPlan } from '../plan/dag.ts';
import { sourceFingerprints } from '../plan/fingerprint.ts';
import { selectEngine } from '../engine/index.ts';
import type { RunDeps } from '../cli/commands/run.ts';
import { stageHandlers } from './stage-handlers.ts';
import { makeDiagnostic } from '../dsl/report.ts';

export function realRunDeps(): Omit<RunDeps, 'tty'> {
  // Texts of the files read, so diagnostics can quote their source lines.
  const files = new Map<string, string>();
  const render = (diagnostics: readonly Diagnostic[], cwd: string): string => renderDiagnostics(diagnostics, { files, cwd });
  return {
    async load(file, cwd) {
      const result = await loadPipelines([file], { cwd });
      for (const [path, text] of result.files) files.set(path, text);
      return result;
    },
    renderDiagnostics: render,
    async prepare(declared, options) {
      const expanded = await expandSourceManifests(declared);
      if (hasErrors(expanded.diagnostics)) return { ok: false, diagnostics: expanded.diagnostics };
      const engine = await selectEngine(options.engine);
      if (!engine.ok) return { ok: false, diagnostics: engine.diagnostics };
      // The engine that will actually run (not `auto`) goes into the keys: another engine gives
      // other numbers, so its results must not be reused for this one.
      const pipeline = { ...expanded.pipeline, engine: engine.info.engine };
      // The scan keys cover the data as it is now (listing, labels, file contents), so a changed
      // folder or manifest reruns the scan and what follows; remembered content hashes make this
      // a stat per file on unchanged data. Data that cannot be listed gets a key of its own, so
      // the scan node runs and reports why instead of reusing an old listing.
      const memoDiagnostics: Diagnostic[] = [];
      const onMemoCorrupt = (file: string, reason: string): void => {
        memoDiagnostics.push(makeDiagnostic('CVR852', undefined, `the scan memo is corrupt: ${reason}; discarded, hashing the image files again`, { hint: 'nothing to do; `cvr cache verify` checks the whole cache' }, file));
      };
      const fingerprints = (await sourceFingerprints(pipeline, { cacheDir: options.cacheDir, onMemoCorrupt })) ??
        Object.fromEntries(pipeline.sources.map((s) => [s.name, `unlisted:${process.pid}:${Date.now()}`]));
      const plan = buildPlan(pipeline, { seed: options.seed, sourceFingerprints: fingerprints });
      return {
        ok: true,
        plan,
        pipeline,
        engine: engine.info.engine,
        handlers: stageHandlers({ pipeline, seed: options.seed, cacheDir: options.cacheDir, render: (ds) => render(ds, process.cwd()) }),
        lockInfo: { engineInfo: engine.info },
        diagnostics: [...expanded.diagnostics, ...memoDiagnostics],
      };
    },
  };
}
