/**
 * What names a file can see: its own top-level items and those of every file it imports,
 * transitively. Each kind of item (pipeline, source, classes, image, augment, train, evaluate)
 * has its own namespace, so `train paper` and `evaluate paper` do not clash.
 */
import type { AugmentBlock, ClassesBlock, CvrFile, EvaluateBlock, ImageBlock, NamedBlock, Pipeline, SourceDecl, TopLevelItem, TrainBlock } from './ast.ts';
import type { Accept } from './report.ts';

export type ItemKind = 'pipeline' | 'source' | 'classes' | 'image' | 'augment' | 'train' | 'evaluate';

export interface BlockByKind {
  readonly pipeline: Pipeline;
  readonly source: SourceDecl;
  readonly classes: NamedBlock<ClassesBlock>;
  readonly image: NamedBlock<ImageBlock>;
  readonly augment: NamedBlock<AugmentBlock>;
  readonly train: NamedBlock<TrainBlock>;
  readonly evaluate: NamedBlock<EvaluateBlock>;
}

export function itemKind(item: TopLevelItem): ItemKind {
  switch (item.kind) {
    case 'pipeline':
      return 'pipeline';
    case 'source':
      return 'source';
    case 'named-block':
      switch (item.block.kind) {
        case 'classes-block':
          return 'classes';
        case 'image-block':
          return 'image';
        case 'augment-block':
          return 'augment';
        case 'train-block':
          return 'train';
        case 'evaluate-block':
          return 'evaluate';
        default: {
          const never: never = item.block;
          throw new Error(`Internal error: unknown named block ${JSON.stringify(never)}`);
        }
      }
    default: {
      const never: never = item;
      throw new Error(`Internal error: unknown top-level item ${JSON.stringify(never)}`);
    }
  }
}

const KIND_WORD: Readonly<Record<ItemKind, string>> = {
  pipeline: 'pipeline',
  source: 'source',
  classes: 'classes block',
  image: 'image block',
  augment: 'augment block',
  train: 'train block',
  evaluate: 'evaluate block',
};

export function kindWord(kind: ItemKind): string {
  return KIND_WORD[kind];
}

/** One file's view: kind → name → item. */
export class Scope {
  constructor(private readonly items: ReadonlyMap<ItemKind, ReadonlyMap<string, TopLevelItem>>) {}

  lookup<K extends ItemKind>(kind: K, name: string): BlockByKind[K] | undefined {
    return this.items.get(kind)?.get(name) as BlockByKind[K] | undefined;
  }

  names(kind: ItemKind): string[] {
    return [...(this.items.get(kind)?.keys() ?? [])];
  }
}

/** The files a file sees: itself first, then its imports breadth-first. */
export function visibleFiles(file: string, imports: ReadonlyMap<string, readonly string[]>): string[] {
  const order: string[] = [file];
  const seen = new Set(order);
  for (let i = 0; i < order.length; i++) {
    for (const next of imports.get(order[i] ?? '') ?? []) {
      if (!seen.has(next)) {
        seen.add(next);
        order.push(next);
      }
    }
  }
  return order;
}

/**
 * Builds every file's scope. Two different items of one kind and name visible from one file are
 * a duplicate; each pair is reported once, at the later item (by file, then offset).
 */
export function buildScopes(
  files: ReadonlyMap<string, CvrFile>,
  imports: ReadonlyMap<string, readonly string[]>,
  accept: Accept,
): Map<string, Scope> {
  const scopes = new Map<string, Scope>();
  const reported = new Set<string>();
  for (const file of [...files.keys()].sort()) {
    const items = new Map<ItemKind, Map<string, TopLevelItem>>();
    for (const visible of visibleFiles(file, imports)) {
      for (const item of files.get(visible)?.items ?? []) {
        const kind = itemKind(item);
        const byName = items.get(kind) ?? new Map<string, TopLevelItem>();
        items.set(kind, byName);
        const earlier = byName.get(item.name.name);
        if (earlier === undefined) {
          byName.set(item.name.name, item);
          continue;
        }
        if (earlier === item) continue;
        const [first, second] = orderBySpan(earlier, item);
        const key = `${first.span.file}:${first.span.start}|${second.span.file}:${second.span.start}`;
        if (reported.has(key)) continue;
        reported.add(key);
        accept('CVR306', second.name.span, `${kindWord(kind)} "${item.name.name}" is declared twice`, {
          hint: 'rename one of them',
          related: [{ message: 'first declared here', span: first.name.span }],
        });
      }
    }
    scopes.set(file, new Scope(items));
  }
  return scopes;
}

function orderBySpan(a: TopLevelItem, b: TopLevelItem): [TopLevelItem, TopLevelItem] {
  if (a.span.file !== b.span.file) return a.span.file < b.span.file ? [a, b] : [b, a];
  return a.span.start <= b.span.start ? [a, b] : [b, a];
}
