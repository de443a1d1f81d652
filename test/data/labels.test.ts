import { describe, expect, it } from 'vitest';
import { mapLabels, taskClassOf } from '../../src/data/index.ts';
import type { ScannedImage } from '../../src/data/index.ts';
import type { ResolvedSource } from '../../src/dsl/resolved.ts';
import { COVID_CLASSES, NO_VALIDATION, pipelineFixture } from './pipeline-fixture.ts';

function images(source: string, label: string, n: number): ScannedImage[] {
  return Array.from({ length: n }, (_, i) => ({ source, id: `${label}/${i}.png`, absPath: `/x/${label}/${i}.png`, nativeLabel: label }));
}

function source(name: string, map: Record<string, string | null>, coarse: 'drop' | 'error' = 'error'): ResolvedSource {
  return { name, locations: [{ kind: 'folder', dir: `/data/${name}` }], map, coarse };
}

const split = { form: 'given', groupByPatient: false, validation: NO_VALIDATION } as const;

describe('taskClassOf', () => {
  it.each([
    ['NOR', ['NCV', 'CVP'], { taskClass: 'NCV' }],
    ['OBP', ['NOR', 'NCP', 'CVP'], { taskClass: 'NCP' }],
    ['NCV', ['NOR', 'NCP', 'CVP'], { outcome: 'coarse' }],
    ['NCP', ['NCV', 'CVP'], { taskClass: 'NCV' }],
    ['OVP', ['NOR', 'CVP'], { outcome: 'outside-task' }],
  ])('%s in %j', (cls, task, expected) => {
    expect(taskClassOf(COVID_CLASSES, task, cls)).toEqual(expected);
  });
});

describe('mapLabels', () => {
  it('folds mapped classes into task classes and counts each native label', () => {
    const pipeline = pipelineFixture({ sources: [source('cxri', { NORMAL: 'NOR', bacteria: 'OBP', virus: 'OVP' })], task: ['NCV', 'CVP'], split });
    const result = mapLabels(pipeline, [...images('cxri', 'NORMAL', 3), ...images('cxri', 'bacteria', 2), ...images('cxri', 'virus', 1)]);
    expect(result.diagnostics).toEqual([]);
    expect(result.images.map((i) => i.taskClass)).toEqual(['NCV', 'NCV', 'NCV', 'NCV', 'NCV', 'NCV']);
    expect(result.mapping.map((r) => [r.nativeLabel, r.mappedTo, r.taskClass, r.count])).toEqual([
      ['NORMAL', 'NOR', 'NCV', 3],
      ['bacteria', 'OBP', 'NCV', 2],
      ['virus', 'OVP', 'NCV', 1],
    ]);
  });

  it('reports each unmapped label with its count as an error', () => {
    const pipeline = pipelineFixture({ sources: [source('s', { COVID: 'CVP' })], task: ['NCV', 'CVP'], split });
    const result = mapLabels(pipeline, [...images('s', 'COVID', 2), ...images('s', 'Lateral', 4), ...images('s', 'PA', 1)]);
    const unmapped = result.diagnostics.filter((d) => d.code === 'CVR505');
    expect(unmapped.map((d) => [d.severity, d.data?.['label'], d.data?.['count']])).toEqual([
      ['error', 'Lateral', 4],
      ['error', 'PA', 1],
    ]);
    expect(unmapped[0]!.hint).toContain('"Lateral" -> drop');
  });

  it('coarse labels are an error unless the source says coarse drop, and then are reported as dropped', () => {
    const task = ['NOR', 'NCP', 'CVP'];
    const scanned = [...images('ictcf', 'negative', 5), ...images('ictcf', 'positive', 2)];
    const strict = mapLabels(pipelineFixture({ sources: [source('ictcf', { negative: 'NCV', positive: 'CVP' })], task, split }), scanned);
    expect(strict.diagnostics.map((d) => [d.code, d.severity, d.data?.['count']])).toEqual([['CVR506', 'error', 5]]);
    const lenient = mapLabels(pipelineFixture({ sources: [source('ictcf', { negative: 'NCV', positive: 'CVP' }, 'drop')], task, split }), scanned);
    expect(lenient.diagnostics.map((d) => [d.code, d.severity, d.data?.['reason']])).toEqual([['CVR507', 'info', 'coarse-dropped']]);
    expect(lenient.images).toHaveLength(2);
  });

  it('explicit drops and classes outside the task are left out and reported; an emptied source is warned about', () => {
    const pipeline = pipelineFixture({ sources: [source('a', { Lateral: null, virus: 'OVP' }), source('b', { COVID: 'CVP' })], task: ['NOR', 'CVP'], split });
    const result = mapLabels(pipeline, [...images('a', 'Lateral', 2), ...images('a', 'virus', 3), ...images('b', 'COVID', 1)]);
    expect(result.diagnostics.map((d) => [d.code, d.data?.['reason'] ?? null])).toEqual([
      ['CVR507', 'dropped'],
      ['CVR507', 'outside-task'],
      ['CVR509', null],
    ]);
    expect(result.images.map((i) => i.source)).toEqual(['b']);
  });
});
