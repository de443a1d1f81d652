/** `weights "file.h5"` and CVR-Net's `weights { resnet50 "…" xception "…" }`: parse, check, resolve, format. */
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadPipelines } from '../../src/dsl/index.ts';
import { formatCvr } from '../../src/dsl/format.ts';
import { parseCvr } from '../../src/dsl/parse.ts';

function vfs(files: Record<string, string>) {
  const abs = new Map(Object.entries(files).map(([k, v]) => [path.resolve('/virtual', k), v]));
  return { cwd: '/virtual', readFile: async (p: string) => abs.get(p) };
}

const pipeline = (model: string): string => `
pipeline p {
  seed 1
  source a { folder "data/a" map { "n" -> NCV, "c" -> CVP } }
  task NCV vs CVP
  split kfold 5
  ${model}
}
`;

describe('model weights', () => {
  it('resolves a file path and a per-branch map to absolute paths', async () => {
    const file = await loadPipelines(['w/p.cvr'], vfs({ 'w/p.cvr': pipeline('model resnet50 { weights "keras/r.h5" }') }));
    expect(file.diagnostics).toEqual([]);
    expect(file.pipelines[0]?.models[0]?.weights).toBe('/virtual/w/keras/r.h5');

    const map = await loadPipelines(['w/p.cvr'], vfs({ 'w/p.cvr': pipeline('model cvrnet { weights { resnet50 "r.h5"  xception "/abs/x.h5" }  width 0.25 }') }));
    expect(map.diagnostics).toEqual([]);
    const m = map.pipelines[0]?.models[0];
    expect(m?.weights).toBe('branches');
    expect(m?.weightsFiles).toEqual({ resnet50: '/virtual/w/r.h5', xception: '/abs/x.h5' });
    expect(m?.width).toBe(0.25);
  });

  it('refuses a map for a model without branches and a key that names no branch (CVR725)', async () => {
    const single = await loadPipelines(['p.cvr'], vfs({ 'p.cvr': pipeline('model vgg19 { weights { resnet50 "r.h5" } }') }));
    expect(single.diagnostics.map((d) => [d.code, d.span?.line])).toEqual([['CVR725', 7]]);
    const typo = await loadPipelines(['p.cvr'], vfs({ 'p.cvr': pipeline('model cvrnet { weights { resnet "r.h5" } }') }));
    expect(typo.diagnostics.map((d) => d.code)).toEqual(['CVR725']);
    expect(typo.diagnostics[0]?.message).toContain('"resnet" is no branch of cvrnet');
  });

  it('formats the map form back to text that parses the same', () => {
    const text = pipeline('model cvrnet { weights {resnet50 "r.h5" xception "x.h5"} }');
    const parsed = parseCvr('p.cvr', text);
    expect(parsed.diagnostics).toEqual([]);
    const out = formatCvr(parsed.file);
    expect(out).toContain('weights { resnet50 "r.h5"  xception "x.h5" }');
    expect(formatCvr(parseCvr('p.cvr', out).file)).toBe(out);
  });
});
