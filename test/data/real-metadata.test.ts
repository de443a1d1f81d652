/**
 * Real public metadata (test/fixtures/real-metadata, see NOTES.md): pipelines using `where`,
 * regex keys, `other`, `split "|"`, `alias` and templates, audited with --metadata-only over
 * folders of empty placeholder files the test makes from the CSV. Every expected count is
 * computed here by a plain reading of the file (a small quote-aware splitter and JavaScript
 * regexes), never taken from cvr's output; the ledger of each source adds up to what was read.
 */
import { copyFile, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadPipelines } from '../../src/dsl/index.ts';
import { auditPipeline } from '../../src/plan/audit-pipeline.ts';
import type { SourceLedger } from '../../src/data/ledger.ts';
import { pipelineLock } from '../../src/plan/lock.ts';
import { auditDocument } from '../../src/plan/audit-json.ts';
import { tempDir } from './files.ts';
import { plainCsv } from './plain-csv.ts';

const FIXTURES = fileURLToPath(new URL('../fixtures/real-metadata/', import.meta.url));

function records(file: string): Record<string, string>[] {
  const [header, ...rows] = plainCsv(readFileSync(join(FIXTURES, file), 'utf8'));
  return rows.map((r) => Object.fromEntries(header!.map((h, i) => [h, (r[i] ?? '').trim()])));
}

function line(ledger: readonly SourceLedger[] | undefined, source: string, name: string): number {
  return ledger?.find((s) => s.source === source)?.lines.find((l) => l.line === name)?.count ?? 0;
}

function addsUp(ledger: readonly SourceLedger[] | undefined): void {
  expect(ledger).toBeDefined();
  for (const s of ledger!) expect(s.lines.reduce((n, l) => n + l.count, 0), s.source).toBe(s.read);
}

async function audit(dir: string, text: string) {
  const file = join(dir, 'p.cvr');
  await writeFile(file, text);
  const loaded = await loadPipelines([file]);
  expect(loaded.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  return auditPipeline(loaded.pipelines[0]!, { metadataOnly: true });
}

const HEAD = (task: string, split = 'split holdout { test 20% }') => `pipeline p {\n  seed 7\n  task ${task}\n  ${split}\n  model cvrnet\n`;

let root: string;
beforeAll(async () => {
  root = await tempDir('cvr-real-');
});

describe('COVID-19 image data collection (cidc) metadata.csv', () => {
  it('where on modality and view, hierarchical regex keys, "" and other: counts equal a plain reading', async () => {
    const dir = join(root, 'cidc');
    await mkdir(dir, { recursive: true });
    await copyFile(join(FIXTURES, 'cidc-metadata.excerpt.csv'), join(dir, 'metadata.csv'));
    const result = await audit(
      dir,
      `${HEAD('NOR vs OBP vs OVP vs CVP')}  source cidc {
    manifest "metadata.csv" {
      image "filename"
      label "finding"
      patient "patientid"
      root "images"
      where modality == "X-ray" and view in ("PA", "AP", "AP Supine")
    }
    map {
      /COVID-19/ -> CVP
      /^Pneumonia\\/Bacterial/ -> OBP
      /^Pneumonia\\/Viral/ -> OVP
      "No Finding" -> NOR
      "" -> drop
      other -> drop
    }
  }
}
`,
    );
    const rows = records('cidc-metadata.excerpt.csv');
    const kept = rows.filter((r) => r['modality'] === 'X-ray' && ['PA', 'AP', 'AP Supine'].includes(r['view']!));
    const classOf = (f: string): string | null =>
      /COVID-19/.test(f) ? 'CVP' : /^Pneumonia\/Bacterial/.test(f) ? 'OBP' : /^Pneumonia\/Viral/.test(f) ? 'OVP' : f === 'No Finding' ? 'NOR' : null;
    const used = kept.filter((r) => classOf(r['finding']!) !== null);
    // The excerpt holds real CT rows (one of them a NIfTI volume) and real lateral views.
    const ct = rows.filter((r) => r['modality'] === 'CT');
    const lateral = rows.filter((r) => r['modality'] === 'X-ray' && r['view'] === 'L');
    expect(ct.length).toBeGreaterThanOrEqual(5);
    expect(lateral.length).toBeGreaterThanOrEqual(3);
    expect(rows.length - kept.length).toBe(ct.length + lateral.length);
    expect(result.ledger?.[0]?.read).toBe(rows.length);
    expect(line(result.ledger, 'cidc', 'filtered')).toBe(rows.length - kept.length);
    expect(line(result.ledger, 'cidc', 'used')).toBe(used.length);
    expect(line(result.ledger, 'cidc', 'dropped')).toBe(kept.length - used.length);
    const perClass = (c: string) => result.labels!.images.filter((i) => i.taskClass === c).length;
    for (const c of ['CVP', 'OVP', 'OBP', 'NOR']) expect(perClass(c), c).toBe(used.filter((r) => classOf(r['finding']!) === c).length);
    addsUp(result.ledger);
    // The same ledger in `cvr audit --format json` (key `ledger`) and in the lock file.
    expect(auditDocument(result, [], true).ledger).toEqual(result.ledger);
    expect(pipelineLock(result)?.ledger).toEqual(result.ledger);
  });
});

describe('cidc without the filter', () => {
  it('CT slices count as images, the NIfTI volume is `not an image`: nothing is lost', async () => {
    const dir = join(root, 'cidc-unfiltered');
    await mkdir(dir, { recursive: true });
    await copyFile(join(FIXTURES, 'cidc-metadata.excerpt.csv'), join(dir, 'metadata.csv'));
    const result = await audit(
      dir,
      `${HEAD('NOR vs CVP')}  source cidc {
    manifest "metadata.csv" { image "filename"  label "finding"  patient "patientid"  root "images" }
    map { /COVID-19/ -> CVP, "No Finding" -> NOR, other -> drop }
  }
}
`,
    );
    const rows = records('cidc-metadata.excerpt.csv');
    const volumes = rows.filter((r) => /\.nii(\.gz)?$/.test(r['filename']!));
    const images = rows.filter((r) => !volumes.includes(r));
    const distinct = new Set(images.map((r) => r['filename']));
    const mapped = [...distinct].filter((f) => {
      const finding = images.find((r) => r['filename'] === f)!['finding']!;
      return /COVID-19/.test(finding) || finding === 'No Finding';
    });
    expect(volumes.length).toBe(1);
    expect(result.ledger?.[0]?.read).toBe(rows.length);
    expect(line(result.ledger, 'cidc', 'not an image')).toBe(volumes.length);
    expect(line(result.ledger, 'cidc', 'duplicate row')).toBe(images.length - distinct.size);
    expect(line(result.ledger, 'cidc', 'used')).toBe(mapped.length);
    expect(line(result.ledger, 'cidc', 'dropped')).toBe(distinct.size - mapped.length);
    expect(result.diagnostics.map((d) => d.code)).toContain('CVR526');
    addsUp(result.ledger);
  });
});

describe('ChestX-ray8 Data_Entry_2017.csv', () => {
  it('a multi-valued label split on "|", a quoted column name in where, other -> drop', async () => {
    const dir = join(root, 'nih');
    await mkdir(dir, { recursive: true });
    await copyFile(join(FIXTURES, 'Data_Entry_2017.excerpt.csv'), join(dir, 'Data_Entry_2017.csv'));
    const result = await audit(
      dir,
      `${HEAD('NOR vs NCP')}  source nih {
    manifest "Data_Entry_2017.csv" {
      image "Image Index"
      label "Finding Labels" split "|"
      patient "Patient ID"
      root "images"
      where "View Position" != "AP"
    }
    map { "No Finding" -> NOR, "Pneumonia" -> NCP, other -> drop }
  }
}
`,
    );
    const rows = records('Data_Entry_2017.excerpt.csv');
    const kept = rows.filter((r) => r['View Position'] !== 'AP');
    const classOf = (labels: string): string | null => {
      const values = labels.split('|').map((v) => v.trim());
      return values.includes('Pneumonia') ? 'NCP' : values.includes('No Finding') ? 'NOR' : null;
    };
    expect(result.ledger?.[0]?.read).toBe(rows.length);
    expect(line(result.ledger, 'nih', 'filtered')).toBe(rows.length - kept.length);
    expect(result.labels!.images.filter((i) => i.taskClass === 'NOR').length).toBe(kept.filter((r) => classOf(r['Finding Labels']!) === 'NOR').length);
    expect(result.labels!.images.filter((i) => i.taskClass === 'NCP').length).toBe(kept.filter((r) => classOf(r['Finding Labels']!) === 'NCP').length);
    expect(line(result.ledger, 'nih', 'dropped')).toBe(kept.filter((r) => classOf(r['Finding Labels']!) === null).length);
    addsUp(result.ledger);
  });
});

describe('Figure 1 COVID-19 chest X-ray dataset metadata.csv', () => {
  it('image "{patientid}.*" resolves from a folder listing; rows with no file are missing files', async () => {
    const dir = join(root, 'figure1');
    await mkdir(join(dir, 'images'), { recursive: true });
    await copyFile(join(FIXTURES, 'figure1-metadata.csv'), join(dir, 'metadata.csv'));
    const rows = records('figure1-metadata.csv');
    // Placeholder files: every fifth row has none; the others alternate .jpg and .png.
    const withFile = rows.filter((_, i) => i % 5 !== 0);
    await Promise.all(rows.map((r, i) => (i % 5 === 0 ? undefined : writeFile(join(dir, 'images', `${r['patientid']}.${i % 2 === 0 ? 'jpg' : 'png'}`), ''))));
    await writeFile(join(dir, 'images', 'README.txt'), 'not listed');
    const result = await audit(
      dir,
      `${HEAD('NOR vs NCP vs CVP')}  source figure1 {
    manifest "metadata.csv" {
      image "{patientid}.*"
      label "finding"
      patient "patientid"
      root "images"
    }
    map { "COVID-19" -> CVP, "Pneumonia" -> NCP, "No finding" -> NOR, "" -> drop }
  }
}
`,
    );
    const classOf: Record<string, string> = { 'COVID-19': 'CVP', Pneumonia: 'NCP', 'No finding': 'NOR' };
    expect(result.ledger?.[0]?.read).toBe(rows.length);
    expect(line(result.ledger, 'figure1', 'missing file')).toBe(rows.length - withFile.length);
    expect(line(result.ledger, 'figure1', 'used')).toBe(withFile.filter((r) => classOf[r['finding']!] !== undefined).length);
    expect(line(result.ledger, 'figure1', 'dropped')).toBe(withFile.filter((r) => r['finding'] === '').length);
    expect(result.diagnostics.map((d) => d.code)).toContain('CVR529');
    expect(result.labels!.images.every((i) => /\.(jpg|png)$/.test(i.id))).toBe(true);
    addsUp(result.ledger);
  });
});

describe('COVIDx label lists (COVID-Net train/test_COVIDx9B)', () => {
  it('alias { "rnsa" -> rsna } merges the published misspelling into one source', async () => {
    const dir = join(root, 'covidx');
    await mkdir(dir, { recursive: true });
    await copyFile(join(FIXTURES, 'train_COVIDx9B.excerpt.txt'), join(dir, 'train.txt'));
    await copyFile(join(FIXTURES, 'test_COVIDx9B.excerpt.txt'), join(dir, 'test.txt'));
    const result = await audit(
      dir,
      `${HEAD('NCV vs CVP', 'split given')}  sources from manifest "train.txt" {
    columns patient image label source
    delimiter whitespace
    alias { "rnsa" -> rsna }
    root "train"
    partition train
    map { "positive" -> CVP, "negative" -> NCV }
  }
  sources from manifest "test.txt" {
    columns patient image label source
    delimiter whitespace
    root "test"
    partition test
    map { "positive" -> CVP, "negative" -> NCV }
  }
}
`,
    );
    const lines = (f: string) => readFileSync(join(FIXTURES, f), 'utf8').split('\n').filter((l) => l.trim() !== '').map((l) => l.trim().split(/\s+/));
    const train = lines('train_COVIDx9B.excerpt.txt').map(([, image, label, source]) => ({ image: `train/${image}`, label, source: source === 'rnsa' ? 'rsna' : source }));
    const test = lines('test_COVIDx9B.excerpt.txt').map(([, image, label, source]) => ({ image: `test/${image}`, label, source }));
    const all = [...train, ...test];
    const names = [...new Set(all.map((r) => r.source ?? ''))].sort();
    expect(result.pipeline.sources.map((s) => s.name).sort()).toEqual(names);
    expect(names).not.toContain('rnsa');
    for (const name of names) {
      const mine = all.filter((r) => r.source === name);
      const distinct = new Set(mine.map((r) => r.image)).size;
      expect(result.ledger?.find((s) => s.source === name)?.read, name).toBe(mine.length);
      expect(line(result.ledger, name, 'duplicate row'), name).toBe(mine.length - distinct);
      expect(line(result.ledger, name, 'used'), name).toBe(distinct);
    }
    addsUp(result.ledger);
  });
});
