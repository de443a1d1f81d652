/**
 * The run context: what `cvr run` (cli/) needs from the stages below it. It lives here, in run/,
 * so that cli/ depends on run/ and never the other way round; `loadRunDeps()` (run/index.ts)
 * gives the real one, tests inject their own.
 */
import type { Diagnostic } from '../diag/index.ts';
import type { ResolvedPipeline } from '../dsl/index.ts';
import type { Plan } from '../plan/index.ts';
import type { Handlers } from './executor.ts';
import type { SavedPrepared } from './worker.ts';

/** What `cvr run` needs from the other stages; injected so the command is testable alone. */
export interface RunDeps {
  /** Parse, resolve and check FILE. */
  readonly load: (file: string, cwd: string) => Promise<{ readonly pipelines: readonly ResolvedPipeline[]; readonly diagnostics: readonly Diagnostic[] }>;
  readonly renderDiagnostics: (diagnostics: readonly Diagnostic[], cwd: string) => string;
  /** Choose the engine, build the plan and the node handlers for one pipeline. */
  readonly prepare: (
    pipeline: ResolvedPipeline,
    options: { readonly seed: number; readonly engine: string; readonly cacheDir: string },
  ) => Promise<
    | {
        readonly ok: true;
        readonly plan: Plan;
        readonly handlers: Handlers;
        /** The engine actually chosen (`auto` resolved). */
        readonly engine: string;
        readonly lockInfo?: Readonly<Record<string, unknown>>;
        readonly diagnostics?: readonly Diagnostic[];
        /** The pipeline the plan was built from (manifests expanded, engine chosen); written as pipeline.json. */
        readonly pipeline?: ResolvedPipeline;
      }
    | { readonly ok: false; readonly diagnostics: readonly Diagnostic[] }
  >;
  /**
   * The handlers for a plan a run saved (`cvr run-node --prepared`): the engine chosen again,
   * nothing planned. Without it run-node plans FILE again.
   */
  readonly restore?: (
    saved: SavedPrepared,
  ) => Promise<{ readonly ok: true; readonly handlers: Handlers; readonly engine: string } | { readonly ok: false; readonly diagnostics: readonly Diagnostic[] }>;
  /** The Ink view's output; only used when `io.isTty`. */
  readonly tty?: NodeJS.WriteStream;
  readonly now?: () => Date;
}
