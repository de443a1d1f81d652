/**
 * The project's own pipelines/*.cvr, audited (metadata only) on a small data tree laid out as
 * docs/data-layout.md says — the done-when designs of the audit issue.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cp, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { main } from '../../src/cli/main.ts';
import { tempDir, writeTree } from '../data/files.ts';

let root: string;

async function auditJson(file: string, pipeline: string) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(['audit', file, '--pipeline', pipeline, '--metadata-only', '--format', 'json'], {
    stdout: (t) => out.push(t),
    stderr: (t) => err.push(t),
    isTty: false,
    cwd: root,
    env: {},
  });
  expect(err.join('')).toBe('');
  return { code, doc: JSON.parse(out.join('')) };
}

const range = (n: number) => Array.from({ length: n }, (_, i) => i);

beforeAll(async () => {
  root = await tempDir('cvr-paper-');
  await cp(join(import.meta.dirname, '../../pipelines'), join(root, 'pipelines'), { recursive: true });
  const files: Record<string, string> = {};
  for (const i of range(16)) files[`data/cxri/NORMAL/IM-${i}.png`] = '';
  for (const i of range(20)) files[`data/cxri/PNEUMONIA/person${i}_bacteria_${i}.png`] = '';
  for (const i of range(10)) files[`data/cxri/PNEUMONIA/person${100 + i}_virus_${i}.png`] = '';
  // As published: modality and view columns; a CT row and a lateral view that the pipeline's `where` filters out.
  files['data/cidc/metadata.csv'] = `patientid,filename,finding,view,modality\n${range(10).map((i) => `${i},c${i}.png,Pneumonia/Viral/COVID-19,PA,X-ray`).join('\n')}\n10,ct.png,Pneumonia/Viral/COVID-19,Axial,CT\n11,lat.png,Pneumonia/Viral/COVID-19,L,X-ray\n`;
  for (const i of range(12)) files[`data/ccxri/COVID/COVID-${i}.png`] = '';
  for (const i of range(3)) files[`data/ccxri/Normal/Normal-${i}.png`] = '';
  files['data/padchest/labels.csv'] = `ImageID,PatientID,label\n${range(8).map((i) => `p${i}.png,P${i},COVID 19`).join('\n')}\n`;
  files['data/chestxray8/Data_Entry_2017.csv'] = `Image Index,Finding Labels,Patient ID\n${range(14).map((i) => `x${i}.png,No Finding,${i}`).join('\n')}\n`;
  for (const i of range(9)) files[`data/chexpert/normal/patient${i}_view1_frontal.png`] = '';
  files['data/covidx/train.txt'] = [
    ...range(4).map((i) => `c${i} c${i}.png positive cohen`),
    ...range(6).map((i) => `r${i} r${i}.png positive ricord`),
    ...range(20).map((i) => `n${i} n${i}.png negative rsna`),
  ].join('\n');
  files['data/covidx/test.txt'] = [...range(5).map((i) => `rt${i} rt${i}.png positive ricord`), ...range(5).map((i) => `nt${i} nt${i}.png negative rsna`)].join('\n');
  await writeTree(root, files);
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('the paper\'s pipelines', () => {
  it('CXR-Single-CL2 audits to a source-only baseline of 1.0 with a confounding finding', async () => {
    const { code, doc } = await auditJson('pipelines/cxr.cvr', 'cxr_single_cl2');
    expect(code).toBe(0);
    expect(doc.sourceOnlyBaseline).toBe(1);
    expect(doc.baselineFolds).toHaveLength(5);
    expect(doc.cramersV).toBeCloseTo(1, 12);
    const confounding = doc.findings.find((f: { code: string }) => f.code === 'CVR601');
    expect(confounding.severity).toBe('warning');
    expect(confounding.line).toBeGreaterThan(0);
  });

  it('CXR-Independent-CL2 reports the training prior for its unseen test sources and independent: true', async () => {
    const { code, doc } = await auditJson('pipelines/cxr.cvr', 'cxr_independent_cl2');
    expect(code).toBe(0);
    expect(doc.independent).toBe(true);
    const [fold] = doc.baselineFolds;
    // Training: cxri 46 + chexpert 9 NCV; ccxri 12 + padchest 8 CVP → prior NCV (55 of 75).
    expect(fold.trainingPrior).toEqual({ class: 'NCV', fraction: 55 / 75 });
    expect(fold.rule).toEqual({ chestxray8: { class: 'NCV', from: 'prior' }, cidc: { class: 'NCV', from: 'prior' } });
    expect(doc.sourceOnlyBaseline).toBeCloseTo(14 / 24, 12);
  });

  it('the COVIDx-style official split is flagged as not independent', async () => {
    const { code, doc } = await auditJson('pipelines/covidx.cvr', 'covidx_given');
    expect(code).toBe(0);
    expect(doc.independent).toBe(false);
    expect(doc.sourceOnlyBaseline).toBe(1);
    expect(doc.findings.map((f: { code: string }) => f.code)).toEqual(expect.arrayContaining(['CVR601', 'CVR610']));
  });
});

describe('the authors\' protocol', () => {
  it('`validation test` fails the audit with CVR640', async () => {
    await writeTree(root, {
      'pipelines/validation-test.cvr': `import "common.cvr"
pipeline authors_validation {
  seed 1
  classes covid
  source cxri
  source cidc
  task NCV vs CVP
  split kfold 5 { validation test }
  model cvrnet { weights none }
}
`,
    });
    const { code, doc } = await auditJson('pipelines/validation-test.cvr', 'authors_validation');
    expect(code).toBe(1);
    const error = doc.findings.filter((f: { severity: string }) => f.severity === 'error');
    expect(error.map((f: { code: string; line: number }) => [f.code, f.line])).toEqual([['CVR640', 8]]);
  });
});
