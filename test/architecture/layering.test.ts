/**
 * The layering of src/ (see src/README.md and docs of architecture): stages form one path,
 *   cli → ui → run → report → evaluate → train | plan → data | models → dsl | engine → diag,
 * and a file may import only from its own stage or from a stage strictly below it. Stages on the
 * same level (train and plan, data and models, dsl and engine) may not import each other. An
 * import from another stage goes through that stage's index.ts (its public face) or, where the
 * stage has one, its light.ts (the part of its face that loads no tensor library), and no set of
 * files imports itself round in a cycle (type-only imports included).
 */
import { describe, expect, it } from 'vitest';
import { fileURLToPath } from 'node:url';
import { cycles, importEdges, sourceFiles, stageOf, type ImportEdge } from './imports.ts';

const SRC = fileURLToPath(new URL('../../src/', import.meta.url));

/** Higher imports lower; equal levels do not import each other. */
export const LEVEL: Readonly<Record<string, number>> = {
  cli: 9,
  lsp: 8,
  ui: 8,
  run: 7,
  report: 6,
  evaluate: 5,
  train: 4,
  plan: 4,
  data: 3,
  models: 3,
  dsl: 2,
  engine: 2,
  diag: 1,
};

const where = (e: ImportEdge): string => `src/${e.from}:${e.line} imports '${e.specifier}'`;

/** The rule an import breaks, or undefined when it keeps them all. */
export function layeringViolation(e: ImportEdge): string | undefined {
  const from = stageOf(e.from);
  const to = stageOf(e.to);
  if (from === to) return undefined;
  const a = LEVEL[from];
  const b = LEVEL[to];
  if (a === undefined) return `${where(e)}: src/${e.from} is in no stage (rule: every file lives in a stage folder listed in LEVEL)`;
  if (b === undefined) return `${where(e)}: src/${e.to} is in no stage (rule: every file lives in a stage folder listed in LEVEL)`;
  if (a === b) return `${where(e)}: ${from} and ${to} are on the same level and may not import each other (rule: stage order)`;
  if (a < b) return `${where(e)}: ${from} is below ${to} and may not import it (rule: stage order cli → ui → run → report → evaluate → train|plan → data|models → dsl|engine → diag)`;
  if (e.to !== `${to}/index.ts` && e.to !== `${to}/light.ts`) return `${where(e)}: reaches into ${to}/ past its index.ts (rule: import another stage through src/${to}/index.ts, or its light.ts; export what is needed there)`;
  return undefined;
}

describe('layering of src/', () => {
  const edges = importEdges(SRC);

  it('reads the imports (the reader is not blind)', () => {
    expect(sourceFiles(SRC).length).toBeGreaterThan(100);
    expect(edges.length).toBeGreaterThan(300);
    // Every stage folder is known to the table, so a new stage cannot slip past the rules.
    const stages = new Set(sourceFiles(SRC).map((f) => stageOf(f.slice(SRC.length).replaceAll('\\', '/'))));
    expect([...stages].filter((s) => LEVEL[s] === undefined)).toEqual([]);
  });

  it('imports follow the stage order and go through index.ts', () => {
    const broken = edges.map(layeringViolation).filter((v): v is string => v !== undefined);
    expect(broken, broken.join('\n')).toEqual([]);
  });

  it('has no import cycle between files', () => {
    const found = cycles(edges).map((c) => `cycle (rule: no import cycles): ${c.map((f) => `src/${f}`).join(' → ')}`);
    expect(found, found.join('\n')).toEqual([]);
  });
});

describe('the layering rules catch what they should', () => {
  const edge = (from: string, to: string, specifier = '../x.ts'): ImportEdge => ({ from, to, specifier, line: 3 });

  it('an upward import, a same-level import and a bypassing import are each named with file, import and rule', () => {
    expect(layeringViolation(edge('train/fit.ts', 'run/events.ts', '../run/events.ts'))).toBe(
      "src/train/fit.ts:3 imports '../run/events.ts': train is below run and may not import it (rule: stage order cli → ui → run → report → evaluate → train|plan → data|models → dsl|engine → diag)",
    );
    expect(layeringViolation(edge('plan/dag.ts', 'train/index.ts'))).toMatch(/plan and train are on the same level/);
    expect(layeringViolation(edge('run/x.ts', 'plan/dag.ts'))).toMatch(/reaches into plan\/ past its index\.ts/);
    expect(layeringViolation(edge('run/x.ts', 'plan/index.ts'))).toBeUndefined();
    expect(layeringViolation(edge('report/x.ts', 'engine/light.ts'))).toBeUndefined();
    expect(layeringViolation(edge('run/x.ts', 'run/y.ts'))).toBeUndefined();
  });

  it('finds a cycle of two files and one through three', () => {
    expect(cycles([edge('a/x.ts', 'a/y.ts'), edge('a/y.ts', 'a/x.ts'), edge('a/y.ts', 'a/z.ts')])).toEqual([['a/x.ts', 'a/y.ts']]);
    expect(cycles([edge('a/1.ts', 'a/2.ts'), edge('a/2.ts', 'a/3.ts'), edge('a/3.ts', 'a/1.ts')])).toEqual([['a/1.ts', 'a/2.ts', 'a/3.ts']]);
    expect(cycles([edge('a/1.ts', 'a/2.ts'), edge('a/2.ts', 'a/3.ts')])).toEqual([]);
  });
});
