/** The class algebra of one taxonomy: which leaves each class stands for. */
import type { ClassDecl, ClassesBlock } from './ast.ts';
import { findCycles } from './cycles.ts';

export interface ClassModel {
  /** First declaration of each name, in declaration order. */
  readonly decls: ReadonlyMap<string, ClassDecl>;
  /** Union names that take part in a cycle (their leaves are undefined). */
  readonly cycles: readonly string[][];
  /** The leaf classes a class stands for; undefined for an unknown or cyclic class. */
  leaves(name: string): ReadonlySet<string> | undefined;
}

export function classModel(block: ClassesBlock | undefined): ClassModel {
  const decls = new Map<string, ClassDecl>();
  for (const decl of block?.classes ?? []) if (!decls.has(decl.name.name)) decls.set(decl.name.name, decl);
  const edges = new Map<string, string[]>();
  for (const [name, decl] of decls) if (decl.members !== undefined) edges.set(name, decl.members.map((m) => m.name).filter((m) => decls.has(m)));
  const cycles = findCycles(edges);
  const cyclic = new Set(cycles.flat());
  const memo = new Map<string, ReadonlySet<string> | undefined>();
  const leaves = (name: string): ReadonlySet<string> | undefined => {
    if (memo.has(name)) return memo.get(name);
    const decl = decls.get(name);
    let result: Set<string> | undefined;
    if (decl === undefined || cyclic.has(name)) result = undefined;
    else if (decl.members === undefined) result = new Set([name]);
    else {
      result = new Set();
      for (const member of decl.members) for (const leaf of leaves(member.name) ?? []) result.add(leaf);
    }
    memo.set(name, result);
    return result;
  };
  return { decls, cycles, leaves };
}

export function isSubset(a: ReadonlySet<string>, b: ReadonlySet<string>): boolean {
  for (const x of a) if (!b.has(x)) return false;
  return true;
}

export function intersects(a: ReadonlySet<string>, b: ReadonlySet<string>): boolean {
  for (const x of a) if (b.has(x)) return true;
  return false;
}
