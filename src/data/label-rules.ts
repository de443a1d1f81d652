/**
 * A source's map as rules: exact keys first, then regex keys in written order (the first that
 * matches wins), then `other` (which covers the empty label unless `""` is an exact key). A
 * multi-valued label (`split "|"`) maps each trimmed, non-empty value; values mapped to `drop`
 * are ignored; no class left drops the image; classes on one chain (OBP inside NCP) give the
 * finest; otherwise the image is conflicting.
 */
import type { ClassTable, ResolvedSource } from '../dsl/index.ts';
import { mustCompileLinear } from '../dsl/index.ts';
import type { LinearRegex } from '../dsl/index.ts';

export interface CompiledRules {
  readonly exact: Readonly<Record<string, string | null>>;
  readonly patterns: readonly { readonly regex: LinearRegex; readonly target: string | null }[];
  /** `undefined`: no `other` key. */
  readonly other: string | null | undefined;
  /** Memo of single values (labels repeat a lot). */
  readonly memo: Map<string, string | null | undefined>;
}

export function compileRules(source: Pick<ResolvedSource, 'map' | 'patterns' | 'other'>): CompiledRules {
  return {
    exact: source.map,
    patterns: (source.patterns ?? []).map((p) => ({ regex: mustCompileLinear(p.pattern, p.flags), target: p.target })),
    other: source.other,
    memo: new Map(),
  };
}

/** One value: a class, null (drop), or undefined (unmapped). */
export function mapValue(rules: CompiledRules, value: string): string | null | undefined {
  if (Object.hasOwn(rules.exact, value)) return rules.exact[value];
  if (rules.memo.has(value)) return rules.memo.get(value);
  let out: string | null | undefined = rules.other;
  for (const p of rules.patterns) {
    if (p.regex.search(value)) {
      out = p.target;
      break;
    }
  }
  rules.memo.set(value, out);
  return out;
}

export type Mapped =
  | { readonly kind: 'class'; readonly className: string }
  | { readonly kind: 'drop' }
  | { readonly kind: 'unmapped'; readonly values: readonly string[] }
  | { readonly kind: 'conflicting'; readonly classes: readonly string[] };

export function mapNative(rules: CompiledRules | undefined, classes: ClassTable, label: string, separator: string | undefined): Mapped {
  if (rules === undefined) return { kind: 'unmapped', values: [label] };
  if (separator === undefined) {
    const c = mapValue(rules, label);
    return c === undefined ? { kind: 'unmapped', values: [label] } : c === null ? { kind: 'drop' } : { kind: 'class', className: c };
  }
  const values = label.split(separator).map((v) => v.trim()).filter((v) => v !== '');
  const unmapped: string[] = [];
  const found: string[] = [];
  for (const v of values) {
    const c = mapValue(rules, v);
    if (c === undefined) unmapped.push(v);
    else if (c !== null && !found.includes(c)) found.push(c);
  }
  if (unmapped.length > 0) return { kind: 'unmapped', values: unmapped };
  if (found.length === 0) return { kind: 'drop' };
  if (found.length === 1) return { kind: 'class', className: found[0]! };
  const leaves = (name: string): Set<string> => new Set(classes.classes.find((c) => c.name === name)?.leaves ?? [name]);
  // One chain: every pair nested. The finest is the one with the fewest leaves.
  const sets = found.map((c) => ({ c, l: leaves(c) }));
  const nested = (a: Set<string>, b: Set<string>): boolean => [...a].every((x) => b.has(x)) || [...b].every((x) => a.has(x));
  for (let i = 0; i < sets.length; i++) for (let j = i + 1; j < sets.length; j++) if (!nested(sets[i]!.l, sets[j]!.l)) return { kind: 'conflicting', classes: found };
  sets.sort((a, b) => a.l.size - b.l.size);
  return { kind: 'class', className: sets[0]!.c };
}
