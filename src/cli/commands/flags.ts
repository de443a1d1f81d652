import type { Diagnostic } from '../../diag/index.ts';
import { renderDiagnostic } from '../../diag/index.ts';

export type FlagKinds = Readonly<Record<string, 'value' | 'bool'>>;

export type ParsedFlags =
  | { readonly ok: true; readonly values: Readonly<Record<string, string | undefined>>; readonly positional: readonly string[] }
  | { readonly ok: false; readonly error: string };

/**
 * A small `--name value` / `--name=value` parser shared by the engine and model commands (and the
 * train benchmark), so each command states its flags as a table and rejects unknown ones.
 */
export function parseFlags(argv: readonly string[], kinds: FlagKinds): ParsedFlags {
  const values: Record<string, string | undefined> = {};
  const positional: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (!arg.startsWith('--')) {
      positional.push(arg);
      continue;
    }
    const eq = arg.indexOf('=');
    const name = arg.slice(2, eq === -1 ? undefined : eq);
    const kind = kinds[name];
    if (kind === undefined) return { ok: false, error: `unknown option --${name}` };
    if (kind === 'bool') {
      if (eq !== -1) return { ok: false, error: `--${name} takes no value` };
      values[name] = 'true';
      continue;
    }
    const value = eq === -1 ? argv[++i] : arg.slice(eq + 1);
    if (value === undefined || (eq === -1 && value.startsWith('--'))) return { ok: false, error: `--${name} needs a value` };
    values[name] = value;
  }
  return { ok: true, values, positional };
}

/** One diagnostic without a source span (engine, model and weights errors), as `cvr check` prints them. */
export function formatDiagnostic(d: Diagnostic, cwd?: string): string {
  return renderDiagnostic(d, { files: new Map(), ...(cwd === undefined ? {} : { cwd }) });
}
