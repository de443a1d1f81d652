import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { expandSourceManifests } from '../../src/data/index.ts';
import type { ResolvedSourceManifest } from '../../src/dsl/resolved.ts';
import { folderSource, NO_VALIDATION, pipelineFixture } from './pipeline-fixture.ts';
import { tempDir, writeTree } from './files.ts';

let root: string;
beforeAll(async () => {
  root = await tempDir();
  await writeTree(root, {
    'train.txt': 'p1 a.png positive cohen\np2 b.png negative rsna\np3 c.png positive cohen\n',
    'test.txt': 'p9 t.png negative rsna\n',
    'bad.csv': 'image,label\nx.png,y\n',
  });
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

function manifest(file: string, partition: 'train' | 'test', map: Record<string, string | null>): ResolvedSourceManifest {
  return {
    file: join(root, file),
    columns: { image: 'image', label: 'label', patient: 'patient', source: 'source', positional: ['patient', 'image', 'label', 'source'] },
    root: join(root, partition),
    sourceColumn: 'source',
    partition,
    map,
    coarse: 'error',
  };
}

describe('expandSourceManifests', () => {
  it('makes one source per source-column value, merging lists and a declared source of the same name', async () => {
    const declared = folderSource('rsna', join(root, 'rsna-extra'), { negative: 'NOR' });
    const pipeline = {
      ...pipelineFixture({ sources: [declared], task: ['NCV', 'CVP'], split: { form: 'given', groupByPatient: false, validation: NO_VALIDATION } }),
      sourceManifests: [manifest('train.txt', 'train', { positive: 'CVP', negative: 'NCV' }), manifest('test.txt', 'test', { negative: 'NCV' })],
    };
    const { pipeline: expanded, diagnostics } = await expandSourceManifests(pipeline);
    expect(diagnostics).toEqual([]);
    expect(expanded.sourceManifests).toBeUndefined();
    expect(expanded.sources.map((s) => [s.name, s.locations.length])).toEqual([
      ['rsna', 3],
      ['cohen', 1],
    ]);
    const rsna = expanded.sources[0]!;
    // The declared map wins over the manifest's for the same native label.
    expect(rsna.map).toEqual({ positive: 'CVP', negative: 'NOR' });
    expect(rsna.locations.slice(1).map((l) => (l.kind === 'manifest' ? [l.sourceValue, l.partition] : null))).toEqual([
      ['rsna', 'train'],
      ['rsna', 'test'],
    ]);
  });

  it('reports a manifest without the source column', async () => {
    const bad: ResolvedSourceManifest = { ...manifest('bad.csv', 'train', {}), columns: { image: 'image', label: 'label', source: 'source' } };
    const pipeline = { ...pipelineFixture({ sources: [], task: ['NCV', 'CVP'], split: { form: 'given', groupByPatient: false, validation: NO_VALIDATION } }), sourceManifests: [bad] };
    const { diagnostics } = await expandSourceManifests(pipeline);
    expect(diagnostics.map((d) => d.code)).toEqual(['CVR502']);
  });
});
