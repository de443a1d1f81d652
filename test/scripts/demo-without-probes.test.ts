// `npm run demo -- --no-probes` runs copies of the example's designs with their `probes { }`
// block cut out by a regular expression: the cut must remove the whole block (nested model
// options included) and nothing else.
import { readFile, writeFile, mkdtemp, cp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { withoutProbes, DESIGNS } from '../../scripts/demo.ts';
import { loadPipelines } from '../../src/dsl/index.ts';

const EXAMPLE = join(import.meta.dirname, '../../examples/shortcut');

describe('the demo without probes', () => {
  it.each(DESIGNS.map((d) => d.file))('%s: the probes block goes, everything else stays', async (file) => {
    const text = await readFile(join(EXAMPLE, file), 'utf8');
    const cut = withoutProbes(text);
    expect(text).toMatch(/\n *probes \{/);
    expect(cut).not.toMatch(/probes|periphery_only|lung_only|source_probe|gradcam_in_lungs/);
    // Nothing but the block: the lines kept are the original's lines, in order, and the lines
    // removed are exactly the block's (from its comment to its closing brace, counted by braces).
    const lines = text.split('\n');
    const start = lines.findIndex((l) => l.includes('# Shortcut evidence'));
    let depth = 0;
    let end = start + 1;
    for (; end < lines.length; end++) {
      depth += (lines[end]!.match(/\{/g) ?? []).length - (lines[end]!.match(/\}/g) ?? []).length;
      if (depth === 0) break;
    }
    expect(cut.split('\n')).toEqual([...lines.slice(0, start), ...lines.slice(end + 1)]);
    // And the copy still compiles (beside the example's common.cvr).
    const dir = await mkdtemp(join(tmpdir(), 'cvr-no-probes-'));
    await cp(join(EXAMPLE, 'common.cvr'), join(dir, 'common.cvr'));
    await writeFile(join(dir, file), cut);
    const loaded = await loadPipelines([join(dir, file)]);
    expect(loaded.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    expect(loaded.pipelines.map((p) => p.probes)).toEqual([undefined]);
  });
});
