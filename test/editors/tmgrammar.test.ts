/**
 * The TextMate grammar: up to date with the lexer (regenerate with `npm run grammar`), and
 * tokenizing `.cvr` text as an editor would, through the same engine VS Code uses
 * (vscode-textmate over the Oniguruma regex library).
 */
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { tokenLabel } from 'chevrotain';
import { beforeAll, describe, expect, it } from 'vitest';
import * as oniguruma from 'vscode-oniguruma';
import * as textmate from 'vscode-textmate';
import { LANGUAGE_CONFIGURATION, LANGUAGE_CONFIGURATION_COPY, TMGRAMMAR_PATHS, tmGrammar } from '../../scripts/gen-tmgrammar.ts';
import { KEYWORDS } from '../../src/dsl/lexer.ts';
import { LOSSES, MODELS, OPTIMIZERS } from '../../src/dsl/vocabulary.ts';

const require = createRequire(import.meta.url);

describe('editors/cvr.tmLanguage.json', () => {
  it.each(TMGRAMMAR_PATHS)('%s is up to date (run `npm run grammar`)', (path) => {
    expect(readFileSync(path, 'utf8') === tmGrammar(), `${path} is stale: run \`npm run grammar\``).toBe(true);
  });

  it('the extension carries the language configuration as written in editors/', () => {
    const config = readFileSync(LANGUAGE_CONFIGURATION, 'utf8');
    expect(readFileSync(LANGUAGE_CONFIGURATION_COPY, 'utf8') === config, 'editors/vscode/language-configuration.json is stale: run `npm run grammar`').toBe(true);
    const parsed = JSON.parse(config) as { comments: { lineComment: string }; autoClosingPairs: { open: string }[] };
    expect(parsed.comments.lineComment).toBe('#');
    expect(parsed.autoClosingPairs.map((p) => p.open)).toEqual(expect.arrayContaining(['{', '"']));
  });
});

describe('the grammar tokenizes .cvr text', () => {
  let grammar: textmate.IGrammar;

  beforeAll(async () => {
    const wasm = readFileSync(require.resolve('vscode-oniguruma/release/onig.wasm'));
    await oniguruma.loadWASM(wasm.buffer.slice(wasm.byteOffset, wasm.byteOffset + wasm.byteLength) as ArrayBuffer);
    const registry = new textmate.Registry({
      onigLib: Promise.resolve({ createOnigScanner: (p) => new oniguruma.OnigScanner(p), createOnigString: (s) => new oniguruma.OnigString(s) }),
      loadGrammar: async (scope) => (scope === 'source.cvr' ? textmate.parseRawGrammar(readFileSync(TMGRAMMAR_PATHS[0]!, 'utf8'), 'cvr.tmLanguage.json') : null),
    });
    const loaded = await registry.loadGrammar('source.cvr');
    if (loaded === null) throw new Error('grammar did not load');
    grammar = loaded;
  });

  /** Each token of the line as [text, innermost scope]. */
  function tokens(line: string): [string, string][] {
    const result = grammar.tokenizeLine(line, textmate.INITIAL);
    return result.tokens.map((t) => [line.slice(t.startIndex, t.endIndex), t.scopes[t.scopes.length - 1] ?? '']);
  }
  function scopeOf(line: string, text: string): string | undefined {
    return tokens(line).find(([t]) => t === text)?.[1];
  }

  it('gives every keyword of the lexer a keyword scope', () => {
    const words = KEYWORDS.map((k) => tokenLabel(k).replace(/`/g, ''));
    const missing = words.filter((w) => !/^keyword\./.test(scopeOf(`${w} `, w) ?? ''));
    expect(missing).toEqual([]);
  });

  it('does not take a keyword inside a longer name (`test-a`, `sources_all`)', () => {
    expect(scopeOf('test sources test-a, sources_all', 'test-a')).toBe('variable.other.cvr');
    expect(scopeOf('test sources test-a, sources_all', 'sources_all')).toBe('variable.other.cvr');
  });

  it('highlights the vocabulary of values as constants', () => {
    for (const w of [MODELS[0], OPTIMIZERS[0], LOSSES[0]]) expect(scopeOf(`x ${w}`, w)).toBe('support.constant.cvr');
  });

  it('scopes comments, strings with escapes, numbers with units', () => {
    const line = 'source a { folder "d\\"x" }  # note';
    expect(tokens(line).find(([t]) => t === '# note' || t === ' note')?.[1]).toMatch(/^comment\.line/);
    expect(scopeOf(line, '\\"')).toBe('constant.character.escape.cvr');
    const n = tokens('validation 20% rotate 15deg lr 1e-4');
    expect(n).toContainEqual(['20', 'constant.numeric.cvr']);
    expect(n).toContainEqual(['%', 'keyword.other.unit.cvr']);
    expect(n).toContainEqual(['deg', 'keyword.other.unit.cvr']);
    expect(n).toContainEqual(['1e-4', 'constant.numeric.cvr']);
  });

  it('scopes a regex literal with its flags, an escaped slash kept inside', () => {
    const t = tokens('map { /^Pneumonia\\/Bacterial/i -> OBP }');
    expect(t).toContainEqual(['\\/', 'constant.character.escape.regexp.cvr']);
    expect(t).toContainEqual(['i', 'keyword.other.flag.regexp.cvr']);
    expect(t).toContainEqual(['OBP', 'entity.name.type.class.cvr']);
    expect(t.filter(([, s]) => s === 'string.regexp.cvr').map(([x]) => x).join('')).toBe('PneumoniaBacterial');
  });

  it('names declarations: pipeline and parent, sources, named blocks', () => {
    const t = tokens('pipeline child extends base {');
    expect(t).toContainEqual(['child', 'entity.name.function.pipeline.cvr']);
    expect(t).toContainEqual(['base', 'entity.other.inherited-class.cvr']);
    expect(scopeOf('source chexpert { folder "x" }', 'chexpert')).toBe('entity.name.section.source.cvr');
    expect(scopeOf('train paper {', 'paper')).toBe('entity.name.section.block.cvr');
    expect(scopeOf('sources from manifest "x" {', 'from')).toBe('keyword.other.cvr');
  });

  it('scopes operators and punctuation from the lexer', () => {
    const t = tokens('NCP = OBP | OVP');
    expect(t).toContainEqual(['=', 'keyword.operator.assignment.cvr']);
    expect(t).toContainEqual(['|', 'keyword.operator.union.cvr']);
    expect(tokens('"a" -> NOR')).toContainEqual(['->', 'keyword.operator.arrow.cvr']);
  });
});

describe('editors/vscode, the extension package', () => {
  const dir = join(import.meta.dirname, '..', '..', 'editors', 'vscode');
  const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as {
    main: string;
    contributes: { languages: { id: string; extensions: string[]; configuration: string }[]; grammars: { language: string; scopeName: string; path: string }[] };
    dependencies: Record<string, string>;
  };

  it('contributes the language, its configuration and the grammar, from files inside the package', () => {
    const language = manifest.contributes.languages[0];
    const grammar = manifest.contributes.grammars[0];
    expect(language?.extensions).toEqual(['.cvr']);
    expect(existsSync(join(dir, language?.configuration ?? 'missing'))).toBe(true);
    expect(grammar?.language).toBe(language?.id);
    const tm = JSON.parse(readFileSync(join(dir, grammar?.path ?? 'missing'), 'utf8')) as { scopeName: string };
    expect(grammar?.scopeName).toBe(tm.scopeName);
    expect(existsSync(join(dir, manifest.main))).toBe(true);
    expect(Object.keys(manifest.dependencies)).toEqual(['vscode-languageclient']);
  });
});
