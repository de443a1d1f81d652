/** `classes covid`: the paper's taxonomy, built in (language.md, "Classes: a small algebra"). */
import type { Span } from '../diag/index.ts';
import type { ClassDecl, ClassesBlock, Ident } from './ast.ts';

const COVID: readonly { name: string; members?: readonly string[]; description: string }[] = [
  { name: 'NOR', description: 'Normal' },
  { name: 'OBP', description: 'Other bacterial pneumonia' },
  { name: 'OVP', description: 'Other viral pneumonia' },
  { name: 'CVP', description: 'COVID-19 pneumonia' },
  { name: 'NCP', members: ['OBP', 'OVP'], description: 'Non-COVID pneumonia' },
  { name: 'NCV', members: ['NOR', 'NCP'], description: 'Non-COVID' },
];

export const BUILTIN_CLASSES = ['covid'] as const;

/**
 * The built-in block, its spans all at the `classes covid` statement that asked for it, so a
 * diagnostic about a built-in class points at the line that brought it in.
 */
export function builtinClasses(name: string, at: Span): ClassesBlock | undefined {
  if (name !== 'covid') return undefined;
  const ident = (n: string): Ident => ({ kind: 'ident', name: n, span: at });
  const classes: ClassDecl[] = COVID.map((c) => ({
    kind: 'class-decl',
    name: ident(c.name),
    ...(c.members === undefined ? {} : { members: c.members.map(ident) }),
    description: { kind: 'string', value: c.description, span: at },
    span: at,
  }));
  return { kind: 'classes-block', classes, span: at };
}
