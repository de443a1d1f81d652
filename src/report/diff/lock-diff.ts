/**
 * `cvr diff a.lock.json b.lock.json`: what changed in the data between two fingerprints — images
 * added and removed per source, relabelled or rewritten images, the split assignment, and (lock
 * version 2, which records each image's role) which images moved to another partition or fold.
 */
import { movedImages, type LockFile, type PipelineLock } from '../../plan/index.ts';
import type { Change } from './types.ts';

const FIRST = 5;

function few(ids: readonly string[]): string {
  return ids.length <= FIRST ? ids.join(', ') : `${ids.slice(0, FIRST).join(', ')} … (${ids.length - FIRST} more)`;
}

export function diffPipelineLocks(a: PipelineLock, b: PipelineLock, prefix = ''): Change[] {
  const out: Change[] = [];
  const at = (path: string): string => `${prefix}${path}`;
  if (a.seed !== b.seed) out.push({ path: at('seed'), kind: 'changed', from: a.seed, to: b.seed, meaning: `seed changed (${a.seed} → ${b.seed}): the split is drawn anew` });
  if (a.task.join(',') !== b.task.join(',')) {
    out.push({ path: at('task'), kind: 'changed', from: a.task.join(' vs '), to: b.task.join(' vs '), meaning: `task: ${a.task.join(' vs ')} → ${b.task.join(' vs ')}` });
  }
  const names = [...new Set([...Object.keys(a.sources), ...Object.keys(b.sources)])].sort();
  let dataChanged = false;
  for (const name of names) {
    const before = a.sources[name];
    const after = b.sources[name];
    if (before === undefined || after === undefined) {
      const images = (before ?? after)!.images;
      out.push({
        path: at(`source:${name}`),
        kind: before === undefined ? 'added' : 'removed',
        from: before === undefined ? null : `${images} images`,
        to: after === undefined ? null : `${images} images`,
        meaning: before === undefined ? `source ${name} added with ${images} image${images === 1 ? "" : "s"}` : `source ${name} removed (had ${images} image${images === 1 ? "" : "s"})`,
      });
      dataChanged = true;
      continue;
    }
    if (before.listHash === after.listHash && before.contentHash === after.contentHash) continue;
    const old = new Map(before.files.map((f) => [f[0], f]));
    const now = new Map(after.files.map((f) => [f[0], f]));
    const added = after.files.filter((f) => !old.has(f[0])).map((f) => f[0]);
    const removed = before.files.filter((f) => !now.has(f[0])).map((f) => f[0]);
    const relabelled: string[] = [];
    const repartitioned: string[] = [];
    const rewritten: string[] = [];
    for (const [id, f] of now) {
      const o = old.get(id);
      if (o === undefined) continue;
      if (o[1] !== f[1] || o[2] !== f[2]) relabelled.push(id);
      if (o[3] !== f[3]) repartitioned.push(id);
      if (o[4] !== null && f[4] !== null && o[4] !== f[4]) rewritten.push(id);
    }
    const push = (what: string, ids: string[], meaning: string): void => {
      if (ids.length === 0) return;
      dataChanged = true;
      out.push({ path: at(`source:${name}.${what}`), kind: what === 'added' ? 'added' : what === 'removed' ? 'removed' : 'changed', from: before.images, to: after.images, meaning: `${name}: ${ids.length} ${meaning}: ${few(ids)}` });
    };
    push('added', added, `image${added.length === 1 ? '' : 's'} added`);
    push('removed', removed, `image${removed.length === 1 ? '' : 's'} removed`);
    push('labels', relabelled, `image${relabelled.length === 1 ? '' : 's'} with a changed label or patient`);
    push('partition', repartitioned, `image${repartitioned.length === 1 ? '' : 's'} moved to another declared partition`);
    push('content', rewritten, `image${rewritten.length === 1 ? '' : 's'} whose bytes changed`);
  }
  if (a.split.assignmentHash !== b.split.assignmentHash) {
    const why = a.split.form !== b.split.form ? `split ${a.split.form} → ${b.split.form}` : dataChanged || a.seed !== b.seed ? 'follows from the data or seed changes above' : 'same data and seed: the split statement or the assignment algorithm changed';
    out.push({
      path: at('split.assignment'),
      kind: 'changed',
      from: `${a.split.form} ${a.split.folds.join(', ')} (${a.split.assignmentHash.slice(0, 12)})`,
      to: `${b.split.form} ${b.split.folds.join(', ')} (${b.split.assignmentHash.slice(0, 12)})`,
      meaning: `split assignment changed (${why}): at least one image is now in another partition or fold`,
    });
    const moved = movedImages(a, b);
    if (moved.length > 0) {
      // Images present in both locks only: added and removed ones are listed per source above.
      out.push({
        path: at('split.moved'),
        kind: 'changed',
        from: moved.length,
        to: moved.length,
        meaning: `${moved.length} image${moved.length === 1 ? '' : 's'} moved: ${few(moved.map((m) => `${m.source}/${m.id} ${m.from} → ${m.to}`))}`,
      });
    }
  }
  return out;
}

export function diffLockFiles(a: LockFile, b: LockFile): Change[] {
  const names = [...new Set([...Object.keys(a.pipelines), ...Object.keys(b.pipelines)])].sort();
  const only = Object.keys(a.pipelines).length === 1 && Object.keys(b.pipelines).length === 1;
  if (only) return diffPipelineLocks(Object.values(a.pipelines)[0]!, Object.values(b.pipelines)[0]!);
  const out: Change[] = [];
  for (const name of names) {
    const pa = a.pipelines[name];
    const pb = b.pipelines[name];
    if (pa === undefined || pb === undefined) {
      out.push({ path: `pipeline:${name}`, kind: pa === undefined ? 'added' : 'removed', from: pa === undefined ? null : name, to: pb === undefined ? null : name, meaning: `pipeline ${name} ${pa === undefined ? 'added' : 'removed'}` });
      continue;
    }
    out.push(...diffPipelineLocks(pa, pb, `${name}/`));
  }
  return out;
}
