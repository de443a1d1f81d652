/**
 * Deterministic split assignment.
 *
 * Every image's place comes from the seed and its identity (source + path, or source + patient
 * for grouped splits), never from directory order or file content, so a metadata-only audit
 * assigns exactly as a full run does.
 *
 * The algorithm ("hash quantiles"): images (or, grouped, patients) are units. Within a stratum
 * (a task class when stratified, else everything) units are ordered by
 * sha256(seed, source, identity); unit i covers the images [c_i, c_i + size_i) of the
 * stratum's cumulative count N, and goes to bin floor((c_i + size_i/2) · K / N). (Folds, the
 * random test cut and validation each read their own 52 bits of the one digest.) Bins are
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
import * as crypto from 'node:crypto';
import type { Diagnostic } from '../diag/index.ts';
import type { ResolvedPipeline, ResolvedSplit, ResolvedValidation } from '../dsl/index.ts';
import { diagnostic, firstFew } from '../diag/index.ts';
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

/** A unit of assignment: one image, or one patient's images when grouped. */
interface Unit {
  /** Index into `UnitTable.keys`. */
  readonly id: number;
  /** Task-class index of the unit's majority class when stratified, else 0. */
  readonly stratum: number;
  /** Indices into the image list. */
  readonly members: number[];
}

/** Every image's unit, computed once per assignment so later passes work on integers. */
interface UnitTable {
  /** Per unit id, its identity string (what the hash reads). */
  readonly keys: readonly string[];
  /** Per image, its unit id. */
  readonly unitOf: Int32Array;
  /** Per image, its task-class index. */
  readonly classOf: Int32Array;
}

/** What a unit's order is drawn for; each purpose reads its own bits of one digest. */
export type SplitPurpose = 'fold' | 'test' | 'validation';
const PURPOSE_SLOT: Readonly<Record<SplitPurpose, number>> = { fold: 0, test: 1, validation: 2 };

/**
 * Order keys of one unit, one per purpose, each a number in [0, 2^52): 52 bits taken from
 * separate 8-byte lanes of sha256(seed, unit identity). One digest serves every purpose, and
 * the lanes of a cryptographic hash are independent of each other.
 */
export function unitHashes(seed: number, key: string): [fold: number, test: number, validation: number] {
  const text = `${seed}\u0000${key}`;
  // crypto.hash (Node ≥ 20.12) skips the Hash object; same bytes as createHash.
  const digest = typeof crypto.hash === 'function' ? crypto.hash('sha256', text, 'buffer') : crypto.createHash('sha256').update(text).digest();
  const lane = (k: number): number => digest.readUIntBE(8 * k, 6) * 16 + (digest[8 * k + 6]! >> 4);
  return [lane(0), lane(1), lane(2)];
}

/** The order key of one unit for one purpose. */
export function unitHash(seed: number, purpose: SplitPurpose, key: string): number {
  return unitHashes(seed, key)[PURPOSE_SLOT[purpose]]!;
}

/** Units are patients when grouped and the patient is known, else single images. */
function unitTable(images: readonly LabeledImage[], grouped: boolean, task: readonly string[], patientsShared = false): UnitTable {
  const ids = new Map<string, number>();
  const keys: string[] = [];
  const unitOf = new Int32Array(images.length);
  const classOf = new Int32Array(images.length);
  const classIndex = new Map(task.map((c, i) => [c, i]));
  images.forEach((image, i) => {
    // `patients shared across sources`: one id is one person everywhere, so the source is not part of the key.
    const key = grouped && image.patient !== undefined ? (patientsShared ? `patient\u0000*\u0000${image.patient}` : `patient\u0000${image.source}\u0000${image.patient}`) : `image\u0000${image.source}\u0000${image.id}`;
    let id = ids.get(key);
    if (id === undefined) {
      id = keys.length;
      keys.push(key);
      ids.set(key, id);
    }
    unitOf[i] = id;
    classOf[i] = classIndex.get(image.taskClass) ?? 0;
  });
  return { keys, unitOf, classOf };
}

/** Groups the given images into units, each in the stratum of its majority class (ties: task order). */
function buildUnits(table: UnitTable, indices: readonly number[], stratified: boolean, classes: number): Unit[] {
  const slot = new Int32Array(table.keys.length).fill(-1);
  const units: { id: number; stratum: number; members: number[] }[] = [];
  for (const i of indices) {
    const id = table.unitOf[i]!;
    const at = slot[id]!;
    if (at < 0) {
      slot[id] = units.length;
      units.push({ id, stratum: 0, members: [i] });
    } else units[at]!.members.push(i);
  }
  if (stratified) {
    const counts = new Int32Array(classes);
    for (const unit of units) {
      if (unit.members.length === 1) {
        unit.stratum = table.classOf[unit.members[0]!]!;
        continue;
      }
      counts.fill(0);
      for (const i of unit.members) counts[table.classOf[i]!]!++;
      let best = 0;
      for (let c = 1; c < classes; c++) if (counts[c]! > counts[best]!) best = c;
      unit.stratum = best;
    }
  }
  return units;
}

/** Order keys, computed once per unit (one digest for all purposes) within one assignment. */
class HashMemo {
  private readonly lanes: Float64Array;
  constructor(
    private readonly seed: number,
    private readonly keys: readonly string[],
  ) {
    this.lanes = new Float64Array(keys.length * 3).fill(-1);
  }
  get(purpose: SplitPurpose, id: number): number {
    const at = id * 3 + PURPOSE_SLOT[purpose];
    if (this.lanes[at]! < 0) this.lanes.set(unitHashes(this.seed, this.keys[id]!), id * 3);
    return this.lanes[at]!;
  }
}

/**
 * Assigns each unit a bin in [0, cumulative.length): bins are given as cumulative fractions
 * (e.g. [0.2, 1] for a 20 % / 80 % cut, [1/K, 2/K, …, 1] for K folds). Returns the bin per unit
 * id (-1 for units not given).
 */
function quantileBins(units: readonly Unit[], unitCount: number, cumulative: readonly number[], hashOf: (id: number) => number, keys: readonly string[]): Int32Array {
  const out = new Int32Array(unitCount).fill(-1);
  const strata = new Map<number, Unit[]>();
  for (const unit of units) {
    const list = strata.get(unit.stratum);
    if (list === undefined) strata.set(unit.stratum, [unit]);
    else list.push(unit);
  }
  for (const list of strata.values()) {
    const h = new Float64Array(list.length);
    list.forEach((u, j) => (h[j] = hashOf(u.id)));
    const order = Uint32Array.from(list.keys());
    order.sort((a, b) => h[a]! - h[b]! || (keys[list[a]!.id]! < keys[list[b]!.id]! ? -1 : 1));
    let total = 0;
    for (const u of list) total += u.members.length;
    let before = 0;
    for (const j of order) {
      const unit = list[j]!;
      const mid = (before + unit.members.length / 2) / total;
      before += unit.members.length;
      let bin = 0;
      while (bin < cumulative.length - 1 && mid >= cumulative[bin]!) bin++;
      out[unit.id] = bin;
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
  const table = unitTable(images, grouped, task, pipeline.patientsShared === true);
  const memo = new HashMemo(seed, table.keys);
  const hashFor = (purpose: SplitPurpose) => (id: number) => memo.get(purpose, id);

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
    if (!split.validation.fromTest && !givenVal) carveValidation(table, training, roles, split.validation, task.length, hashFor('validation'));
    folds.push({ index, name, roles, validationIsTest: split.validation.fromTest });
  };

  switch (split.form) {
    case 'kfold': {
      const units = buildUnits(table, all, split.stratified, task.length);
      const edges = Array.from({ length: split.k }, (_, j) => (j + 1) / split.k);
      const bins = quantileBins(units, table.keys.length, edges, hashFor('fold'), table.keys);
      const foldOf = new Int32Array(images.length);
      for (let i = 0; i < images.length; i++) foldOf[i] = bins[table.unitOf[i]!]!;
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
        const units = buildUnits(table, all, split.stratified, task.length);
        const bins = quantileBins(units, table.keys.length, [fraction, 1], hashFor('test'), table.keys);
        const isTest = new Uint8Array(images.length);
        for (let i = 0; i < images.length; i++) if (bins[table.unitOf[i]!] === 0) isTest[i] = 1;
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
function carveValidation(table: UnitTable, training: readonly number[], roles: Uint8Array, validation: ResolvedValidation, classes: number, hashOf: (id: number) => number): void {
  if (validation.fraction <= 0) return;
  const units = buildUnits(table, training, validation.stratified, classes);
  const bins = quantileBins(units, table.keys.length, [validation.fraction, 1], hashOf, table.keys);
  for (const unit of units) if (bins[unit.id] === 0) for (const i of unit.members) roles[i] = ROLE.val;
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
  return crypto.createHash('sha256').update(`${result.form}\n${result.folds.map((f) => f.name).join(',')}\n${lines.join('\n')}`).digest('hex');
}

/** The images of one fold by role, in the split's image order (what training and evaluation read). */
export function foldImages(result: SplitResult, foldIndex: number): { train: LabeledImage[]; val: LabeledImage[]; test: LabeledImage[] } {
  const fold = result.folds[foldIndex];
  if (fold === undefined) throw new Error(`internal: no fold ${foldIndex} (the split has ${result.folds.length})`);
  const out = { train: [] as LabeledImage[], val: [] as LabeledImage[], test: [] as LabeledImage[] };
  result.images.forEach((image, i) => {
    const role = fold.roles[i];
    if (role === ROLE.train) out.train.push(image);
    else if (role === ROLE.val) out.val.push(image);
    else if (role === ROLE.test) out.test.push(image);
  });
  // When validation is the test set (`validation test`), the fold's validation list is its test list.
  if (fold.validationIsTest) out.val = out.test.slice();
  return out;
}
