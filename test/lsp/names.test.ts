/** Name resolution for navigation: which declaration each use means, through imports and `extends`. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CliIo } from '../../src/cli/io.ts';
import { main } from '../../src/cli/main.ts';
import { importTarget } from '../../src/dsl/index.ts';
import { Names } from '../../src/lsp/names.ts';
import { Workspace } from '../../src/lsp/workspace.ts';

const SHARED = `source shared { folder "s" map { "a" -> NOR } }
`;
const FILE = `import "shared.cvr"

pipeline parent {
  seed 1
  classes covid
  source shared
  source own { folder "o" map { "b" -> CVP } }
  task NOR vs CVP
  split holdout { test sources own  validation 10% }
  model cvrnet
}

pipeline kid extends parent {
  source shared { drop }
  source more { folder "m" map { "c" -> NOR } }
  split holdout { test sources own  validation 10% }
}
`;

let dir: string;
let names: Names;
const f = (n: string): string => join(dir, n);

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'cvr-names-'));
  writeFileSync(f('shared.cvr'), SHARED);
  writeFileSync(f('file.cvr'), FILE);
  names = new Names(new Workspace([dir]), importTarget);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The declaration the n-th (0-based) occurrence of `needle` + delta means, as "file:offset". */
function target(needle: string, delta: number, n = 0): string | undefined {
  let at = -1;
  for (let i = 0; i <= n; i++) at = FILE.indexOf(needle, at + 1);
  const o = names.at(f('file.cvr'), at + delta);
  if (o === undefined) return undefined;
  const d = names.resolve(o);
  if (d === undefined) return undefined;
  return d.builtin ? `builtin:${d.name}` : `${d.occurrence.span.file.slice(dir.length + 1)}:${d.occurrence.span.start}`;
}

describe('names', () => {
  it('a bare source and a `{ drop }` in a child both mean the imported declaration', () => {
    const decl = `shared.cvr:${SHARED.indexOf('shared')}`;
    expect(target('source shared', 'source '.length)).toBe(decl);
    expect(target('source shared { drop }', 'source '.length)).toBe(decl);
  });

  it('`test sources` in a child means the source declared in its parent', () => {
    const decl = `file.cvr:${FILE.indexOf('own {')}`;
    expect(target('test sources own', 'test sources '.length, 0)).toBe(decl);
    expect(target('test sources own', 'test sources '.length, 1)).toBe(decl);
  });

  it('classes of `classes covid` are built in', () => {
    expect(target('task NOR', 'task '.length)).toBe('builtin:NOR');
  });

  it('the references of a source are every use that means it, its declaration included', () => {
    const o = names.at(f('shared.cvr'), SHARED.indexOf('shared'));
    const d = o === undefined ? undefined : names.resolve(o);
    expect(d).toBeDefined();
    const refs = names.referencesTo(d!, [f('file.cvr'), f('shared.cvr')]).map((r) => `${r.span.file.slice(dir.length + 1)}:${r.span.start}`);
    expect(refs.sort()).toEqual([`file.cvr:${FILE.indexOf('source shared') + 7}`, `file.cvr:${FILE.indexOf('source shared {') + 7}`, `shared.cvr:${SHARED.indexOf('shared')}`].sort());
  });

  it('the fixture is a valid file (so the names above are what the resolver means too)', async () => {
    const out: string[] = [];
    const io: CliIo = { stdout: (t) => out.push(t), stderr: (t) => out.push(t), isTty: false, cwd: dir, env: {} };
    expect(await main(['check', 'file.cvr'], io)).toBe(0);
  });
});

describe('cvr lsp arguments', () => {
  it('--help prints the usage; an unknown argument is a usage error', async () => {
    const out: string[] = [];
    const io: CliIo = { stdout: (t) => out.push(t), stderr: (t) => out.push(t), isTty: false, cwd: dir, env: {} };
    expect(await main(['lsp', '--help'], io)).toBe(0);
    expect(out.join('')).toContain('usage: cvr lsp --stdio');
    expect(await main(['lsp', '--tcp'], io)).toBe(2);
  });
});
