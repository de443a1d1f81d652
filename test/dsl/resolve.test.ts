/** Resolution: imports, extends by key, drops, references, defaults, stable cycles. */
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadPipelines } from '../../src/dsl/index.ts';
import { findCycles } from '../../src/dsl/cycles.ts';
import { closestName, editDistance } from '../../src/diag/did-you-mean.ts';

/** An in-memory file system: relative names under /virtual. */
function vfs(files: Record<string, string>) {
  const abs = new Map(Object.entries(files).map(([k, v]) => [path.resolve('/virtual', k), v]));
  return { cwd: '/virtual', readFile: async (p: string) => abs.get(p) };
}

const BASE = `
pipeline base {
  seed 7
  source a { folder "data/a" map { "n" -> NCV } }
  source b { folder "data/b" map { "c" -> CVP } }
  task NCV vs CVP
  split kfold 5
  model cvrnet
}
`;

describe('extends', () => {
  it('replaces statements by key, adds sources, and drops one with { drop }', async () => {
    const fs = vfs({
      'p.cvr': `${BASE}
pipeline child extends base {
  source a { drop }
  source c { folder "data/c" map { "c" -> CVP, "n" -> NCV } }
  split holdout { test sources c }
  compare models vgg19, resnet50
}`,
    });
    const r = await loadPipelines(['p.cvr'], fs);
    expect(r.diagnostics).toEqual([]);
    const child = r.pipelines.find((p) => p.name === 'child');
    expect(child?.seed).toBe(7);
    expect(child?.sources.map((s) => s.name)).toEqual(['b', 'c']);
    expect(child?.split.form).toBe('holdout');
    expect(child?.models.map((m) => m.name)).toEqual(['vgg19', 'resnet50']);
    expect(child?.spans['split']?.line).toBe(14);
    expect(child?.spans['task']?.line).toBe(6);
  });

  it('names an import cycle the same way whichever file is read first', async () => {
    const files = {
      'x.cvr': 'import "y.cvr"\npipeline p extends q { seed 1 }',
      'y.cvr': 'import "x.cvr"\npipeline q extends p { seed 1 }',
    };
    const a = await loadPipelines(['x.cvr'], vfs(files));
    const b = await loadPipelines(['y.cvr'], vfs(files));
    const message = (r: typeof a) => r.diagnostics.map((d) => `${d.code} ${d.message}`);
    expect(message(a)).toEqual(message(b));
    expect(message(a)).toEqual(['CVR202 import cycle: x.cvr → y.cvr → x.cvr']);
  });
});

describe('imports and named blocks', () => {
  it('resolves bare sources and named protocols from an imported file, paths relative to it', async () => {
    const fs = vfs({
      'lib/common.cvr': 'source a { folder "../data/a" map { "n" -> NCV, "c" -> CVP } }\ntrain quick { batch 4 epochs 2 }\naugment flips { flip horizontal }',
      'p.cvr': 'import "lib/common.cvr"\npipeline p { seed 1 source a task NCV vs CVP split kfold 2 model cvrnet train quick augment flips }',
    });
    const r = await loadPipelines(['p.cvr'], fs);
    expect(r.diagnostics).toEqual([]);
    const [p] = r.pipelines;
    expect(p?.sources[0]?.locations).toEqual([{ kind: 'folder', dir: '/virtual/data/a' }]);
    expect(p?.train.batch).toBe(4);
    expect(p?.train.epochs).toBe(2);
    expect(p?.augment).toEqual([{ op: 'flip', axis: 'horizontal', p: 0.5 }]);
  });

  it('applies the defaults of resolved.ts', async () => {
    const r = await loadPipelines(['p.cvr'], vfs({ 'p.cvr': BASE }));
    const [p] = r.pipelines;
    expect(p?.image).toEqual({ width: 224, height: 224, resize: 'nearest', channels: 3, normalize: 'unit' });
    expect(p?.train).toMatchObject({ optimizer: { name: 'adam', lr: 1e-4 }, loss: 'categorical_crossentropy', classWeights: { mode: 'balanced' }, batch: 8, epochs: 200 });
    expect(p?.engine).toBe('auto');
    expect(p?.classes.classes.map((c) => `${c.name}=${c.leaves.join('|')}`)).toEqual(['NOR=NOR', 'OBP=OBP', 'OVP=OVP', 'CVP=CVP', 'NCP=OBP|OVP', 'NCV=NOR|OBP|OVP']);
  });

  it('reports a missing entry file without a span', async () => {
    const r = await loadPipelines(['nope.cvr'], vfs({}));
    expect(r.diagnostics.map((d) => [d.code, d.file, d.span])).toEqual([['CVR201', '/virtual/nope.cvr', undefined]]);
  });

  it('stops after a phase with errors: syntax errors hide semantic ones', async () => {
    const r = await loadPipelines(['p.cvr'], vfs({ 'p.cvr': 'pipeline p { task NCV vs NOR \n split kfold }' }));
    expect(r.diagnostics.every((d) => d.code.startsWith('CVR1'))).toBe(true);
    expect(r.diagnostics.length).toBeGreaterThan(0);
  });

  it('reports every error of the checking phase together', async () => {
    const r = await loadPipelines(['p.cvr'], vfs({ 'p.cvr': 'pipeline p { seed 1 source a { folder "a" } task NCV vs NOR split kfold 1 model vgg20 }' }));
    expect(r.diagnostics.map((d) => d.code).sort()).toEqual(['CVR309', 'CVR310', 'CVR404']);
  });
});

describe('cycles and suggestions', () => {
  it('reports a cycle once, rotated to its smallest node', () => {
    expect(findCycles(new Map([['c', ['a']], ['b', ['c']], ['a', ['b']], ['d', ['a']]]))).toEqual([['a', 'b', 'c']]);
    expect(findCycles(new Map([['a', ['b']], ['b', []]]))).toEqual([]);
    expect(findCycles(new Map([['z', ['z']]]))).toEqual([['z']]);
  });

  it('suggests by edit distance with transpositions, never an unrelated name', () => {
    expect(editDistance('widht', 'width')).toBe(1);
    expect(editDistance('kitten', 'sitting')).toBe(3);
    expect(closestName('CVD', ['CVP', 'NCV', 'NOR'])).toBe('CVP');
    expect(closestName('resnet51', ['resnet50', 'xception'])).toBe('resnet50');
    expect(closestName('c', ['a', 'b'])).toBeUndefined();
    expect(closestName('banana', ['CVP', 'NCV'])).toBeUndefined();
  });
});

describe('named blocks and manifests', () => {
  it('uses a named classes block, image and evaluate blocks', async () => {
    const fs = vfs({
      'p.cvr': `classes binary { NEG "negative" POS "positive" }
image small { size 32 x 32 channels 1 }
evaluate quick { metrics accuracy }
pipeline p { seed 1 classes binary source a { folder "a" map { "n" -> NEG, "p" -> POS } }
  task NEG vs POS split kfold 2 model cvrnet { width 0.25 } image small evaluate quick }`,
    });
    const r = await loadPipelines(['p.cvr'], fs);
    expect(r.diagnostics).toEqual([]);
    const [p] = r.pipelines;
    expect(p?.classes.classes.map((c) => c.name)).toEqual(['NEG', 'POS']);
    expect(p?.image).toMatchObject({ width: 32, height: 32, channels: 1 });
    expect(p?.evaluate).toMatchObject({ metrics: ['accuracy'], confusion: false });
    expect(p?.models[0]?.width).toBe(0.25);
  });

  it('knows the sources a manifest lists with `only`, and checks test sources against them', async () => {
    const text = (test: string) => `pipeline p { seed 1
  sources from manifest "l.txt" { columns patient image label source  only cohen, rsna  map { "positive" -> CVP, "negative" -> NCV } }
  task NCV vs CVP split holdout { test sources ${test} } model cvrnet }`;
    const ok = await loadPipelines(['p.cvr'], vfs({ 'p.cvr': text('rsna') }));
    expect(ok.diagnostics).toEqual([]);
    expect(ok.pipelines[0]?.sources.map((s) => [s.name, s.locations[0]?.kind === 'manifest' ? s.locations[0].sourceValue : undefined])).toEqual([
      ['cohen', 'cohen'],
      ['rsna', 'rsna'],
    ]);
    const bad = await loadPipelines(['p.cvr'], vfs({ 'p.cvr': text('rnsa') }));
    expect(bad.diagnostics.map((d) => [d.code, d.hint])).toEqual([['CVR303', 'did you mean "rsna"?']]);
  });

  it('explains a train setting swallowed by the optimizer line', async () => {
    const r = await loadPipelines(['p.cvr'], vfs({ 'p.cvr': BASE.replace('model cvrnet', 'model cvrnet\n  train { optimizer adam lr 1e-4\n batch 8 }') }));
    const d = r.diagnostics.find((x) => x.code === 'CVR413');
    // Only while the parser reads `batch 8` as an optimizer parameter; otherwise the file is clean.
    if (d !== undefined) expect(d.hint).toContain('write it before the `optimizer` line');
    else expect(r.diagnostics).toEqual([]);
  });
});
