/** Together the files of pipelines/ check clean and state the paper's designs. */
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadPipelines } from '../../src/dsl/index.ts';
import type { ResolvedPipeline } from '../../src/dsl/index.ts';

const root = fileURLToPath(new URL('../../', import.meta.url));
const dir = path.join(root, 'pipelines');
const files = readdirSync(dir).filter((f) => f.endsWith('.cvr')).sort();

async function all(): Promise<ResolvedPipeline[]> {
  const result = await loadPipelines(files.map((f) => path.join(dir, f)));
  expect(result.diagnostics).toEqual([]);
  return result.pipelines;
}

describe('pipelines/', () => {
  // Each file checking clean on its own and being canonical: test/shipped-cvr.test.ts.
  it('covers every design of Table 1, and both Table 5 comparisons', async () => {
    const byTitle = new Map((await all()).map((p) => [p.title ?? p.name, p]));
    for (const title of ['CXR-Single-CL2', 'CXR-Multiple-CL2', 'CXR-Independent-CL2', 'CXR-Single-CL3', 'CXR-Multiple-CL3', 'CXR-Multiple-CL4', 'CT-Single-CL2', 'CT-Multiple-CL2', 'CT-Independent-CL2']) {
      expect(byTitle.has(title), title).toBe(true);
    }
    const table5 = [...byTitle.values()].filter((p) => p.models.length > 1);
    expect(table5.map((p) => p.name).sort()).toEqual(['ct_independent_models', 'cxr_independent_models']);
    for (const p of table5) {
      expect(p.models.map((m) => m.name).sort()).toEqual(['cvrnet', 'densenet121', 'efficientnetb0', 'inceptionv3', 'resnet50', 'vgg19', 'xception']);
      expect(p.split.form === 'holdout' && p.split.testSources !== undefined).toBe(true);
    }
  });

  it('states Table 1 compositions: single-source CL2 takes each class from one source', async () => {
    const p = (await all()).find((x) => x.name === 'cxr_single_cl2');
    expect(p?.sources.map((s) => s.name)).toEqual(['cxri', 'cidc']);
    expect(p?.split).toMatchObject({ form: 'kfold', k: 5, stratified: true, groupByPatient: true });
    const ind = (await all()).find((x) => x.name === 'ct_independent_cl2');
    expect(ind?.sources.map((s) => s.name).sort()).toEqual(['ccii', 'ictcf', 'mgc', 'scov']);
    expect(ind?.split).toMatchObject({ form: 'holdout', testSources: ['scov'] });
  });

  it('points sources at the data layout under data/', async () => {
    for (const p of await all()) {
      for (const s of p.sources) {
        for (const loc of s.locations) {
          const where = loc.kind === 'folder' ? loc.dir : loc.file;
          expect(where.startsWith(path.join(root, 'data', s.name)), `${p.name}/${s.name}`).toBe(true);
        }
      }
    }
  });

  it("expresses the authors' code protocol", async () => {
    const p = (await all()).find((x) => x.name === 'cxr_multiple_cl2_authors_code');
    expect(p?.train).toMatchObject({
      optimizer: { name: 'adamax' },
      classWeights: { mode: 'max_over_count' },
      batch: 8,
      epochs: 200,
      reduceLr: { metric: 'val_loss', factor: 0.1, patience: 4, min: 1e-8 },
      earlyStop: { metric: 'val_accuracy', patience: 13 },
    });
    expect(p?.augment.map((a) => a.op)).toEqual(['flip', 'flip']);
    expect(p?.split).toMatchObject({ form: 'kfold', groupByPatient: false });
  });

  it('has a COVIDx-style given split over two partitioned manifests', async () => {
    const p = (await all()).find((x) => x.split.form === 'given');
    expect(p?.sourceManifests?.map((m) => [path.basename(m.file), m.partition, m.columns.positional])).toEqual([
      ['train.txt', 'train', ['patient', 'image', 'label', 'source']],
      ['test.txt', 'test', ['patient', 'image', 'label', 'source']],
    ]);
  });
});
