/**
 * `cvr lsp --stdio` driven over its standard input and output by a JSON-RPC client, as an
 * editor drives it. Expected diagnostics come from `cvr check --format json` on the same files;
 * expected class leaves, names and edits from the fixture as written here.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CliIo } from '../../src/cli/io.ts';
import { main } from '../../src/cli/main.ts';
import { formatCvr, loadPipelines, parseCvr } from '../../src/dsl/index.ts';
import { LspClient, positionOf, uri } from './client.ts';

const COMMON = `# Shared parts.
classes lab {
  NOR "Normal"
  OBP "Other bacterial pneumonia"
  OVP "Other viral pneumonia"
  CVP "COVID-19 pneumonia"
  NCP = OBP | OVP  "Non-COVID pneumonia"
  NCV = NOR | NCP  "Non-COVID"
}

source alpha {
  folder "data/alpha"
  map { "normal" -> NOR, "covid" -> CVP }
}

source beta {
  folder "data/beta"
  map { "COVID" -> CVP, "pneumonia" -> NCP }
}

train quick {
  optimizer adam lr 1e-4
  batch 8
  epochs 2
}
`;

const MAIN = `import "common.cvr"

pipeline base {
  seed 1
  classes lab
  source alpha
  source beta
  task NCV vs CVP
  split holdout {
    test sources beta
    validation 20%
  }
  model cvrnet { weights none }
  train quick
}

pipeline child extends base {
  source gamma {
    folder "data/gamma"
    map { "x" -> NOR }
  }
}
`;

const BROKEN = MAIN.replace('train quick', 'train quik').replace('source beta\n', 'source betta\n');

interface Range {
  start: { line: number; character: number };
  end: { line: number; character: number };
}
interface Location {
  uri: string;
  range: Range;
}
interface Completion {
  label: string;
}
interface TextEdit {
  range: Range;
  newText: string;
}

let dir: string;
let client: LspClient;
const file = (name: string): string => join(dir, name);

async function cliJson(args: string[]): Promise<{ diagnostics: { code: string; line: number; column: number; endLine: number; endColumn: number; file: string }[] }> {
  const out: string[] = [];
  const io: CliIo = { stdout: (t) => out.push(t), stderr: () => {}, isTty: false, cwd: dir, env: {} };
  await main(args, io);
  return JSON.parse(out.join('')) as never;
}

/** Applies non-overlapping edits to a text. */
function applyEdits(text: string, edits: readonly TextEdit[]): string {
  const lines = text.split('\n');
  const offset = (p: { line: number; character: number }): number => lines.slice(0, p.line).reduce((n, l) => n + l.length + 1, 0) + p.character;
  return [...edits].sort((a, b) => offset(b.range.start) - offset(a.range.start)).reduce((t, e) => t.slice(0, offset(e.range.start)) + e.newText + t.slice(offset(e.range.end)), text);
}

const labels = (items: Completion[] | { items: Completion[] } | null): string[] => (items === null ? [] : Array.isArray(items) ? items : items.items).map((i) => i.label);

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'cvr-lsp-'));
  writeFileSync(file('common.cvr'), COMMON);
  writeFileSync(file('main.cvr'), MAIN);
  writeFileSync(file('broken.cvr'), BROKEN);
  client = LspClient.start();
  await client.initialize(dir);
}, 60_000);

afterAll(async () => {
  await client?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('cvr lsp --stdio', () => {
  it('the fixture itself checks clean (so every diagnostic below comes from an edit)', async () => {
    expect((await loadPipelines([file('main.cvr')])).diagnostics).toEqual([]);
  });

  it('publishes the diagnostics of `cvr check` for an opened file: same codes, same ranges', async () => {
    const expected = (await cliJson(['check', '--format', 'json', 'broken.cvr'])).diagnostics;
    expect(expected.length).toBeGreaterThan(0);
    await client.open(file('broken.cvr'), BROKEN);
    const got = (await client.diagnosticsNow(file('broken.cvr'))).diagnostics;
    expect(got.map((d) => ({ code: d.code, range: d.range }))).toEqual(
      expected.map((d) => ({
        code: d.code,
        range: { start: { line: d.line - 1, character: d.column - 1 }, end: { line: d.endLine - 1, character: d.endColumn - 1 } },
      })),
    );
    expect(got.every((d) => d.severity === 1)).toBe(true);
  });

  it('updates them on every change: fixed text clears them, a new error brings its own', async () => {
    await client.change(file('broken.cvr'), MAIN);
    expect((await client.diagnosticsNow(file('broken.cvr'))).diagnostics).toEqual([]);
    await client.change(file('broken.cvr'), MAIN.replace('seed 1', 'seed x'));
    const got = (await client.diagnosticsNow(file('broken.cvr'))).diagnostics;
    expect(got.length).toBeGreaterThan(0);
    expect(got[0]?.range.start).toEqual(positionOf(MAIN, 'seed 1', 'seed '.length));
    await client.change(file('broken.cvr'), BROKEN);
  });

  it('re-checks an open importer when the file it imports changes', async () => {
    await client.open(file('main.cvr'), MAIN);
    expect((await client.diagnosticsNow(file('main.cvr'))).diagnostics).toEqual([]);
    await client.open(file('common.cvr'), COMMON);
    const broken = client.diagnosticsWhere(uri(file('main.cvr')), (p) => p.diagnostics.length > 0);
    await client.change(file('common.cvr'), COMMON.replace('train quick', 'train fast'));
    // main.cvr was not edited: its diagnostics change because what it imports did.
    const got = (await broken).diagnostics;
    expect(got.map((d) => d.code)).toEqual(['CVR307']);
    expect(got[0]?.range.start).toEqual(positionOf(MAIN, 'train quick', 'train '.length));
    const clean = client.diagnosticsWhere(uri(file('main.cvr')), (p) => p.diagnostics.length === 0);
    await client.change(file('common.cvr'), COMMON);
    expect((await clean).diagnostics).toEqual([]);
  });

  it.each([
    ['after `task`', 'task NCV vs CVP', 'task '.length, ['NCV', 'CVP', 'NOR', 'NCP'], ['alpha', 'pipeline']],
    ['after `vs`', 'task NCV vs CVP', 'task NCV vs '.length, ['CVP', 'OBP'], ['quick']],
    ['after `source` in a pipeline', 'source alpha', 'source '.length, ['alpha', 'beta'], ['NCV']],
    ['after `test sources`', 'test sources beta', 'test sources '.length, ['alpha', 'beta'], ['NCV']],
    ['after `train`', 'train quick\n}', 'train '.length, ['quick'], ['alpha']],
    ['after `classes`', 'classes lab', 'classes '.length, ['lab', 'covid'], []],
    ['after `extends`', 'extends base', 'extends '.length, ['base'], ['child']],
    ['after `model`', 'model cvrnet', 'model '.length, ['cvrnet', 'resnet50', 'densenet121'], ['NCV']],
    ['after `split`', 'split holdout', 'split '.length, ['kfold', 'holdout', 'leave_source_out', 'given'], []],
    ['a statement in a pipeline', '  seed 1', 2, ['seed', 'task', 'split', 'source', 'evaluate'], ['optimizer', 'folder']],
    ['a map target', '"x" -> NOR', '"x" -> '.length, ['NOR', 'NCV', 'drop'], ['alpha']],
  ])('completes %s', async (_what, needle, delta, present, absent) => {
    const items = labels(await client.request('textDocument/completion', { textDocument: { uri: uri(file('main.cvr')) }, position: positionOf(MAIN, needle, delta) }));
    expect(items).toEqual(expect.arrayContaining(present));
    for (const a of absent) expect(items).not.toContain(a);
  });

  it('completes the settings of a block on a new line and the values of a setting', async () => {
    const text = COMMON.replace('  batch 8\n', '  batch 8\n  \n').replace('optimizer adam', 'optimizer ');
    await client.change(file('common.cvr'), text);
    const at = (needle: string, delta: number): Promise<Completion[]> => client.request('textDocument/completion', { textDocument: { uri: uri(file('common.cvr')) }, position: positionOf(text, needle, delta) });
    expect(labels(await at('batch 8\n  \n', 'batch 8\n  '.length))).toEqual(expect.arrayContaining(['optimizer', 'loss', 'epochs', 'early_stop']));
    expect(labels(await at('optimizer ', 'optimizer '.length))).toEqual(expect.arrayContaining(['adam', 'sgd', 'rmsprop']));
    expect(labels(await at('folder "data/alpha"\n', 'folder "data/alpha"\n  '.length))).toEqual(expect.arrayContaining(['map', 'folder', 'manifest']));
    await client.change(file('common.cvr'), COMMON);
  });

  it('completes the executor block: `slurm` after `executor`, its sbatch settings inside', async () => {
    const text = MAIN.replace('  train quick\n}', '  train quick\n  executor \n  executor slurm {\n    \n  }\n}');
    await client.change(file('main.cvr'), text);
    const at = (needle: string, delta: number): Promise<Completion[]> => client.request('textDocument/completion', { textDocument: { uri: uri(file('main.cvr')) }, position: positionOf(text, needle, delta) });
    expect(labels(await at('executor \n', 'executor '.length))).toEqual(['slurm']);
    const inside = labels(await at('executor slurm {\n    \n', 'executor slurm {\n    '.length));
    expect(inside).toEqual(expect.arrayContaining(['partition', 'gres', 'time', 'cpus', 'mem', 'retries']));
    expect(inside).not.toContain('optimizer');
    await client.change(file('main.cvr'), MAIN);
  });

  it.each([
    ['a source used in a pipeline', 'source alpha', 'source '.length, 'common.cvr', 'source alpha', 'source '.length, 'alpha'.length],
    ['a source in `test sources`', 'test sources beta', 'test sources '.length, 'common.cvr', 'source beta', 'source '.length, 'beta'.length],
    ['a named protocol', 'train quick', 'train '.length, 'common.cvr', 'train quick', 'train '.length, 'quick'.length],
    ['a class of an imported taxonomy', 'vs CVP', 'vs '.length, 'common.cvr', 'CVP "COVID', 0, 'CVP'.length],
    ['a class used in a map, through `extends`', '"x" -> NOR', '"x" -> '.length, 'common.cvr', 'NOR "Normal"', 0, 'NOR'.length],
    ['the parent of `extends`', 'extends base', 'extends '.length, 'main.cvr', 'pipeline base', 'pipeline '.length, 'base'.length],
    ['a named classes block', 'classes lab', 'classes '.length, 'common.cvr', 'classes lab', 'classes '.length, 'lab'.length],
  ])('goes to the definition of %s', async (_what, needle, delta, targetFile, targetNeedle, targetDelta, length) => {
    const result = await client.request<Location | null>('textDocument/definition', { textDocument: { uri: uri(file('main.cvr')) }, position: positionOf(MAIN, needle, delta) });
    const targetText = targetFile === 'main.cvr' ? MAIN : COMMON;
    const start = positionOf(targetText, targetNeedle, targetDelta);
    expect(result).toEqual({ uri: uri(file(targetFile)), range: { start, end: { line: start.line, character: start.character + length } } });
  });

  it('goes from an import to the imported file', async () => {
    const result = await client.request<Location | null>('textDocument/definition', { textDocument: { uri: uri(file('main.cvr')) }, position: positionOf(MAIN, 'common.cvr', 2) });
    expect(result?.uri).toBe(uri(file('common.cvr')));
  });

  it('finds the references of a source across files, its declaration included', async () => {
    const result = await client.request<Location[]>('textDocument/references', {
      textDocument: { uri: uri(file('common.cvr')) },
      position: positionOf(COMMON, 'source beta', 'source '.length),
      context: { includeDeclaration: true },
    });
    const found = result.map((l) => `${l.uri.slice(l.uri.lastIndexOf('/') + 1)}:${l.range.start.line}:${l.range.start.character}`).sort();
    const at = (name: string, text: string, needle: string, delta: number, n = 0): string => {
      const p = positionOf(text, needle, delta, n);
      return `${name}:${p.line}:${p.character}`;
    };
    // broken.cvr is in the workspace too, and writes `source betta` but `test sources beta`.
    const expected = [
      at('common.cvr', COMMON, 'source beta', 'source '.length),
      at('main.cvr', MAIN, 'source beta', 'source '.length),
      at('main.cvr', MAIN, 'test sources beta', 'test sources '.length),
    ];
    expect(found.filter((f) => !f.startsWith('broken.cvr'))).toEqual(expected.sort());
  });

  it('hovers a class with its algebra expanded to leaves', async () => {
    const hover = await client.request<{ contents: { value: string } } | null>('textDocument/hover', { textDocument: { uri: uri(file('main.cvr')) }, position: positionOf(MAIN, 'task NCV', 'task '.length) });
    const text = hover?.contents.value ?? '';
    expect(text).toContain('NCV = NOR | NCP');
    // NCV = NOR | NCP and NCP = OBP | OVP, as the fixture declares them.
    const leaves = /leaf classes: (.*)/.exec(text)?.[1] ?? '';
    expect([...leaves.matchAll(/`([A-Z]+)`/g)].map((m) => m[1]).sort()).toEqual(['NOR', 'OBP', 'OVP']);
    expect(text).toContain('Non-COVID');
  });

  it('hovers a source with its folder and map, and a model', async () => {
    const hover = await client.request<{ contents: { value: string } } | null>('textDocument/hover', { textDocument: { uri: uri(file('main.cvr')) }, position: positionOf(MAIN, 'source alpha', 'source a'.length) });
    const text = hover?.contents.value ?? '';
    expect(text).toContain('folder "data/alpha"');
    expect(text).toContain('"covid" -> CVP');
    expect(text).toContain(join(dir, 'data', 'alpha'));
    const model = await client.request<{ contents: { value: string } } | null>('textDocument/hover', { textDocument: { uri: uri(file('main.cvr')) }, position: positionOf(MAIN, 'model cvrnet', 'model '.length) });
    expect(model?.contents.value).toContain('weights none');
  });

  it('formats through the formatter, and leaves a file with syntax errors alone', async () => {
    const messy = MAIN.replace('  seed 1\n', '     seed 1   ').replace('validation 20%', 'validation   20%');
    await client.change(file('broken.cvr'), messy);
    const edits = await client.request<TextEdit[] | null>('textDocument/formatting', { textDocument: { uri: uri(file('broken.cvr')) }, options: { tabSize: 2, insertSpaces: true } });
    expect(applyEdits(messy, edits ?? [])).toBe(formatCvr(parseCvr('x.cvr', messy).file));
    await client.change(file('broken.cvr'), 'pipeline a {\n  seed x\n}\n');
    expect(await client.request('textDocument/formatting', { textDocument: { uri: uri(file('broken.cvr')) }, options: { tabSize: 2, insertSpaces: true } })).toBeNull();
    await client.change(file('broken.cvr'), BROKEN);
  });

  it('lists pipelines, sources and named blocks as document symbols', async () => {
    const symbols = await client.request<{ name: string; children?: { name: string }[] }[]>('textDocument/documentSymbol', { textDocument: { uri: uri(file('common.cvr')) } });
    expect(symbols.map((s) => s.name)).toEqual(['lab', 'alpha', 'beta', 'quick']);
    expect(symbols[0]?.children?.map((c) => c.name)).toEqual(['NOR', 'OBP', 'OVP', 'CVP', 'NCP', 'NCV']);
    const main = await client.request<{ name: string; children?: { name: string }[] }[]>('textDocument/documentSymbol', { textDocument: { uri: uri(file('main.cvr')) } });
    expect(main.map((s) => s.name)).toEqual(['base', 'child']);
    expect(main[0]?.children?.map((c) => c.name)).toContain('source alpha');
  });

  it('renames a source across files, and the result still checks clean', async () => {
    const edit = await client.request<{ changes: Record<string, TextEdit[]> } | null>('textDocument/rename', {
      textDocument: { uri: uri(file('main.cvr')) },
      position: positionOf(MAIN, 'test sources beta', 'test sources b'.length),
      newName: 'beta_v2',
    });
    const changes = edit?.changes ?? {};
    const common = applyEdits(COMMON, changes[uri(file('common.cvr'))] ?? []);
    const main = applyEdits(MAIN, changes[uri(file('main.cvr'))] ?? []);
    expect(common).toBe(COMMON.replace('source beta', 'source beta_v2'));
    expect(main).toBe(MAIN.replace('source beta', 'source beta_v2').replace('test sources beta', 'test sources beta_v2'));
    const renamed = mkdtempSync(join(tmpdir(), 'cvr-lsp-renamed-'));
    try {
      writeFileSync(join(renamed, 'common.cvr'), common);
      writeFileSync(join(renamed, 'main.cvr'), main);
      expect((await loadPipelines([join(renamed, 'main.cvr')])).diagnostics).toEqual([]);
    } finally {
      rmSync(renamed, { recursive: true, force: true });
    }
  });

  it('renames a named block, and refuses what is not a name', async () => {
    const edit = await client.request<{ changes: Record<string, TextEdit[]> } | null>('textDocument/rename', {
      textDocument: { uri: uri(file('common.cvr')) },
      position: positionOf(COMMON, 'train quick', 'train '.length),
      newName: 'paper',
    });
    expect(applyEdits(MAIN, edit?.changes[uri(file('main.cvr'))] ?? [])).toBe(MAIN.replace('train quick', 'train paper'));
    await expect(
      client.request('textDocument/rename', { textDocument: { uri: uri(file('common.cvr')) }, position: positionOf(COMMON, 'train quick', 'train '.length), newName: '2 bad' }),
    ).rejects.toThrow(/not a name/);
  });

  it('writes nothing but the protocol on standard output, and nothing on standard error', () => {
    expect(client.stderr).toBe('');
    expect(readFileSync(file('main.cvr'), 'utf8')).toBe(MAIN);
  });
});

describe('cvr lsp --stdio, a pipeline hover', () => {
  it('shows the parents, the sources, and the audit numbers of the last run folder', async () => {
    // Two run folders: the later one (run folders are named by start time) is the one shown.
    for (const [run, baseline] of [['2026-01-01T10-00-00', 0.5], ['2026-01-02T10-00-00', 0.875]] as const) {
      mkdirSync(join(dir, 'runs', 'child', run), { recursive: true });
      writeFileSync(join(dir, 'runs', 'child', run, 'audit.json'), JSON.stringify({ pipeline: 'child', sourceOnlyBaseline: baseline, cramersV: 0.4321, independent: false }));
    }
    const hover = await client.request<{ contents: { value: string } } | null>('textDocument/hover', { textDocument: { uri: uri(file('main.cvr')) }, position: positionOf(MAIN, 'pipeline child', 'pipeline '.length) });
    const text = hover?.contents.value ?? '';
    expect(text).toContain('extends `base`');
    expect(text).toMatch(/sources: .*`alpha`.*`beta`.*`gamma`|sources: .*`gamma`.*`alpha`/);
    expect(text).toContain('87.5 %');
    expect(text).toContain('0.43');
    expect(text).toContain('not independent');
    expect(text).toContain('2026-01-02T10-00-00');
  });
});

describe('cvr lsp --stdio, mid-edit', () => {
  it('completes in text that does not parse, from the last text that did', async () => {
    const typing = MAIN.replace('pipeline child extends base {\n', 'pipeline child extends base {\n  task NCV vs \n');
    await client.change(file('main.cvr'), MAIN);
    await client.change(file('main.cvr'), typing);
    // The text as typed has a syntax error: the server says so, and completion still knows the pipeline.
    expect((await client.diagnosticsNow(file('main.cvr'))).diagnostics.length).toBeGreaterThan(0);
    const items = labels(await client.request('textDocument/completion', { textDocument: { uri: uri(file('main.cvr')) }, position: positionOf(typing, 'task NCV vs \n', 'task NCV vs '.length) }));
    // child extends base, whose taxonomy is the imported `classes lab`.
    expect(items).toEqual(expect.arrayContaining(['NOR', 'OBP', 'OVP', 'CVP', 'NCP', 'NCV']));
    const sources = labels(await client.request('textDocument/completion', { textDocument: { uri: uri(file('main.cvr')) }, position: positionOf(typing, 'source gamma', 'source '.length) }));
    expect(sources).toEqual(expect.arrayContaining(['alpha', 'beta', 'gamma']));
    await client.change(file('main.cvr'), MAIN);
  });

  it('completes the path of an import with the .cvr files beside the file', async () => {
    const text = MAIN.replace('import "common.cvr"', 'import "co');
    await client.change(file('main.cvr'), text);
    const items = await client.request<{ label: string; textEdit?: { newText: string } }[]>('textDocument/completion', { textDocument: { uri: uri(file('main.cvr')) }, position: positionOf(text, 'import "co', 'import "co'.length) });
    // The fixture's folder holds common.cvr, broken.cvr and main.cvr (itself, left out); folders are offered too.
    expect(items.map((i) => i.label).filter((l) => !l.endsWith('/'))).toEqual(['broken.cvr', 'common.cvr']);
    expect(items.find((i) => i.label === 'common.cvr')?.textEdit?.newText).toBe('common.cvr');
    await client.change(file('main.cvr'), MAIN);
  });

  it('takes no completion inside strings and comments', async () => {
    expect(labels(await client.request('textDocument/completion', { textDocument: { uri: uri(file('common.cvr')) }, position: positionOf(COMMON, 'data/alpha', 2) }))).toEqual([]);
    expect(labels(await client.request('textDocument/completion', { textDocument: { uri: uri(file('common.cvr')) }, position: positionOf(COMMON, 'Shared parts', 3) }))).toEqual([]);
  });

  it('resolves a built-in class to the `classes covid` line that brings it in', async () => {
    const text = MAIN.replace('classes lab', 'classes covid');
    await client.change(file('main.cvr'), text);
    const def = await client.request<Location | null>('textDocument/definition', { textDocument: { uri: uri(file('main.cvr')) }, position: positionOf(text, 'vs CVP', 'vs '.length) });
    const start = positionOf(text, 'classes covid', 'classes '.length);
    expect(def).toEqual({ uri: uri(file('main.cvr')), range: { start, end: { line: start.line, character: start.character + 'covid'.length } } });
    const hover = await client.request<{ contents: { value: string } } | null>('textDocument/hover', { textDocument: { uri: uri(file('main.cvr')) }, position: positionOf(text, 'vs CVP', 'vs '.length) });
    expect(hover?.contents.value).toContain('built-in taxonomy');
    await expect(client.request('textDocument/rename', { textDocument: { uri: uri(file('main.cvr')) }, position: positionOf(text, 'vs CVP', 'vs '.length), newName: 'COVID' })).rejects.toThrow(/built-in/);
    await client.change(file('main.cvr'), MAIN);
  });
});
