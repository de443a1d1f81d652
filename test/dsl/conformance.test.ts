/** The whole example of language.md, exactly as written, must check clean and resolve as it reads. */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadPipelines } from '../../src/dsl/index.ts';

const fixtures = fileURLToPath(new URL('./fixtures/', import.meta.url));
const example = path.join(fixtures, 'language-example.cvr');

describe('language.md whole example (conformance)', () => {
  it('checks clean, common.cvr included', async () => {
    const result = await loadPipelines([example]);
    expect(result.diagnostics).toEqual([]);
    expect([...result.files.keys()].sort()).toEqual([path.join(fixtures, 'common.cvr'), example]);
  });

  it('resolves to what the example says', async () => {
    const [p] = (await loadPipelines([example])).pipelines;
    expect(p?.name).toBe('cxr_independent_cl2');
    expect(p?.seed).toBe(20201107);
    expect(p?.task.classes).toEqual(['NCV', 'CVP']);
    expect(p?.sources.map((s) => s.name)).toEqual(['chexpert', 'cxri', 'ccxri', 'padchest', 'chestxray8', 'cidc']);
    expect(p?.split).toMatchObject({ form: 'holdout', testSources: ['chestxray8', 'cidc'], validation: { fraction: 0.2, stratified: true, fromTest: false } });
    // Paths are absolute, relative to the file that wrote them.
    const padchest = p?.sources.find((s) => s.name === 'padchest');
    expect(padchest?.locations[0]).toEqual({
      kind: 'manifest',
      file: path.resolve(fixtures, '../data/padchest/labels.csv'),
      columns: { image: 'ImageID', label: 'label', patient: 'PatientID' },
      root: path.resolve(fixtures, '../data/padchest/images'),
    });
    expect(p?.augment).toEqual([
      { op: 'rotate', degrees: 15, p: 0.45 },
      { op: 'shift', fraction: 0.1, p: 0.2 },
      { op: 'flip', axis: 'horizontal', p: 0.5 },
      { op: 'flip', axis: 'vertical', p: 0.5 },
    ]);
    expect(p?.train).toEqual({
      optimizer: { name: 'adam', lr: 1e-4, params: { beta1: 0.9, beta2: 0.999 } },
      loss: 'categorical_crossentropy',
      classWeights: { mode: 'balanced' },
      batch: 8,
      epochs: 200,
      reduceLr: { metric: 'val_loss', factor: 0.1, patience: 12, min: 0 },
      earlyStop: { metric: 'val_loss', patience: 25, restoreBest: true },
    });
    expect(p?.evaluate.gradcam).toEqual({ className: 'CVP', top: 3, threshold: 0.6 });
    expect(p?.models).toEqual([{ name: 'cvrnet', weights: 'none', width: 1, options: {} }]);
  });
});
