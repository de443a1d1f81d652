import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { assignSplit, assignmentHash, foldImages, ROLE } from '../../src/data/index.ts';
import type { LabeledImage, SplitResult } from '../../src/data/index.ts';
import type { ResolvedSplit, ResolvedSource } from '../../src/dsl/resolved.ts';
import { NO_VALIDATION, pipelineFixture } from './pipeline-fixture.ts';

const TASK = ['NOR', 'NCP', 'CVP'];
const SOURCES = ['s0', 's1', 's2', 's3'];

function pipelineWith(split: ResolvedSplit, seed = 11) {
  const sources: ResolvedSource[] = SOURCES.map((name) => ({ name, locations: [{ kind: 'folder', dir: `/d/${name}` }], map: {}, coarse: 'error' }));
  return pipelineFixture({ sources, task: TASK, split, seed });
}

/** Images with unique ids; `patientOf` groups some of them. */
const imagesArb = (options: { maxPatientSize: number; minLength?: number }) =>
  fc
    .array(
      fc.record({
        source: fc.constantFrom(...SOURCES),
        cls: fc.constantFrom(...TASK),
        patient: fc.option(fc.integer({ min: 0, max: 40 }), { nil: undefined }),
        partition: fc.constantFrom('train' as const, 'test' as const),
      }),
      { minLength: options.minLength ?? 1, maxLength: 120 },
    )
    .map((rows) => {
      const perPatient = new Map<string, number>();
      const out: LabeledImage[] = [];
      rows.forEach((r, i) => {
        let patient = r.patient === undefined ? undefined : `p${r.patient}`;
        if (patient !== undefined) {
          // A patient's images share one class (so strata are exact) and are capped in number.
          const key = `${r.source}/${patient}`;
          const seen = perPatient.get(key) ?? 0;
          if (seen >= options.maxPatientSize) patient = undefined;
          else perPatient.set(key, seen + 1);
        }
        const cls = patient === undefined ? r.cls : TASK[(r.patient ?? 0) % TASK.length]!;
        const image: LabeledImage = { source: r.source, id: `img${i}.png`, absPath: `/d/${r.source}/img${i}.png`, nativeLabel: cls, taskClass: cls, partition: r.partition, ...(patient === undefined ? {} : { patient }) };
        out.push(image);
      });
      return out;
    });

const validationArb = fc.record({ fraction: fc.constantFrom(0, 0.1, 0.25), stratified: fc.boolean(), fromTest: fc.constant(false) });

function roleIndices(result: SplitResult, fold: number, role: number): number[] {
  const out: number[] = [];
  result.folds[fold]!.roles.forEach((r, i) => r === role && out.push(i));
  return out;
}

function countBy<T>(items: readonly T[], key: (t: T) => string): Map<string, number> {
  const m = new Map<string, number>();
  for (const t of items) m.set(key(t), (m.get(key(t)) ?? 0) + 1);
  return m;
}

/** Every fold: each image has exactly one role; a patient's images never sit in two roles. */
function checkFoldInvariants(result: SplitResult, grouped: boolean): void {
  for (const fold of result.folds) {
    expect(fold.roles.every((r) => r === ROLE.train || r === ROLE.val || r === ROLE.test)).toBe(true);
    if (!grouped) continue;
    const roleOfPatient = new Map<string, number>();
    result.images.forEach((image, i) => {
      if (image.patient === undefined) return;
      const key = `${image.source}/${image.patient}`;
      const before = roleOfPatient.get(key);
      if (before !== undefined) expect(fold.roles[i], `patient ${key} crosses partitions in ${fold.name}`).toBe(before);
      roleOfPatient.set(key, fold.roles[i]!);
    });
  }
}

/** Validation is carved from training: per stratum its size is within one unit of fraction × training. */
function checkValidation(result: SplitResult, fraction: number, stratified: boolean, grouped: boolean, maxUnit: number): void {
  for (let f = 0; f < result.folds.length; f++) {
    const nonTest = [...roleIndices(result, f, ROLE.train), ...roleIndices(result, f, ROLE.val)];
    const val = roleIndices(result, f, ROLE.val);
    if (fraction === 0) {
      expect(val).toEqual([]);
      continue;
    }
    const key = (i: number) => (stratified ? strataOf(result, i, grouped) : '*');
    const totals = countBy(nonTest, key);
    const vals = countBy(val, key);
    for (const [stratum, n] of totals) expect(Math.abs((vals.get(stratum) ?? 0) - fraction * n)).toBeLessThanOrEqual(maxUnit);
  }
}

function strataOf(result: SplitResult, i: number, _grouped: boolean): string {
  return result.images[i]!.taskClass;
}

describe('kfold', () => {
  it('every image is tested exactly once; stratified folds are within ±1 per class; validation only from training', () => {
    fc.assert(
      fc.property(imagesArb({ maxPatientSize: 1 }), fc.integer({ min: 2, max: 6 }), fc.boolean(), validationArb, (images, k, stratified, validation) => {
        const result = assignSplit(pipelineWith({ form: 'kfold', k, stratified, groupByPatient: false, validation }), images, { seed: 3 });
        expect(result.folds).toHaveLength(k);
        const testCount = new Array(images.length).fill(0);
        for (let f = 0; f < k; f++) for (const i of roleIndices(result, f, ROLE.test)) testCount[i]++;
        expect(testCount.every((n) => n === 1)).toBe(true);
        const strata = stratified ? TASK : ['*'];
        for (const stratum of strata) {
          const perFold = result.folds.map((_, f) => roleIndices(result, f, ROLE.test).filter((i) => stratum === '*' || images[i]!.taskClass === stratum).length);
          expect(Math.max(...perFold) - Math.min(...perFold)).toBeLessThanOrEqual(1);
        }
        checkFoldInvariants(result, false);
        checkValidation(result, validation.fraction, validation.stratified, false, 1);
      }),
      { numRuns: 150 },
    );
  });

  it('grouped by patient: patients never cross folds, and a fold is off by at most one patient per class', () => {
    fc.assert(
      fc.property(imagesArb({ maxPatientSize: 4 }), fc.integer({ min: 2, max: 5 }), validationArb, (images, k, validation) => {
        const result = assignSplit(pipelineWith({ form: 'kfold', k, stratified: true, groupByPatient: true, validation }), images, { seed: 5 });
        checkFoldInvariants(result, true);
        const foldOfPatient = new Map<string, number>();
        for (let f = 0; f < k; f++) {
          for (const i of roleIndices(result, f, ROLE.test)) {
            const image = images[i]!;
            if (image.patient === undefined) continue;
            const key = `${image.source}/${image.patient}`;
            expect(foldOfPatient.get(key) ?? f).toBe(f);
            foldOfPatient.set(key, f);
          }
        }
        for (const cls of TASK) {
          const n = images.filter((i) => i.taskClass === cls).length;
          for (let f = 0; f < k; f++) {
            const inFold = roleIndices(result, f, ROLE.test).filter((i) => images[i]!.taskClass === cls).length;
            expect(Math.abs(inFold - n / k)).toBeLessThanOrEqual(4);
          }
        }
        checkValidation(result, validation.fraction, validation.stratified, true, 4);
      }),
      { numRuns: 100 },
    );
  });

  it('with one image per patient, grouping keeps the ±1 stratification', () => {
    fc.assert(
      fc.property(imagesArb({ maxPatientSize: 1 }), fc.integer({ min: 2, max: 6 }), (images, k) => {
        const result = assignSplit(pipelineWith({ form: 'kfold', k, stratified: true, groupByPatient: true, validation: NO_VALIDATION }), images, { seed: 9 });
        for (const cls of TASK) {
          const perFold = result.folds.map((_, f) => roleIndices(result, f, ROLE.test).filter((i) => images[i]!.taskClass === cls).length);
          expect(Math.max(...perFold) - Math.min(...perFold)).toBeLessThanOrEqual(1);
        }
      }),
    );
  });

  it('assigns from identity, not input order, and differently for another seed', () => {
    fc.assert(
      fc.property(imagesArb({ maxPatientSize: 3, minLength: 30 }), fc.integer({ min: 0, max: 1000 }), (images, shuffleSeed) => {
        const split: ResolvedSplit = { form: 'kfold', k: 5, stratified: true, groupByPatient: true, validation: { fraction: 0.2, stratified: true, fromTest: false } };
        const a = assignSplit(pipelineWith(split), images, { seed: 1 });
        const shuffled = [...images].sort((x, y) => ((x.id.length * 31 + shuffleSeed) % 7) - ((y.id.length * 31 + shuffleSeed) % 7) || (x.id < y.id ? 1 : -1));
        const b = assignSplit(pipelineWith(split), shuffled, { seed: 1 });
        expect(assignmentHash(b)).toBe(assignmentHash(a));
        const c = assignSplit(pipelineWith(split), images, { seed: 2 });
        expect(assignmentHash(c)).not.toBe(assignmentHash(a));
      }),
      { numRuns: 30 },
    );
  });

  it('adding one image moves other images of its class across at most K−1 fold boundaries in all, and none of other classes', () => {
    fc.assert(
      fc.property(imagesArb({ maxPatientSize: 1, minLength: 10 }), fc.integer({ min: 2, max: 6 }), fc.constantFrom(...TASK), (images, k, cls) => {
        const split: ResolvedSplit = { form: 'kfold', k, stratified: true, groupByPatient: false, validation: NO_VALIDATION };
        const before = assignSplit(pipelineWith(split), images, { seed: 4 });
        const added: LabeledImage = { source: 's1', id: 'new.png', absPath: '/d/s1/new.png', nativeLabel: cls, taskClass: cls };
        const after = assignSplit(pipelineWith(split), [...images, added], { seed: 4 });
        const foldOf = (r: SplitResult, i: number) => r.folds.findIndex((f) => f.roles[i] === ROLE.test);
        const sameClass = images.filter((i) => i.taskClass === cls).length + 1;
        let crossings = 0;
        images.forEach((image, i) => {
          const from = foldOf(before, i);
          const to = foldOf(after, i);
          if (from === to) return;
          crossings += Math.abs(from - to);
          expect(image.taskClass).toBe(cls);
          // Once a class has at least K images, a moved image goes to a neighbouring fold.
          if (sameClass >= k) expect(Math.abs(from - to)).toBe(1);
        });
        expect(crossings).toBeLessThanOrEqual(k - 1);
      }),
      { numRuns: 200 },
    );
  });
});

describe('holdout', () => {
  it('by fraction: test within ±1 of fraction × n per class; grouped patients stay together', () => {
    fc.assert(
      fc.property(imagesArb({ maxPatientSize: 1 }), fc.constantFrom(0.1, 0.2, 0.33, 0.5), fc.boolean(), validationArb, (images, fraction, grouped, validation) => {
        const result = assignSplit(pipelineWith({ form: 'holdout', testFraction: fraction, stratified: true, groupByPatient: grouped, validation }), images, { seed: 8 });
        expect(result.folds).toHaveLength(1);
        for (const cls of TASK) {
          const n = images.filter((i) => i.taskClass === cls).length;
          const test = roleIndices(result, 0, ROLE.test).filter((i) => images[i]!.taskClass === cls).length;
          expect(Math.abs(test - fraction * n)).toBeLessThanOrEqual(1);
        }
        checkFoldInvariants(result, grouped);
        checkValidation(result, validation.fraction, validation.stratified, grouped, 1);
      }),
    );
  });

  it('by sources: the test set is exactly the named sources, and no image of them is trained or validated on', () => {
    fc.assert(
      fc.property(imagesArb({ maxPatientSize: 2 }), fc.subarray(SOURCES, { minLength: 1, maxLength: 2 }), validationArb, (images, testSources, validation) => {
        const result = assignSplit(pipelineWith({ form: 'holdout', testSources, stratified: false, groupByPatient: true, validation }), images, { seed: 8 });
        result.images.forEach((image, i) => {
          expect(result.folds[0]!.roles[i] === ROLE.test).toBe(testSources.includes(image.source));
        });
        checkFoldInvariants(result, true);
      }),
    );
  });
});

describe('leave_source_out', () => {
  it('one fold per source present, each testing exactly that source', () => {
    fc.assert(
      fc.property(imagesArb({ maxPatientSize: 2 }), validationArb, (images, validation) => {
        const result = assignSplit(pipelineWith({ form: 'leave_source_out', groupByPatient: true, validation }), images, { seed: 2 });
        const present = SOURCES.filter((s) => images.some((i) => i.source === s));
        expect(result.folds.map((f) => f.name)).toEqual(present);
        result.folds.forEach((fold) => {
          images.forEach((image, i) => expect(fold.roles[i] === ROLE.test).toBe(image.source === fold.name));
        });
        checkFoldInvariants(result, true);
        checkValidation(result, validation.fraction, validation.stratified, true, 2);
      }),
    );
  });
});

describe('given', () => {
  it('keeps the data\'s partitions and carves validation only from the given training part', () => {
    fc.assert(
      fc.property(imagesArb({ maxPatientSize: 1 }), validationArb, (images, validation) => {
        const result = assignSplit(pipelineWith({ form: 'given', groupByPatient: false, validation }), images, { seed: 2 });
        expect(result.diagnostics).toEqual([]);
        images.forEach((image, i) => {
          const role = result.folds[0]!.roles[i]!;
          if (image.partition === 'test') expect(role).toBe(ROLE.test);
          else expect(role === ROLE.train || role === ROLE.val).toBe(true);
        });
        checkValidation(result, validation.fraction, validation.stratified, false, 1);
      }),
    );
  });

  it('reports images without a partition', () => {
    const images: LabeledImage[] = [{ source: 's0', id: 'a.png', absPath: '/a.png', nativeLabel: 'x', taskClass: 'NOR' }];
    const result = assignSplit(pipelineWith({ form: 'given', groupByPatient: false, validation: NO_VALIDATION }), images, { seed: 1 });
    expect(result.diagnostics.map((d) => [d.code, d.data?.['count']])).toEqual([['CVR511', 1]]);
  });
});

describe('foldImages', () => {
  it('lists each fold\'s train, val and test images, and the test list as validation for `validation test`', () => {
    const images: LabeledImage[] = Array.from({ length: 10 }, (_, i) => ({ source: 's0', id: `${i}.png`, absPath: `/${i}.png`, nativeLabel: 'x', taskClass: i < 5 ? 'NOR' : 'CVP' }));
    const split = assignSplit(pipelineWith({ form: 'kfold', k: 5, stratified: true, groupByPatient: false, validation: { fraction: 0.25, stratified: true, fromTest: false } }), images, { seed: 1 });
    const fold = foldImages(split, 2);
    expect(fold.test).toHaveLength(2);
    expect(fold.val).toHaveLength(2);
    expect(fold.train).toHaveLength(6);
    expect(new Set([...fold.train, ...fold.val, ...fold.test].map((i) => i.id)).size).toBe(10);
    const authors = assignSplit(pipelineWith({ form: 'kfold', k: 5, stratified: true, groupByPatient: false, validation: { fraction: 0, stratified: false, fromTest: true } }), images, { seed: 1 });
    const a = foldImages(authors, 0);
    expect(a.val.map((i) => i.id)).toEqual(a.test.map((i) => i.id));
    expect(a.train).toHaveLength(8);
  });
});
