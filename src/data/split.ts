/**
 * Deterministic split assignment.
 *
 * Every image's place comes from the seed and its identity (source + path, or source + patient
 * for grouped splits), never from directory order or file content, so a metadata-only audit
 * assigns exactly as a full run does.
 *
 * The algorithm ("hash quantiles"): images (or, grouped, patients) are units. Within a stratum
 * (a task class when stratified, else everything) units are ordered by
 * sha256(seed, purpose, source, identity); unit i covers the images [c_i, c_i + size_i) of the
 * stratum's cumulative count N, and goes to bin floor((c_i + size_i/2) · K / N). Bins are
 * contiguous ranges of hash order, so:
 *  - with single-image units every bin holds ⌊N/K⌋ or ⌈N/K⌉ images of each stratum (±1);
 *    with patients, a bin is off by at most the size of one patient;
 *  - adding one image moves at most one other image across each bin boundary: at most K − 1
 *    other images in its stratum change bins, each to a neighbouring bin, and no image of any
 *    other stratum moves.
 * Exact ±1 balance and "no other image ever moves" cannot both hold: if no insertion may move
 * another image, each image's bin depends on the image alone, and then three images of one class
 * can always land in the same one of two folds. The audit chooses exact balance.
 */
import { createHash } from 'node:crypto';
import type { Diagnostic } from '../diag/index.ts';
import type { ResolvedPipeline, ResolvedSplit, ResolvedValidation } from '../dsl/resolved.ts';
import { diagnostic, firstFew } from './diagnostic.ts';
import type { LabeledImage } from './types.ts';

/** What an image is in one fold. */
export const ROLE = { none: 0, train: 1, val: 2, test: 3 } as const;
export type Role = (typeof ROLE)[keyof typeof ROLE];
export const ROLE_NAMES = ['none', 'train', 'val', 'test'] as const;

export interface Fold {
  readonly index: number;
  /** `fold1`…`foldK` for k-fold, the test source for leave_source_out, `holdout` otherwise. */
  readonly name: string;
  /** One role per image, in the order of `SplitResult.images`. */
  readonly roles: Uint8Array;
  /** `validation test`: the test set doubles as the validation set (an audit error). */
  readonly validationIsTest: boolean;
}

export interface SplitResult {
  readonly form: ResolvedSplit['form'];
  readonly images: readonly LabeledImage[];
  readonly folds: readonly Fold[];
  readonly diagnostics: readonly Diagnostic[];
}

export interface SplitOptions {
  readonly seed: number;
}

interface Unit {
  readonly key: string;
  readonly stratum: string;
  /** Indices into the image list. */
  readonly members: number[];
}

/** A number in [0, 2^52) from (seed, purpose, key); its order is the split order. */
export function unitHash(seed: number, purpose: string, key: string): number {
  const digest = createHash('sha256').update(`${seed}\u0000${purpose}\u0000${key}`).digest();
  return digest.readUIntBE(0, 6) * 16 + (digest[6]! >> 4);
}

function imageKey(image: LabeledImage): string {
  return `${image.source}\u0000${image.id}`;
}

/** Per image, its unit key: its patient when grouped and known, else the image itself. */
function unitKeys(images: readonly LabeledImage[], grouped: boolean): string[] {
  return images.map((image) => (grouped && image.patient !== undefined ? `patient\u0000${image.source}\u0000${image.patient}` : `image\u0000${imageKey(image)}`));
}

/** Groups the given images into units, each in the stratum of its majority class (ties: task order). */
function buildUnits(images: readonly LabeledImage[], keys: readonly string[], indices: readonly number[], stratified: boolean, taskOrder: readonly string[]): Unit[] {
  const byKey = new Map<string, number[]>();
  for (const i of indices) {
    const key = keys[i]!;
    const list = byKey.get(key);
    if (list === undefined) byKey.set(key, [i]);
    else list.push(i);
  }
  const units: Unit[] = [];
  for (const [key, members] of byKey) {
    units.push({ key, members, stratum: stratified ? majorityClass(images, members, taskOrder) : '*' });
  }
  return units;
}

function majorityClass(images: readonly LabeledImage[], members: readonly number[], taskOrder: readonly string[]): string {
  if (members.length === 1) return images[members[0]!]!.taskClass;
  const counts = taskOrder.map((c) => members.reduce((n, i) => n + (images[i]!.taskClass === c ? 1 : 0), 0));
  let best = 0;
  for (let c = 1; c < counts.length; c++) if (counts[c]! > counts[best]!) best = c;
  return taskOrder[best]!;
}

/** sha256-derived order keys, each computed once per (purpose, unit) within one assignment. */
class HashMemo {
  // One map per purpose keyed by the unit key strings themselves, whose hashes V8 caches.
  private readonly memo = new Map<string, Map<string, number>>();
  constructor(private readonly seed: number) {}
  get(purpose: string, key: string): number {
    let byKey = this.memo.get(purpose);
    if (byKey === undefined) {
      byKey = new Map();
      this.memo.set(purpose, byKey);
    }
    let h = byKey.get(key);
    if (h === undefined) {
      h = unitHash(this.seed, purpose, key);
      byKey.set(key, h);
    }
    return h;
  }
}

/**
 * Assigns each unit a bin in [0, bins.length): bins are given as cumulative fractions
 * (e.g. [0.2, 1] for a 20 % / 80 % cut, [1/K, 2/K, …, 1] for K folds). Returns bin per unit key.
 */
export function quantileBins(units: readonly Unit[], cumulative: readonly number[], hash: (key: string) => number): Map<string, number> {
  const out = new Map<string, number>();
  const strata = new Map<string, Array<{ unit: Unit; h: number }>>();
  for (const unit of units) {
    const list = strata.get(unit.stratum) ?? [];
    list.push({ unit, h: hash(unit.key) });
    strata.set(unit.stratum, list);
  }
  for (const list of strata.values()) {
    list.sort((a, b) => a.h - b.h || (a.unit.key < b.unit.key ? -1 : a.unit.key > b.unit.key ? 1 : 0));
    const total = list.reduce((n, u) => n + u.unit.members.length, 0);
    let before = 0;
    for (const { unit } of list) {
      const mid = (before + unit.members.length / 2) / total;
      before += unit.members.length;
      let bin = cumulative.findIndex((edge) => mid < edge);
      if (bin < 0) bin = cumulative.length - 1;
      out.set(unit.key, bin);
    }
  }
  return out;
}

export function assignSplit(pipeline: ResolvedPipeline, images: readonly LabeledImage[], options: SplitOptions): SplitResult {
  const split = pipeline.split;
  const seed = options.seed;
  const task = pipeline.task.classes;
  const diagnostics: Diagnostic[] = [];
  const all = images.map((_, i) => i);
  const grouped = split.groupByPatient;
  const folds: Fold[] = [];
  const keys = unitKeys(images, grouped);
  const memo = new HashMemo(seed);
  const hashFor = (purpose: string) => (key: string) => memo.get(purpose, key);

  const finishFold = (index: number, name: string, testMask: (i: number) => boolean, given?: (i: number) => 'train' | 'val' | 'test'): void => {
    const roles = new Uint8Array(images.length);
    const training: number[] = [];
    for (const i of all) {
      const g = given?.(i);
      if (g === 'test' || (g === undefined && testMask(i))) roles[i] = ROLE.test;
      else if (g === 'val') roles[i] = ROLE.val;
      else {
        roles[i] = ROLE.train;
        training.push(i);
      }
    }
    const givenVal = given !== undefined && all.some((i) => roles[i] === ROLE.val);
    if (!split.validation.fromTest && !givenVal) carveValidation(images, keys, training, roles, split.validation, task, hashFor('validation'));
    folds.push({ index, name, roles, validationIsTest: split.validation.fromTest });
  };

  switch (split.form) {
    case 'kfold': {
      const units = buildUnits(images, keys, all, split.stratified, task);
      const edges = Array.from({ length: split.k }, (_, j) => (j + 1) / split.k);
      const bins = quantileBins(units, edges, hashFor('fold'));
      const foldOf = new Int32Array(images.length);
      for (const unit of units) for (const i of unit.members) foldOf[i] = bins.get(unit.key)!;
      for (let f = 0; f < split.k; f++) finishFold(f, `fold${f + 1}`, (i) => foldOf[i] === f);
      break;
    }
    case 'holdout': {
      if (split.testSources !== undefined) {
        const tests = new Set(split.testSources);
        const present = new Set(images.map((i) => i.source));
        const absent = split.testSources.filter((s) => !present.has(s));
        if (absent.length > 0) {
          diagnostics.push(
            diagnostic('CVR514', `the split's test sources ${firstFew(absent)} have no images in the task`, {
              span: pipeline.spans['split'],
              data: { sources: absent },
              hint: 'check the source names and their label maps',
            }),
          );
        }
        finishFold(0, 'holdout', (i) => tests.has(images[i]!.source));
      } else {
        const fraction = split.testFraction ?? 0.2;
        const units = buildUnits(images, keys, all, split.stratified, task);
        const bins = quantileBins(units, [fraction, 1], hashFor('test'));
        const isTest = new Uint8Array(images.length);
        for (const unit of units) if (bins.get(unit.key) === 0) for (const i of unit.members) isTest[i] = 1;
        finishFold(0, 'holdout', (i) => isTest[i] === 1);
      }
      break;
    }
    case 'leave_source_out': {
      const present = new Set(images.map((i) => i.source));
      const sources = pipeline.sources.map((s) => s.name).filter((s) => present.has(s));
      sources.forEach((source, f) => finishFold(f, source, (i) => images[i]!.source === source));
      break;
    }
    case 'given': {
      const lacking = images.filter((i) => i.partition === undefined);
      if (lacking.length > 0) {
        const bySource = countBy(lacking.map((i) => i.source));
        diagnostics.push(
          diagnostic('CVR511', `a given split needs a partition for every image; ${lacking.length} image(s) have none (${[...bySource].map(([s, n]) => `${s}: ${n}`).join(', ')})`, {
            span: pipeline.spans['split'],
            data: { count: lacking.length, bySource: Object.fromEntries(bySource), first: lacking.slice(0, 5).map((i) => `${i.source}/${i.id}`) },
            hint: 'say `partition train` / `partition test` in each manifest, or name a partition column',
          }),
        );
      }
      finishFold(0, 'given', () => false, (i) => images[i]!.partition ?? 'train');
      break;
    }
    default: {
      const never: never = split;
      throw new Error(`internal: unknown split form ${JSON.stringify(never)}`);
    }
  }
  return { form: split.form, images, folds, diagnostics };
}

/** Moves a fraction of each stratum of `training` from train to val (same hash-quantile rule). */
function carveValidation(
  images: readonly LabeledImage[],
  keys: readonly string[],
  training: readonly number[],
  roles: Uint8Array,
  validation: ResolvedValidation,
  task: readonly string[],
  hash: (key: string) => number,
): void {
  if (validation.fraction <= 0) return;
  const units = buildUnits(images, keys, training, validation.stratified, task);
  const bins = quantileBins(units, [validation.fraction, 1], hash);
  for (const unit of units) if (bins.get(unit.key) === 0) for (const i of unit.members) roles[i] = ROLE.val;
}

function countBy(values: readonly string[]): Map<string, number> {
  const out = new Map<string, number>();
  for (const v of values) out.set(v, (out.get(v) ?? 0) + 1);
  return out;
}

/** sha256 over every image's identity and its role in each fold: the lock file's split fingerprint. */
export function assignmentHash(result: SplitResult): string {
  const lines = result.images.map((image, i) => `${image.source}\u0000${image.id}\u0000${result.folds.map((f) => f.roles[i]).join('')}`);
  lines.sort();
  return createHash('sha256').update(`${result.form}\n${result.folds.map((f) => f.name).join(',')}\n${lines.join('\n')}`).digest('hex');
}
