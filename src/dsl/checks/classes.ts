/** The class algebra: declarations, unions, the task, and where map targets land. */
import type { Ident, LabelMap, CoarsePolicy } from '../ast.ts';
import { classModel, intersects, isSubset } from '../class-model.ts';
import { suggestion } from '../../diag/index.ts';
import type { EffectivePipeline } from '../effective.ts';
import type { Accept } from '../report.ts';
import { mapKeyText } from '../format.ts';

function unknownClass(p: EffectivePipeline, name: Ident, accept: Accept, role: string): void {
  const known = (p.classes?.classes ?? []).map((c) => c.name.name);
  accept('CVR301', name.span, `unknown class "${name.name}"${role}`, {
    hint: suggestion(name.name, known) ?? (p.classes === undefined ? 'declare the classes: `classes covid` or `classes { … }`' : undefined),
  });
}

export function checkDuplicateClasses(p: EffectivePipeline, accept: Accept): void {
  const first = new Map<string, Ident>();
  for (const decl of p.classes?.classes ?? []) {
    const earlier = first.get(decl.name.name);
    if (earlier === undefined) first.set(decl.name.name, decl.name);
    else accept('CVR302', decl.name.span, `class "${decl.name.name}" is declared twice`, { related: [{ message: 'first declared here', span: earlier.span }] });
  }
}

export function checkUnionMembers(p: EffectivePipeline, accept: Accept): void {
  const model = classModel(p.classes);
  for (const decl of p.classes?.classes ?? []) {
    for (const member of decl.members ?? []) {
      if (!model.decls.has(member.name)) unknownClass(p, member, accept, ` in union "${decl.name.name}"`);
    }
  }
}

export function checkUnionCycles(p: EffectivePipeline, accept: Accept): void {
  const model = classModel(p.classes);
  for (const cycle of model.cycles) {
    const first = model.decls.get(cycle[0] ?? '');
    if (first === undefined) continue;
    accept('CVR311', first.name.span, `class unions form a cycle: ${[...cycle, cycle[0]].join(' → ')}`, { hint: 'a union must be built from classes declared without it' });
  }
}

export function checkTaskClasses(p: EffectivePipeline, accept: Accept): void {
  if (p.task === undefined) return;
  const model = classModel(p.classes);
  const seen = new Map<string, Ident>();
  for (const cls of p.task.classes) {
    const earlier = seen.get(cls.name);
    if (earlier !== undefined) {
      accept('CVR316', cls.span, `class "${cls.name}" is listed twice in the task`, { related: [{ message: 'first listed here', span: earlier.span }] });
      continue;
    }
    seen.set(cls.name, cls);
    if (!model.decls.has(cls.name)) unknownClass(p, cls, accept, ' in the task');
  }
  if (p.task.classes.length < 2) accept('CVR410', p.task.span, `a task needs at least two classes, found ${p.task.classes.length}`, { hint: 'write e.g. `task NCV vs CVP`' });
}

export function checkTaskDisjoint(p: EffectivePipeline, accept: Accept): void {
  if (p.task === undefined) return;
  const model = classModel(p.classes);
  const classes = [...new Map(p.task.classes.map((c) => [c.name, c])).values()];
  for (let i = 0; i < classes.length; i++) {
    for (let j = i + 1; j < classes.length; j++) {
      const a = classes[i];
      const b = classes[j];
      if (a === undefined || b === undefined) continue;
      const la = model.leaves(a.name);
      const lb = model.leaves(b.name);
      if (la === undefined || lb === undefined || !intersects(la, lb)) continue;
      const relation = isSubset(lb, la) ? `${b.name} ⊂ ${a.name}` : isSubset(la, lb) ? `${a.name} ⊂ ${b.name}` : `both contain ${[...la].filter((x) => lb.has(x)).sort().join(', ')}`;
      accept('CVR310', b.span, `task classes ${a.name} and ${b.name} overlap (${relation}): an image could belong to both`, {
        hint: 'task classes must be disjoint; use finer classes (NOR vs NCP) or coarser ones (NCV vs CVP)',
        related: [{ message: `${a.name} is here`, span: a.span }],
      });
    }
  }
}

function checkMap(p: EffectivePipeline, map: LabelMap | undefined, coarse: CoarsePolicy | undefined, owner: string, accept: Accept): void {
  if (map === undefined) return;
  const model = classModel(p.classes);
  const taskLeaves = (p.task?.classes ?? []).map((c) => ({ name: c.name, leaves: model.leaves(c.name) }));
  const seen = new Map<string, LabelMap['entries'][number]>();
  for (const entry of map.entries) {
    const keyText = mapKeyText(entry.key);
    const earlier = seen.get(keyText);
    if (earlier !== undefined) {
      accept('CVR312', entry.key.span, `native label ${keyText} is mapped twice in ${owner}`, { related: [{ message: 'first mapped here', span: earlier.key.span }] });
    } else seen.set(keyText, entry);
    if (entry.target === undefined) continue;
    if (!model.decls.has(entry.target.name)) {
      unknownClass(p, entry.target, accept, ` as the target of ${keyText}`);
      continue;
    }
    const leaves = model.leaves(entry.target.name);
    if (leaves === undefined || coarse?.action === 'drop' || taskLeaves.some((t) => t.leaves === undefined)) continue;
    if (taskLeaves.some((t) => t.leaves !== undefined && isSubset(leaves, t.leaves))) continue;
    const overlapping = taskLeaves.filter((t) => t.leaves !== undefined && intersects(leaves, t.leaves)).map((t) => t.name);
    if (overlapping.length === 0) continue; // outside the task: dropped, and the audit counts it
    accept('CVR315', entry.target.span, `${keyText} -> ${entry.target.name} is too coarse for the task: ${entry.target.name} spans ${overlapping.join(', ')}`, {
      hint: `map it to one task class, or add \`coarse drop\` to ${owner} to drop these images`,
    });
  }
}

export function checkMapTargets(p: EffectivePipeline, accept: Accept): void {
  for (const s of p.sources) checkMap(p, s.def.map, s.def.coarse, `source "${s.def.name.name}"`, accept);
  for (const m of p.manifests) checkMap(p, m.map, m.coarse, `sources from manifest "${m.path.value}"`, accept);
}

export function checkWeightAndGradcamClasses(p: EffectivePipeline, accept: Accept): void {
  const model = classModel(p.classes);
  const task = new Set((p.task?.classes ?? []).map((c) => c.name));
  const named: Ident[] = [...(p.train?.classWeights?.explicit ?? []).map((w) => w.className), ...(p.evaluate?.gradcam ? [p.evaluate.gradcam.className] : [])];
  for (const name of named) {
    if (!model.decls.has(name.name)) unknownClass(p, name, accept, '');
    else if (p.task !== undefined && !task.has(name.name)) {
      accept('CVR314', name.span, `class "${name.name}" is not one of the task's classes (${[...task].join(', ')})`, { hint: suggestion(name.name, [...task]) });
    }
  }
}
