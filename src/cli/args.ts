/**
 * The one command-line layer: every command states its options as a table (a `CommandSpec`),
 * and this module parses argv against it, prints its help and its usage errors. The options that
 * several commands take (`--seed`, `--format`, `--cache`, `--pipeline`, `--engine`) are defined
 * once, in `SHARED`, so they accept the same values everywhere.
 */

import { closestName } from '../diag/index.ts';
import type { CliIo } from './io.ts';
import { EXIT } from './io.ts';

export type OptionSpec =
  | { readonly kind: 'boolean'; readonly help: string; readonly short?: string }
  | { readonly kind: 'string'; readonly value: string; readonly help: string; readonly short?: string }
  | { readonly kind: 'integer'; readonly value: string; readonly help: string; readonly min: number; readonly short?: string }
  | { readonly kind: 'number'; readonly value: string; readonly help: string; readonly short?: string }
  | {
      readonly kind: 'choice';
      readonly value: string;
      readonly help: string;
      readonly choices: readonly string[];
      /** Older spellings still accepted, mapped onto a choice. */
      readonly synonyms?: Readonly<Record<string, string>>;
      readonly short?: string;
    };

export interface CommandSpec {
  readonly name: string;
  /** One line, for `cvr --help`. */
  readonly summary: string;
  /** The arguments after `cvr NAME`, e.g. `FILE [--pipeline NAME]`. */
  readonly synopsis: string;
  /** Paragraphs printed under the synopsis. */
  readonly description: string;
  readonly options: Readonly<Record<string, OptionSpec>>;
  readonly positionals: { readonly name: string; readonly min: number; readonly max: number };
}

/** The options shared by several commands: one definition, one spelling, one validation. */
export const SHARED = {
  seed: { kind: 'integer', value: 'N', min: 0, help: "overrides the pipeline's seed (a whole number ≥ 0)" },
  format: {
    kind: 'choice',
    value: 'text|json',
    choices: ['text', 'json'],
    synonyms: { human: 'text' },
    help: 'text for people (default) or one JSON document on stdout',
  },
  cache: { kind: 'string', value: 'DIR', help: "the cache folder (default: CVR_CACHE_DIR, else .cvr-cache/ at the project's root)" },
  pipeline: { kind: 'string', value: 'NAME', help: 'which pipeline, when FILE declares several' },
  engine: { kind: 'string', value: 'E', help: "tensor engine (overrides the file's `engine`; `cvr engines` lists them)" },
} as const satisfies Record<string, OptionSpec>;

type ValueOf<O extends OptionSpec> = O extends { kind: 'boolean' } ? boolean : O extends { kind: 'integer' | 'number' } ? number : string;

export type OptionValues<S extends CommandSpec> = { -readonly [K in keyof S['options']]?: ValueOf<S['options'][K]> };

export type ParsedCommandLine<S extends CommandSpec> =
  | { readonly kind: 'ok'; readonly values: OptionValues<S>; readonly positional: readonly string[] }
  | { readonly kind: 'help' }
  | { readonly kind: 'error'; readonly message: string };

/** Parses `--name value`, `--name=value`, `-x value`, `--flag`, `--` and `-` (standard input, a positional). */
export function parseCommandLine<S extends CommandSpec>(spec: S, argv: readonly string[]): ParsedCommandLine<S> {
  const values: Record<string, unknown> = {};
  const positional: string[] = [];
  const byShort = new Map(Object.entries(spec.options).flatMap(([name, o]) => (o.short === undefined ? [] : [[o.short, name] as const])));
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--help' || arg === '-h') return { kind: 'help' };
    if (arg === '--') {
      positional.push(...argv.slice(i + 1));
      break;
    }
    if (arg === '-' || !arg.startsWith('-')) {
      positional.push(arg);
      continue;
    }
    const long = arg.startsWith('--');
    const eq = long ? arg.indexOf('=') : -1;
    const given = long ? arg.slice(2, eq < 0 ? undefined : eq) : arg.slice(1);
    const name = long ? given : byShort.get(given);
    const option = name === undefined ? undefined : spec.options[name];
    if (name === undefined || option === undefined) return { kind: 'error', message: unknownOption(arg, given, long, spec) };
    if (option.kind === 'boolean') {
      if (eq >= 0) return { kind: 'error', message: `--${name} takes no value` };
      values[name] = true;
      continue;
    }
    const text = eq >= 0 ? arg.slice(eq + 1) : argv[++i];
    // `--seed -3` is a value, not an option: only a known option name after a value-taking one is refused.
    if (text === undefined || (eq < 0 && isOptionName(text, spec))) return { kind: 'error', message: `--${name} needs a value (${option.value})` };
    const value = convert(name, option, text);
    if (typeof value === 'object') return { kind: 'error', message: value.error };
    values[name] = value;
  }
  const { name, min, max } = spec.positionals;
  if (positional.length < min) return { kind: 'error', message: min === 1 && max === 1 ? `no ${name} given` : `give at least ${min} ${name}` };
  if (positional.length > max) {
    return { kind: 'error', message: max === 0 ? `unexpected argument "${positional[0]}"` : `at most ${max} ${name} (got ${positional.length}: ${positional.join(' ')})` };
  }
  return { kind: 'ok', values: values as OptionValues<S>, positional };
}

function isOptionName(text: string, spec: CommandSpec): boolean {
  if (text.startsWith('--')) return true;
  return /^-[A-Za-z]$/.test(text) && Object.values(spec.options).some((o) => o.short === text.slice(1));
}

function unknownOption(arg: string, given: string, long: boolean, spec: CommandSpec): string {
  const names = [...Object.keys(spec.options), 'help'];
  const suggestion = long ? closestName(given, names) ?? names.find((n) => n.startsWith(given)) : undefined;
  const hint = suggestion === undefined ? '' : `; did you mean --${suggestion}?`;
  return `unknown option "${arg}"${hint}`;
}

function convert(name: string, option: Exclude<OptionSpec, { kind: 'boolean' }>, text: string): string | number | { error: string } {
  switch (option.kind) {
    case 'string':
      return text;
    case 'integer': {
      const n = Number(text);
      if (!/^-?\d+$/.test(text) || !Number.isSafeInteger(n) || n < option.min) {
        return { error: `--${name} takes a whole number ≥ ${option.min}, not "${text}"` };
      }
      return n;
    }
    case 'number': {
      const n = Number(text);
      if (text.trim() === '' || !Number.isFinite(n)) return { error: `--${name} takes a number, not "${text}"` };
      return n;
    }
    case 'choice': {
      const value = option.synonyms?.[text] ?? text;
      if (option.choices.includes(value)) return value;
      const suggestion = closestName(text, option.choices);
      return { error: `--${name} takes ${option.choices.map((c) => `"${c}"`).join(' or ')}, not "${text}"${suggestion === undefined ? '' : `; did you mean "${suggestion}"?`}` };
    }
  }
}

/** The command's help: synopsis, description, and its options as a table. */
export function usageText(spec: CommandSpec): string {
  const rows = Object.entries(spec.options).map(([name, o]) => {
    const left = `${o.short === undefined ? '    ' : `-${o.short}, `}--${name}${o.kind === 'boolean' ? '' : ` ${o.value}`}`;
    return [left, o.help] as const;
  });
  rows.push(['-h, --help', 'print this help']);
  const width = Math.max(...rows.map(([left]) => left.length));
  const table = rows.map(([left, help]) => `  ${left.padEnd(width)}  ${help}`).join('\n');
  return `usage: cvr ${spec.name} ${spec.synopsis}\n\n${spec.description.trimEnd()}\n\noptions:\n${table}\n`;
}

/**
 * The prologue of every command: `--help` prints its help (exit 0); a usage error prints what is
 * wrong and how to ask for help (exit 2). Returns that exit code, or the parsed arguments.
 */
export function settleCommandLine<S extends CommandSpec>(
  spec: S,
  argv: readonly string[],
  io: CliIo,
): number | { readonly values: OptionValues<S>; readonly positional: readonly string[] } {
  const parsed = parseCommandLine(spec, argv);
  if (parsed.kind === 'help') {
    io.stdout(usageText(spec));
    return EXIT.ok;
  }
  if (parsed.kind === 'error') return usageError(spec, parsed.message, io);
  return parsed;
}

/** A usage error found after parsing (two options that exclude each other, a bad combination). */
export function usageError(spec: CommandSpec, message: string, io: CliIo): number {
  io.stderr(`cvr ${spec.name}: ${message}\nusage: cvr ${spec.name} ${spec.synopsis}\nRun \`cvr help ${spec.name}\` for all options.\n`);
  return EXIT.usage;
}
