/**
 * Every regex the language accepts (`labels from path`, `patients from path`, `matches`, map
 * keys) runs with RE2 semantics through `re2js`, a pure-JS port of RE2: matching is linear in
 * the input, so no pattern can hang an audit. Patterns RE2 cannot run (backreferences,
 * lookaround) are refused with RE2's reason; `cvr check` reports them (CVR112).
 */
import { RE2JS } from 're2js';

/** A compiled pattern: `search` is unanchored (as `/…/` reads), `capture` gives group 1 or the whole match. */
export interface LinearRegex {
  readonly source: string;
  readonly flags: string;
  search(text: string): boolean;
  capture(text: string): string | undefined;
}

const FLAG_BITS: Readonly<Record<string, number>> = {
  i: RE2JS.CASE_INSENSITIVE,
  s: RE2JS.DOTALL,
  m: RE2JS.MULTILINE,
};

/**
 * Compiled patterns by flags and text: a pipeline names the same few patterns for many sources
 * (a `sources from manifest` block gives each source its map), and `cvr check` compiles them first.
 * A compiled pattern holds no match state, so one object serves every caller.
 */
const compiled = new Map<string, { regex: LinearRegex } | { error: string }>();
const CACHE_LIMIT = 512;

export function compileLinear(pattern: string, flags = ''): { regex: LinearRegex } | { error: string } {
  const key = `${flags}/${pattern}`;
  const hit = compiled.get(key);
  if (hit !== undefined) return hit;
  const result = compileUncached(pattern, flags);
  if (compiled.size >= CACHE_LIMIT) compiled.clear();
  compiled.set(key, result);
  return result;
}

function compileUncached(pattern: string, flags: string): { regex: LinearRegex } | { error: string } {
  let bits = 0;
  for (const f of flags) {
    const bit = FLAG_BITS[f];
    if (bit === undefined) return { error: `unknown flag "${f}" (flags are i, s, m)` };
    bits |= bit;
  }
  let re: RE2JS;
  try {
    re = RE2JS.compile(pattern, bits);
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    return { error: message.replace(/^error parsing regexp: /, '') };
  }
  return {
    regex: {
      source: pattern,
      flags,
      search: (text) => re.test(text),
      capture: (text) => {
        const m = re.matcher(text);
        if (!m.find()) return undefined;
        return re.groupCount() >= 1 ? (m.group(1) ?? undefined) : (m.group(0) ?? undefined);
      },
    },
  };
}

/** Compiles a pattern that `cvr check` already accepted; a refusal here is a bug. */
export function mustCompileLinear(pattern: string, flags = ''): LinearRegex {
  const r = compileLinear(pattern, flags);
  if ('error' in r) throw new Error(`Internal error: regex /${pattern}/${flags} was not checked: ${r.error}`);
  return r.regex;
}
