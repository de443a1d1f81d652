// The dedupe benches' planted set: `cvr synth --preset paper` with planted near-duplicates, its
// ground truth, and every PNG in a stable order with its index.
import { readdir, readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { synthesize } from '../../src/data/index.ts';
import type { NearDuplicateTruth } from '../../src/data/synth/index.ts';

async function pngs(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...(await pngs(p)));
    else if (e.name.endsWith('.png')) out.push(p);
  }
  return out.sort();
}

export interface PlantedSet {
  readonly data: string;
  readonly truth: NearDuplicateTruth;
  readonly files: readonly string[];
  /** Each file's index in `files`, by its path relative to `data`. */
  readonly index: ReadonlyMap<string, number>;
}

export async function plantedSet(data: string, scale: number, copies: number): Promise<PlantedSet> {
  const synth = await synthesize({ preset: 'paper', out: data, seed: 11, scale, nearDuplicates: copies });
  if (!synth.ok) throw new Error(synth.message);
  const truth = JSON.parse(await readFile(join(data, 'near-duplicates.json'), 'utf8')) as NearDuplicateTruth;
  const files = await pngs(data);
  return { data, truth, files, index: new Map(files.map((f, i) => [relative(data, f), i])) };
}
