import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { decodeDicom, volumeReason } from '../../../src/data/dicom/index.ts';
import { getPreset, planPreset, renderImage, synthesize } from '../../../src/data/synth/index.ts';
import { listFiles, parseCsv, tempDir } from './helpers.ts';

// docs/data-layout.md, "Layout spec", restated here from the published files, not from the generator.
const SCALE = 0.001;
const SEED = 5;
const SIZE = 32;
const n = (count: number): number => Math.max(4, Math.round(count * SCALE));

const CIDC_HEADER =
  'patientid,offset,sex,age,finding,RT_PCR_positive,survival,intubated,intubation_present,went_icu,in_icu,needed_supplemental_O2,extubated,temperature,pO2_saturation,leukocyte_count,neutrophil_count,lymphocyte_count,view,modality,date,location,folder,filename,doi,url,license,clinical_notes,other_notes,';
const NIH_HEADER = 'Image Index,Finding Labels,Follow-up #,Patient ID,Patient Age,Patient Gender,View Position,OriginalImage[Width,Height],OriginalImagePixelSpacing[x,y]';
const RSNA_HEADER = 'patientId,x,y,width,height,Target';

let out = '';
let files: string[] = [];
beforeAll(async () => {
  out = await tempDir('published');
  const result = await synthesize({ preset: 'paper', out, seed: SEED, scale: SCALE, size: SIZE, workers: 0 });
  expect(result.ok).toBe(true);
  files = await listFiles(out);
});

async function table(path: string): Promise<{ header: string; rows: Record<string, string>[]; widths: number[] }> {
  const text = await readFile(join(out, path), 'utf8');
  const header = text.slice(0, text.indexOf('\n'));
  const cells = parseCsv(text);
  const names = cells[0]!;
  return { header, widths: cells.map((r) => r.length), rows: cells.slice(1).map((r) => Object.fromEntries(names.map((h, i) => [h, r[i] ?? '']))) };
}

describe('cidc/metadata.csv as the COVID-19 image data collection publishes it', () => {
  it('has the published header (30 columns, the last unnamed) and 30 fields in every row', async () => {
    const t = await table('cidc/metadata.csv');
    expect(t.header).toBe(CIDC_HEADER);
    expect(new Set(t.widths)).toEqual(new Set([30]));
  });

  it('mixes frontal X-rays with lateral views, CT slices, CT volumes and empty findings, in the stated numbers', async () => {
    const { rows } = await table('cidc/metadata.csv');
    const count = (f: (r: Record<string, string>) => boolean): number => rows.filter(f).length;
    const frontal = (r: Record<string, string>): boolean => r.modality === 'X-ray' && ['PA', 'AP', 'AP Supine'].includes(r.view!);
    // What `where modality == "X-ray" and view in ("PA", "AP", "AP Supine")` keeps, then `"" -> drop`.
    expect(count((r) => frontal(r) && r.finding === 'Pneumonia/Viral/COVID-19')).toBe(n(500));
    expect(count((r) => frontal(r) && r.finding === '')).toBe(n(40));
    expect(count((r) => r.modality === 'X-ray' && r.view === 'L')).toBe(n(60));
    expect(count((r) => r.modality === 'CT' && r.folder === 'images')).toBe(n(80));
    expect(count((r) => r.modality === 'CT' && r.folder === 'volumes')).toBe(n(20));
    expect(count((r) => r.modality === 'CT' && !['Axial', 'Coronal'].includes(r.view!))).toBe(0);
    expect(rows.length).toBe(n(500) + n(40) + n(60) + n(80) + n(20));
    // quoted free text with commas, as published
    expect(rows.some((r) => r.location!.includes(','))).toBe(true);
  });

  it('names an existing file in its folder for every row; the volumes are NIfTI and told as volumes', async () => {
    const { rows } = await table('cidc/metadata.csv');
    for (const r of rows) expect(files).toContain(`cidc/${r.folder}/${r.filename}`);
    expect(files.filter((f) => f.startsWith('cidc/')).length).toBe(rows.length + 1); // + metadata.csv
    for (const r of rows.filter((x) => x.folder === 'volumes')) {
      expect(r.filename).toMatch(/\.nii\.gz$/);
      const bytes = await readFile(join(out, 'cidc/volumes', r.filename!));
      expect(volumeReason(r.filename!, bytes)).toMatch(/NIfTI volume/);
    }
  });

  it('gives lateral views to the patients of the frontal views (patient k of each)', async () => {
    const { rows } = await table('cidc/metadata.csv');
    const covidFrontal = rows.filter((r) => r.view !== 'L' && r.modality === 'X-ray' && r.finding !== '');
    const frontal = new Set(covidFrontal.map((r) => r.patientid));
    const lateral = rows.filter((r) => r.view === 'L').map((r) => r.patientid!);
    // the phantom numbers patients from 1 in both lists; where the frontal list has patient k, so does the lateral one
    const shared = lateral.filter((p) => frontal.has(p));
    expect(shared.length).toBe(Math.min(lateral.length, frontal.size));
  });
});

describe('chestxray8/Data_Entry_2017.csv as NIH publishes it', () => {
  it('has the published header and 11 fields a row, with `|`-joined sorted labels', async () => {
    const t = await table('chestxray8/Data_Entry_2017.csv');
    expect(t.header).toBe(NIH_HEADER);
    expect(new Set(t.widths)).toEqual(new Set([11]));
    const labels: Record<string, number> = {};
    for (const r of t.rows) labels[r['Finding Labels']!] = (labels[r['Finding Labels']!] ?? 0) + 1;
    expect(labels).toEqual({ 'No Finding': n(2008), 'Cardiomegaly|Effusion': n(150), Infiltration: n(150), 'Atelectasis|Effusion|Infiltration': n(100), Nodule: n(100) });
    for (const l of Object.keys(labels)) expect(l.split('|')).toEqual([...l.split('|')].sort());
    for (const r of t.rows) {
      expect(['PA', 'AP']).toContain(r['View Position']);
      expect(files).toContain(`chestxray8/images/${r['Image Index']}`);
      // 00000013_005.png: patient 13, follow-up 5
      expect(r['Image Index']).toBe(`${r['Patient ID']!.padStart(8, '0')}_${r['Follow-up #']!.padStart(3, '0')}.png`);
    }
  });
});

describe('figure1/metadata.csv as the Figure 1 collection publishes it', () => {
  it('has no file-name column: each row\'s image is images/<patientid>.png; findings include `No finding` and empty', async () => {
    const t = await table('figure1/metadata.csv');
    expect(t.header).toBe('patientid,offset,sex,age,finding,survival,temperature,pO2 saturation,view,modality,artifacts/distortion,notes');
    expect(new Set(t.widths)).toEqual(new Set([12]));
    const findings: Record<string, number> = {};
    for (const r of t.rows) findings[r.finding!] = (findings[r.finding!] ?? 0) + 1;
    expect(findings).toEqual({ 'COVID-19': n(35), Pneumonia: n(4), 'No finding': n(4), '': n(15) });
    for (const r of t.rows) {
      expect(r.patientid).toMatch(/^COVID-\d{5}a?$/);
      // the template `{patientid}.*`: exactly one file with that stem
      expect(files.filter((f) => f.startsWith(`figure1/images/${r.patientid}.`))).toHaveLength(1);
    }
    expect(files.filter((f) => f.startsWith('figure1/images/'))).toHaveLength(t.rows.length);
  });
});

describe('rsna: the DICOM source, laid out as the RSNA Pneumonia challenge publishes it', () => {
  it('has one row per box for Target 1, one empty-box row for Target 0, and one .dcm per patient', async () => {
    const t = await table('rsna/stage_2_train_labels.csv');
    expect(t.header).toBe(RSNA_HEADER);
    const perPatient = new Map<string, Record<string, string>[]>();
    for (const r of t.rows) perPatient.set(r.patientId!, [...(perPatient.get(r.patientId!) ?? []), r]);
    const targets = [...perPatient.values()].map((rs) => rs[0]!.Target);
    expect(targets.filter((x) => x === '0')).toHaveLength(n(400));
    expect(targets.filter((x) => x === '1')).toHaveLength(n(200));
    for (const rs of perPatient.values()) {
      if (rs[0]!.Target === '0') {
        expect(rs).toHaveLength(1);
        expect([rs[0]!.x, rs[0]!.y, rs[0]!.width, rs[0]!.height]).toEqual(['', '', '', '']);
      } else {
        expect(rs.length).toBeGreaterThanOrEqual(1);
        expect(rs.length).toBeLessThanOrEqual(3);
        for (const r of rs) expect(Number(r.width)).toBeGreaterThan(0);
      }
    }
    expect(t.rows.length).toBeGreaterThan(perPatient.size); // duplicate rows, as published
    const dcm = files.filter((f) => f.startsWith('rsna/stage_2_train_images/'));
    expect(dcm.sort()).toEqual([...perPatient.keys()].map((p) => `rsna/stage_2_train_images/${p}.dcm`).sort());
  });

  it('its DICOM files decode to the rendered phantom: exactly v·257 for the 8- and 16-bit layouts, within 12-bit rounding for MONOCHROME1', async () => {
    const images = planPreset(getPreset('paper'), { seed: SEED, scale: SCALE, size: SIZE }).filter((i) => i.plan.key === 'rsna');
    const layouts = new Set<string>();
    for (const img of images) {
      const rendered = renderImage(img.recipe);
      const decoded = await decodeDicom(await readFile(join(out, img.file)));
      if (!decoded.ok) throw new Error(decoded.message);
      expect([decoded.image.width, decoded.image.height, decoded.image.channels]).toEqual([rendered.width, rendered.height, 1]);
      const worst = Math.max(...Array.from(decoded.image.pixels, (v, i) => Math.abs(v - rendered.pixels[i]! * 257)));
      const mono1 = img.name.serial % 3 === 2;
      layouts.add(mono1 ? 'MONOCHROME1' : 'MONOCHROME2');
      // 12 stored bits: one stored step is 65535/4095 ≈ 16 output levels, half of it from rounding each way
      expect(worst).toBeLessThanOrEqual(mono1 ? 16 : 0);
    }
    expect(layouts).toEqual(new Set(['MONOCHROME1', 'MONOCHROME2']));
  });
});
