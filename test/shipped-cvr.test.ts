/**
 * Every .cvr text the project ships — pipelines/, examples/ (all folders below it) and the
 * fenced ```cvr blocks of README.md and docs/ — checks clean and is in canonical form
 * (`cvr fmt --check`), in one test, so that no folder can be forgotten.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { formatCvr, loadPipelines, parseCvr } from '../src/dsl/index.ts';

const root = fileURLToPath(new URL('../', import.meta.url));

/** What a run or `npm run demo` writes beside the examples (git ignores it); not shipped. */
const NOT_SHIPPED = new Set(['runs', 'data', '.cvr-cache', 'node_modules']);

function filesUnder(dir: string, ending: string): string[] {
  return readdirSync(path.join(root, dir), { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && e.name.endsWith(ending))
    .filter((e) => !path.relative(root, e.parentPath).split(path.sep).some((part) => NOT_SHIPPED.has(part)))
    .map((e) => path.relative(root, path.join(e.parentPath, e.name)))
    .sort();
}

const cvrFiles = [...filesUnder('pipelines', '.cvr'), ...filesUnder('examples', '.cvr')];

/** The ```cvr blocks of a Markdown file, with the line each starts on. */
function fencedBlocks(file: string): { name: string; text: string }[] {
  const lines = readFileSync(path.join(root, file), 'utf8').split('\n');
  const out: { name: string; text: string }[] = [];
  for (let i = 0; i < lines.length; i++) {
    if (lines[i]!.trim() !== '```cvr') continue;
    const end = lines.findIndex((l, j) => j > i && l.trim() === '```');
    if (end < 0) break;
    out.push({ name: `${file}:${i + 1}`, text: `${lines.slice(i + 1, end).join('\n')}\n` });
    i = end;
  }
  return out;
}

const fenced = ['README.md', ...filesUnder('docs', '.md')].flatMap(fencedBlocks);

describe('shipped .cvr texts', () => {
  it('finds the folders it guards', () => {
    expect(cvrFiles.some((f) => f.startsWith('pipelines/'))).toBe(true);
    expect(cvrFiles.filter((f) => f.split(path.sep).join('/').startsWith('examples/shortcut/')).length).toBeGreaterThanOrEqual(4);
  });

  it.each(cvrFiles)('%s checks clean on its own', async (file) => {
    const result = await loadPipelines([path.join(root, file)]);
    expect(result.diagnostics).toEqual([]);
  });

  it.each(cvrFiles)('%s is in canonical form (cvr fmt --check)', (file) => {
    const text = readFileSync(path.join(root, file), 'utf8');
    expect(formatCvr(parseCvr(file, text).file)).toBe(text);
  });

  it('every fenced cvr block of README.md and docs/ parses and is canonical', () => {
    for (const block of fenced) {
      const parsed = parseCvr(block.name, block.text);
      expect(parsed.diagnostics, block.name).toEqual([]);
      expect(formatCvr(parsed.file), block.name).toBe(block.text);
    }
  });
});
