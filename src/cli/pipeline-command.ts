/**
 * What `cvr audit`, `cvr plan` and `cvr lock` share: option parsing, loading the .cvr file and
 * picking pipelines, and printing front-end diagnostics.
 */
import { hasErrors, diagnosticsToJson, renderDiagnostics } from '../diag/index.ts';
import type { Diagnostic } from '../diag/index.ts';
import { loadPipelines } from '../dsl/index.ts';
import type { ResolvedPipeline } from '../dsl/index.ts';
import type { CliIo } from './io.ts';
import { EXIT } from './io.ts';

export interface OptionSpec {
  /** Options that take a value (`--pipeline NAME`), by name without dashes. */
  readonly values: readonly string[];
  /** Flags (`--metadata-only`). */
  readonly flags: readonly string[];
}

export interface ParsedArgs {
  readonly positional: string[];
  readonly values: Map<string, string>;
  readonly flags: Set<string>;
}

export function parseOptions(argv: readonly string[], spec: OptionSpec): ParsedArgs | { error: string } | 'help' {
  const positional: string[] = [];
  const values = new Map<string, string>();
  const flags = new Set<string>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--help' || arg === '-h') return 'help';
    if (arg === '--') {
      positional.push(...argv.slice(i + 1));
      break;
    }
    if (!arg.startsWith('--')) {
      positional.push(arg);
      continue;
    }
    const eq = arg.indexOf('=');
    const name = arg.slice(2, eq < 0 ? undefined : eq);
    if (spec.flags.includes(name)) {
      if (eq >= 0) return { error: `--${name} takes no value` };
      flags.add(name);
    } else if (spec.values.includes(name)) {
      const value = eq >= 0 ? arg.slice(eq + 1) : argv[++i];
      if (value === undefined) return { error: `--${name} needs a value` };
      values.set(name, value);
    } else return { error: `unknown option "${arg}"` };
  }
  return { positional, values, flags };
}

export function parseSeed(text: string | undefined): number | undefined | { error: string } {
  if (text === undefined) return undefined;
  if (!/^-?\d+$/.test(text)) return { error: `--seed takes an integer, not "${text}"` };
  return Number(text);
}

export interface Loaded {
  readonly pipelines: ResolvedPipeline[];
  readonly files: ReadonlyMap<string, string>;
}

/**
 * Loads FILE and selects `--pipeline NAME` (or every pipeline the file declares). Prints the
 * front end's diagnostics; returns an exit code when the command cannot go on.
 */
export async function loadSelected(command: string, file: string, pipelineName: string | undefined, io: CliIo, json: boolean): Promise<Loaded | number> {
  const result = await loadPipelines([file], { cwd: io.cwd });
  const options = { files: result.files, cwd: io.cwd, color: io.isTty && !json };
  if (hasErrors(result.diagnostics)) {
    if (json) io.stdout(`${JSON.stringify(diagnosticsToJson(result.diagnostics, options), null, 2)}\n`);
    else io.stderr(renderDiagnostics(result.diagnostics, options));
    return EXIT.failed;
  }
  let pipelines = result.pipelines;
  if (pipelineName !== undefined) {
    pipelines = pipelines.filter((p) => p.name === pipelineName);
    if (pipelines.length === 0) {
      const names = result.pipelines.map((p) => p.name).join(', ') || '(none)';
      io.stderr(`cvr ${command}: no pipeline "${pipelineName}" in ${file}; it declares ${names}\n`);
      return EXIT.usage;
    }
  }
  if (pipelines.length === 0) {
    io.stderr(`cvr ${command}: ${file} declares no pipeline\n`);
    return EXIT.failed;
  }
  return { pipelines, files: result.files };
}

export function renderFor(diagnostics: readonly Diagnostic[], loaded: Loaded, io: CliIo, json: boolean) {
  const options = { files: loaded.files, cwd: io.cwd, color: io.isTty && !json };
  return {
    human: (): string => renderDiagnostics(diagnostics, options),
    json: () => diagnosticsToJson(diagnostics, options).diagnostics,
  };
}
