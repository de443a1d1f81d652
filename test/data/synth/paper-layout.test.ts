import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { SynthSummary } from '../../../src/data/synth/index.ts';
import { getPreset, planPreset, synthesize } from '../../../src/data/synth/index.ts';
import { listFiles, parseCsv, tempDir } from './helpers.ts';

// docs/data-layout.md, restated: counts at scale 1.
const SCALE = 0.001;
const n = (count: number): number => Math.max(4, Math.round(count * SCALE));

let out = '';
let files: string[] = [];
beforeAll(async () => {
  out = await tempDir('paper');
  const result = await synthesize({ preset: 'paper', out, seed: 3, scale: SCALE, size: 32 });
  expect(result.ok).toBe(true);
  files = await listFiles(out);
});

const FOLDERS: readonly { dir: string; pattern: RegExp; count: number }[] = [
  { dir: 'cxri/NORMAL', pattern: /^IM-\d{4}-\d{4}\.png$/, count: 1583 },
  { dir: 'cxri/PNEUMONIA', pattern: /^person\d+_bacteria_\d+\.png$/, count: 2780 },
  { dir: 'cxri/PNEUMONIA', pattern: /^person\d+_virus_\d+\.png$/, count: 1493 },
  { dir: 'ccxri/COVID', pattern: /^COVID-\d+\.png$/, count: 3000 },
  { dir: 'ccxri/Normal', pattern: /^Normal-\d+\.png$/, count: 1000 },
  { dir: 'ccxri/Viral Pneumonia', pattern: /^Viral Pneumonia-\d+\.png$/, count: 322 },
  { dir: 'chexpert/normal', pattern: /^patient\d{5}_view\d+_frontal\.png$/, count: 1102 },
  { dir: 'scov/COVID', pattern: /\.png$/, count: 1252 },
  { dir: 'scov/non-COVID', pattern: /\.png$/, count: 1227 },
  { dir: 'mgc/CT_COVID', pattern: /\.png$/, count: 349 },
  { dir: 'mgc/CT_NonCOVID', pattern: /\.png$/, count: 397 },
  { dir: 'ccii/NCP', pattern: /\.png$/, count: 4000 },
  { dir: 'ccii/CP', pattern: /\.png$/, count: 5000 },
  { dir: 'ccii/Normal', pattern: /\.png$/, count: 5000 },
];

// cidc, chestxray8, figure1 and rsna are laid out as published: test/data/synth/published-layout.test.ts.
const MANIFESTS: readonly { path: string; header: string[]; images: string; image: number; label: number; counts: Record<string, number> }[] = [
  { path: 'padchest/labels.csv', header: ['ImageID', 'PatientID', 'label'], images: 'padchest/images', image: 0, label: 2, counts: { 'COVID 19': 515 } },
  { path: 'ictcf/labels.csv', header: ['patient', 'image', 'label'], images: 'ictcf/images', image: 1, label: 2, counts: { positive: 2123, negative: 6219 } },
];
const PUBLISHED_MANIFESTS = ['cidc/metadata.csv', 'chestxray8/Data_Entry_2017.csv', 'figure1/metadata.csv', 'rsna/stage_2_train_labels.csv'];

describe('cvr synth --preset paper: the layout of docs/data-layout.md', () => {
  it.each(FOLDERS)('$dir holds the scaled count of $pattern', ({ dir, pattern, count }) => {
    const inDir = files.filter((f) => f.startsWith(`${dir}/`) && !f.slice(dir.length + 1).includes('/'));
    expect(inDir.filter((f) => pattern.test(f.slice(dir.length + 1)))).toHaveLength(n(count));
  });

  it.each(MANIFESTS)('$path has its header, its labels and counts, and every row names an existing image', async (m) => {
    const rows = parseCsv(await readFile(join(out, m.path), 'utf8'));
    expect(rows[0]).toEqual(m.header);
    const body = rows.slice(1);
    const counts: Record<string, number> = {};
    for (const row of body) counts[row[m.label]!] = (counts[row[m.label]!] ?? 0) + 1;
    expect(counts).toEqual(Object.fromEntries(Object.entries(m.counts).map(([k, v]) => [k, n(v)])));
    const images = new Set(files.filter((f) => f.startsWith(`${m.images}/`)));
    for (const row of body) expect(images.has(`${m.images}/${row[m.image]}`)).toBe(true);
    expect(images.size).toBe(body.length);
  });

  it('writes COVIDx-style headerless lists whose test positives are all ricord and negatives all rsna (spelled rnsa in part of the train list)', async () => {
    const read = async (p: string): Promise<string[][]> => (await readFile(join(out, p), 'utf8')).trim().split('\n').map((l) => l.split(/\s+/));
    const train = await read('covidx/train.txt');
    const test = await read('covidx/test.txt');
    const tally = (rows: string[][]): Record<string, number> => {
      const t: Record<string, number> = {};
      for (const [, , label, source] of rows) t[`${label}:${source}`] = (t[`${label}:${source}`] ?? 0) + 1;
      return t;
    };
    expect(train.every((r) => r.length === 4)).toBe(true);
    expect(tally(train)).toEqual({ 'positive:cohen': n(400), 'positive:actmed': n(200), 'positive:sirm': n(400), 'positive:ricord': n(600), 'negative:rsna': n(7801), 'negative:rnsa': n(199) });
    expect(tally(test)).toEqual({ 'positive:ricord': n(200), 'negative:rsna': n(200) });
    for (const [part, rows] of [['train', train], ['test', test]] as const) {
      for (const row of rows) expect(files).toContain(`covidx/${part}/${row[1]}`);
    }
  });

  it('writes nothing else but synth.json, and records the counts in it', async () => {
    const summary = JSON.parse(await readFile(join(out, 'synth.json'), 'utf8')) as SynthSummary;
    const images = files.filter((f) => /\.(png|dcm|nii\.gz)$/.test(f));
    expect(images).toHaveLength(summary.images);
    expect(summary.counts.reduce((s, c) => s + c.n, 0)).toBe(summary.images);
    const others = files.filter((f) => !images.includes(f)).sort();
    expect(others).toEqual([...MANIFESTS.map((m) => m.path), ...PUBLISHED_MANIFESTS, 'covidx/test.txt', 'covidx/train.txt', 'synth.json'].sort());
  });

  it('gives some patients several images at the default scale', () => {
    const images = planPreset(getPreset('paper'), { seed: 1, scale: 0.02, size: 256 });
    for (const source of ['cxri', 'cidc', 'chestxray8', 'ccii']) {
      const perPatient = new Map<number, number>();
      for (const img of images.filter((i) => i.plan.key === source)) perPatient.set(img.name.patient, (perPatient.get(img.name.patient) ?? 0) + 1);
      const repeated = [...perPatient.values()].filter((k) => k > 1).length;
      expect(repeated, source).toBeGreaterThan(0);
      expect(repeated, source).toBeLessThan(perPatient.size);
    }
  });
});
