/**
 * Hover text (Markdown): a class with its algebra expanded to leaf classes, a source as the
 * formatter prints it (folder or manifest, map) with where its data lies, a named block or
 * pipeline's parents and sources with its last run's audit numbers, a model's options, an
 * imported file's contents.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { classModel, formatCvr, vocabulary } from '../dsl/index.ts';
import type { ClassesBlock, CvrFile, Pipeline, SourceDecl, TopLevelItem } from '../dsl/index.ts';
import type { Declaration, Names, Occurrence } from './names.ts';
import type { Workspace } from './workspace.ts';

/** Items longer than this many lines are cut in a hover. */
const MAX_LINES = 30;

function code(text: string): string {
  const lines = text.trimEnd().split('\n');
  const shown = lines.length > MAX_LINES ? [...lines.slice(0, MAX_LINES), '  …'] : lines;
  return ['```cvr', ...shown, '```'].join('\n');
}

/** One item printed alone by the formatter (its comments left out). */
export function printItem(item: TopLevelItem): string {
  const file: CvrFile = { kind: 'file', path: item.span.file, imports: [], items: [item], comments: [], span: item.span };
  return formatCvr(file);
}

function classHover(block: ClassesBlock, name: string, builtin: string | undefined): string {
  const model = classModel(block);
  const decl = model.decls.get(name);
  if (decl === undefined) return `class **${name}**`;
  const describe = (n: string): string => {
    const d = model.decls.get(n)?.description?.value;
    return d === undefined ? `\`${n}\`` : `\`${n}\` (${d})`;
  };
  const lines = [`class **${name}**${decl.description === undefined ? '' : ` — ${decl.description.value}`}`];
  if (decl.members !== undefined) {
    lines.push('', `\`${name} = ${decl.members.map((m) => m.name).join(' | ')}\``);
    const leaves = model.leaves(name);
    lines.push('', leaves === undefined ? 'its unions form a cycle: no leaf classes' : `leaf classes: ${[...leaves].map(describe).join(', ')}`);
  } else {
    const unions = [...model.decls.values()].filter((d) => d.members !== undefined && model.leaves(d.name.name)?.has(name)).map((d) => d.name.name);
    lines.push('', unions.length === 0 ? 'a leaf class' : `a leaf class, in ${unions.map((u) => `\`${u}\``).join(', ')}`);
  }
  if (builtin !== undefined) lines.push('', `from the built-in taxonomy \`classes ${builtin}\``);
  return lines.join('\n');
}

function sourceHover(def: SourceDecl): string {
  const parts = [code(printItem(def))];
  const location = def.location;
  if (location !== undefined) {
    const where = path.resolve(path.dirname(def.span.file), location.path.value);
    parts.push(`${location.kind} \`${where}\` ${existsSync(where) ? '(exists)' : '(not found)'}`);
    if (location.kind === 'manifest' && location.fields.root !== undefined) {
      const root = path.resolve(path.dirname(def.span.file), location.fields.root.value);
      parts.push(`images under \`${root}\` ${existsSync(root) ? '(exists)' : '(not found)'}`);
    }
  }
  return parts.join('\n\n');
}

interface LastAudit {
  readonly folder: string;
  readonly sourceOnlyBaseline?: number | null;
  readonly cramersV?: number | null;
  readonly independent?: boolean | null;
}

/**
 * The audit of the pipeline's last run: `runs/<pipeline>/<run>/audit.json` below a workspace
 * folder or the pipeline file's folder (where `cvr run` writes it), the latest run by name
 * (run folders are named by their start time).
 */
export function lastAudit(pipeline: string, places: readonly string[]): LastAudit | undefined {
  for (const place of places) {
    const runs = path.join(place, 'runs', pipeline);
    let names: string[];
    try {
      names = readdirSync(runs).filter((n) => existsSync(path.join(runs, n, 'audit.json'))).sort();
    } catch {
      continue;
    }
    const latest = names[names.length - 1];
    if (latest === undefined) continue;
    try {
      const doc = JSON.parse(readFileSync(path.join(runs, latest, 'audit.json'), 'utf8')) as Omit<LastAudit, 'folder'>;
      return { folder: path.join(runs, latest), sourceOnlyBaseline: doc.sourceOnlyBaseline, cramersV: doc.cramersV, independent: doc.independent };
    } catch {
      continue;
    }
  }
  return undefined;
}

const percent = (x: number | null | undefined): string => (typeof x === 'number' ? `${(x * 100).toFixed(1)} %` : '—');

function pipelineHover(p: Pipeline, names: Names, places: readonly string[]): string {
  const lineage = names.lineage(p).map((x) => x.name.name);
  const title = p.statements.find((s) => s.kind === 'title');
  const lines = [`pipeline **${p.name.name}**${title?.kind === 'title' ? ` — ${title.text.value}` : ''}`];
  if (lineage.length > 1) lines.push('', `extends ${lineage.slice(1).map((n) => `\`${n}\``).join(' → ')}`);
  const sources = names.sourcesOf(p);
  if (sources.length > 0) lines.push('', `sources: ${sources.map((n) => `\`${n}\``).join(', ')}`);
  const audit = lastAudit(p.name.name, places);
  if (audit !== undefined) {
    const v = typeof audit.cramersV === 'number' ? audit.cramersV.toFixed(2) : '—';
    const independent = audit.independent === true ? 'independent test' : audit.independent === false ? 'test not independent' : 'independence unknown';
    lines.push('', `last run's audit (\`${audit.folder}\`): source-only baseline ${percent(audit.sourceOnlyBaseline)}, Cramér's V ${v}, ${independent}`);
  }
  return lines.join('\n');
}

function modelHover(name: string, o: Occurrence): string {
  const known = (vocabulary.MODELS as readonly string[]).includes(name);
  const lines = [known ? `model **${name}**` : `unknown model **${name}**: models are ${vocabulary.MODELS.map((m) => `\`${m}\``).join(', ')}`];
  const options = (o.node as { options?: readonly { key: { name: string }; value: { kind: string; name?: string; raw?: string; value?: unknown } }[] }).options ?? [];
  if (options.length > 0) lines.push('', `options here: ${options.map((opt) => `\`${opt.key.name} ${opt.value.name ?? opt.value.raw ?? JSON.stringify(opt.value.value)}\``).join(', ')}`);
  lines.push('', `options a model takes: ${vocabulary.MODEL_OPTIONS.map((k) => `\`${k}\``).join(', ')}`, '', 'parameter counts: `cvr models`');
  return lines.join('\n');
}

function fileHover(target: string, workspace: Workspace): string {
  const ast = workspace.bestAst(target);
  if (ast === undefined) return `\`${target}\` (not found)`;
  const items = ast.items.map((i) => `${i.kind === 'named-block' ? `${i.block.kind.replace(/-block$/, '')} block` : i.kind} \`${i.name.name}\``);
  return [`\`${target}\``, '', items.length === 0 ? 'declares nothing' : `declares ${items.join(', ')}`].join('\n');
}

export function hoverText(o: Occurrence, names: Names, workspace: Workspace): string | undefined {
  if (o.kind === 'model') return modelHover(o.name, o);
  if (o.kind === 'file') return fileHover(o.name, workspace);
  const d: Declaration | undefined = names.resolve(o);
  if (d === undefined) return undefined;
  if (d.builtin) {
    if (d.kind === 'classes' && d.block !== undefined) return [`built-in taxonomy \`classes ${d.name}\``, '', code(d.block.classes.map((c) => `${c.name.name}${c.members === undefined ? '' : ` = ${c.members.map((m) => m.name).join(' | ')}`}  "${c.description?.value ?? ''}"`).join('\n'))].join('\n');
    return d.block === undefined ? undefined : classHover(d.block, d.name, 'covid');
  }
  const def = d.occurrence;
  switch (def.kind) {
    case 'class':
      return def.classesBlock === undefined ? `class **${def.name}**` : classHover(def.classesBlock, def.name, undefined);
    case 'source':
      return sourceHover(def.node as unknown as SourceDecl);
    case 'pipeline':
      return pipelineHover(def.node as unknown as Pipeline, names, [...workspace.folders(), path.dirname(def.span.file)]);
    case 'classes':
    case 'image':
    case 'augment':
    case 'train':
    case 'evaluate':
      return code(printItem(def.node as unknown as TopLevelItem));
    default:
      return undefined;
  }
}
