/**
 * `cvr run`'s real dependencies: the language front end, engine selection, the planner and the
 * stage handlers. Kept apart from the command so the command is testable with injected ones.
 */
import type { Diagnostic } from '../diag/index.ts';
import { diagnostic, renderDiagnostics } from '../diag/index.ts';
import { loadPipelines } from '../dsl/index.ts';
import { planRunKeys } from '../plan/index.ts';
import { probeEngine, selectEngine } from '../engine/index.ts';
import { slowEngineWarning } from '../engine/index.ts';
import type { RunDeps } from './deps.ts';
import { stageHandlers } from './stage-handlers.ts';

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
    async restore(saved) {
      const engine = await selectEngine(saved.engine);
      if (!engine.ok) return { ok: false, diagnostics: engine.diagnostics };
      return { ok: true, engine: engine.info.engine, handlers: stageHandlers({ pipeline: saved.pipeline, seed: saved.seed, cacheDir: saved.cacheDir, render: (ds) => render(ds, process.cwd()) }) };
    },
    async prepare(declared, options) {
      const engine = await selectEngine(options.engine);
      if (!engine.ok) return { ok: false, diagnostics: engine.diagnostics };
      // Said before training starts: a run that silently trains 50× slower wastes the user's day.
      const slow = engine.info.engine === 'cpu' ? slowEngineWarning('cpu', options.engine, (await probeEngine('native')).reason) : undefined;
      // The keys: the same function as `cvr plan`'s (src/plan/run-keys.ts), with the engine that
      // will actually run (not `auto`).
      const memoDiagnostics: Diagnostic[] = [];
      const onMemoCorrupt = (file: string, reason: string): void => {
        memoDiagnostics.push(diagnostic('CVR852', `the scan memo is corrupt: ${reason}; discarded, hashing the image files again`, { file, hint: 'nothing to do; `cvr cache verify` checks the whole cache' }));
      };
      const keyed = await planRunKeys(declared, { engine: engine.info.engine, seed: options.seed, cacheDir: options.cacheDir, unlisted: 'fresh', env: process.env, onMemoCorrupt });
      if (!keyed.ok) return { ok: false, diagnostics: keyed.diagnostics };
      const { plan, pipeline } = keyed;
      return {
        ok: true,
        plan,
        pipeline,
        engine: engine.info.engine,
        handlers: stageHandlers({ pipeline, seed: options.seed, cacheDir: options.cacheDir, render: (ds) => render(ds, process.cwd()) }),
        lockInfo: { engineInfo: engine.info },
        diagnostics: [...keyed.diagnostics, ...memoDiagnostics, ...(slow === undefined ? [] : [slow])],
      };
    },
  };
}
