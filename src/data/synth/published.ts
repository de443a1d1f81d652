/**
 * Manifest rows in the layouts the public datasets are published in (docs/data-layout.md, "Layout
 * spec"): the COVID-19 image data collection's metadata.csv, ChestX-ray8's Data_Entry_2017.csv
 * and the RSNA Pneumonia challenge's stage_2_train_labels.csv. Every value is a pure function of
 * the image's name numbers, so the same seed writes the same bytes. Clinical values are invented.
 */
import { createHash } from 'node:crypto';
import type { ImageName } from './image-name.ts';

/** The published header of covid-chestxray-dataset's metadata.csv: 29 names and an empty last one. */
export const CIDC_HEADER = [
  'patientid', 'offset', 'sex', 'age', 'finding', 'RT_PCR_positive', 'survival', 'intubated', 'intubation_present',
  'went_icu', 'in_icu', 'needed_supplemental_O2', 'extubated', 'temperature', 'pO2_saturation', 'leukocyte_count',
  'neutrophil_count', 'lymphocyte_count', 'view', 'modality', 'date', 'location', 'folder', 'filename', 'doi', 'url',
  'license', 'clinical_notes', 'other_notes', '',
] as const;

/** ChestX-ray8's header: the two bracketed names hold a comma, so they are two columns each (11 in all). */
export const NIH_HEADER = [
  'Image Index', 'Finding Labels', 'Follow-up #', 'Patient ID', 'Patient Age', 'Patient Gender', 'View Position',
  'OriginalImage[Width', 'Height]', 'OriginalImagePixelSpacing[x', 'y]',
] as const;

export const RSNA_HEADER = ['patientId', 'x', 'y', 'width', 'height', 'Target'] as const;

/** A stable 32-bit number for (key, numbers): FNV-1a. */
function hash(key: string, ...numbers: number[]): number {
  let h = 0x811c9dc5;
  const text = `${key}:${numbers.join(':')}`;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h;
}

function pick<T>(options: readonly T[], key: string, ...numbers: number[]): T {
  return options[hash(key, ...numbers) % options.length] as T;
}

export type CidcKind = 'frontal' | 'lateral' | 'ct' | 'volume' | 'unlabelled';

/** Patient-id offsets per kind, so CT, volume and unlabelled cases are other people than the X-ray ones. */
const PATIENT_BASE: Record<CidcKind, number> = { frontal: 0, lateral: 0, ct: 1000, volume: 2000, unlabelled: 3000 };

/** The patientid of a cidc case: numbers, some with a letter suffix as published (`324a`). */
export function cidcPatient(kind: CidcKind, patient: number): string {
  const id = PATIENT_BASE[kind] + patient;
  return id % 11 === 0 ? `${id}a` : String(id);
}

const LOCATIONS = ['Wuhan, China', 'Milan, Italy', 'Toronto, Ontario, Canada', 'Madrid, Spain', '', 'Seoul, Korea', 'Tehran, Iran', ''];
const LICENSES = ['CC BY 4.0', 'CC BY-NC-SA 4.0', '', 'CC BY-NC-ND 4.0', 'Apache 2.0', ''];
const NOTES = [
  'Chest X-ray shows bilateral, patchy "ground-glass" opacities, more marked in the lower zones.',
  '',
  'Patchy consolidation in the right lower lobe; no pleural effusion.',
  'Follow-up image: progression of the peripheral opacities, both lungs.',
  '',
];
const DATES = ['January 22, 2020', 'February 4, 2020', 'March 18, 2020', '2020', 'April 2, 2020', ''];
const YN = ['Y', 'N', '', '', ''];

/**
 * One metadata.csv row. `finding` is the image's native label (hierarchical, or empty for the
 * unlabelled rows); `filename` is the file name inside `folder` (images/ or volumes/).
 */
export function cidcRow(kind: CidcKind, n: ImageName, filename: string): string[] {
  const p = n.patient;
  const key = `cidc-${kind}`;
  const xray = kind === 'frontal' || kind === 'lateral' || kind === 'unlabelled';
  const view = kind === 'frontal' || kind === 'unlabelled' ? pick(['PA', 'AP', 'AP Supine', 'PA'], key, p, n.view) : kind === 'lateral' ? 'L' : pick(['Axial', 'Axial', 'Coronal'], key, p, n.view);
  const covid = n.native.endsWith('COVID-19');
  const row: Record<(typeof CIDC_HEADER)[number], string> = {
    patientid: cidcPatient(kind, p),
    offset: hash(key, p, n.view) % 7 === 0 ? '' : String((n.view - 1) * 4 + (hash('offset', p) % 6)),
    sex: pick(['M', 'F', 'M', ''], 'sex', PATIENT_BASE[kind] + p),
    age: hash('age', PATIENT_BASE[kind] + p) % 9 === 0 ? '' : String(25 + (hash('age', PATIENT_BASE[kind] + p) % 60)),
    finding: n.native,
    RT_PCR_positive: covid ? pick(['Y', 'Y', 'Y', '', 'Unclear'], key, p) : '',
    survival: pick(YN, 'survival', PATIENT_BASE[kind] + p),
    intubated: pick(YN, 'intubated', PATIENT_BASE[kind] + p),
    intubation_present: pick(YN, 'intubation_present', p, n.view),
    went_icu: pick(YN, 'went_icu', PATIENT_BASE[kind] + p),
    in_icu: pick(YN, 'in_icu', p, n.view),
    needed_supplemental_O2: pick(YN, 'o2', PATIENT_BASE[kind] + p),
    extubated: pick(['N', '', '', ''], 'extubated', PATIENT_BASE[kind] + p),
    temperature: hash('t', p, n.view) % 4 === 0 ? (36.5 + (hash('t', p) % 35) / 10).toFixed(1) : '',
    pO2_saturation: hash('o', p, n.view) % 6 === 0 ? String(85 + (hash('o', p) % 14)) : '',
    leukocyte_count: hash('w', p) % 8 === 0 ? ((hash('w', p) % 120) / 10 + 2).toFixed(1) : '',
    neutrophil_count: '',
    lymphocyte_count: hash('l', p) % 9 === 0 ? ((hash('l', p) % 25) / 10).toFixed(1) : '',
    view,
    modality: xray ? 'X-ray' : 'CT',
    date: pick(DATES, 'date', p, n.view),
    location: pick(LOCATIONS, 'location', PATIENT_BASE[kind] + p),
    folder: kind === 'volume' ? 'volumes' : 'images',
    filename,
    doi: hash('doi', p) % 3 === 0 ? '' : `10.5555/cvr.synth.${PATIENT_BASE[kind] + p}`,
    url: `https://example.org/cvr-synth/case-${PATIENT_BASE[kind] + p}`,
    license: pick(LICENSES, 'license', PATIENT_BASE[kind] + p),
    clinical_notes: pick(NOTES, 'notes', p, n.view),
    other_notes: hash('credit', p) % 5 === 0 ? 'Credit to A. Author, B. Author' : '',
    '': '',
  };
  return CIDC_HEADER.map((h) => row[h]);
}

/** One Data_Entry_2017.csv row. `finding` is the `|`-joined, sorted label list. */
export function nihRow(n: ImageName, imageIndex: string): string[] {
  const p = n.patient;
  const width = 2000 + (hash('w', p, n.view) % 1100);
  const height = 2000 + (hash('h', p, n.view) % 1100);
  const spacing = pick(['0.143', '0.139', '0.168', '0.143'], 'px', p, n.view);
  return [imageIndex, n.native, String(n.view - 1), String(p), String(18 + (hash('age', p) % 70)), pick(['M', 'F'], 'sex', p), pick(['PA', 'PA', 'AP'], 'view', p, n.view), String(width), String(height), spacing, spacing];
}

/** A stable UUID-shaped id, as the RSNA challenge names its patients (and DICOM files). */
export function rsnaPatientId(serial: number): string {
  const hex = createHash('sha256').update(`cvr-synth-rsna:${serial}`).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-${'89ab'[parseInt(hex[16]!, 16) % 4]}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

/** The stage_2_train_labels.csv rows of one image: one per box for Target 1 (1–3 boxes), one empty row for Target 0. */
export function rsnaRows(n: ImageName): string[][] {
  const id = rsnaPatientId(n.serial);
  if (n.native !== '1') return [[id, '', '', '', '', n.native]];
  const boxes = 1 + (hash('boxes', n.serial) % 3);
  return Array.from({ length: boxes }, (_, b) => {
    const x = 150 + (hash('x', n.serial, b) % 500);
    const y = 200 + (hash('y', n.serial, b) % 400);
    return [id, `${x}.0`, `${y}.0`, `${150 + (hash('bw', n.serial, b) % 200)}.0`, `${200 + (hash('bh', n.serial, b) % 300)}.0`, '1'];
  });
}

/** The header of the Figure 1 COVID-19 chest X-ray dataset's metadata.csv: no file-name column. */
export const FIGURE1_HEADER = ['patientid', 'offset', 'sex', 'age', 'finding', 'survival', 'temperature', 'pO2 saturation', 'view', 'modality', 'artifacts/distortion', 'notes'] as const;

/** `COVID-00003a`: the image of a row is `<patientid>.<ext>`; some ids carry a letter, as published. */
export function figure1Id(serial: number): string {
  return `COVID-${String(serial).padStart(5, '0')}${hash('f1', serial) % 6 === 0 ? 'a' : ''}`;
}

/** One Figure 1 metadata.csv row; most clinical fields are empty, as in the published file. */
export function figure1Row(n: ImageName): string[] {
  const s = n.serial;
  const described = hash('f1-described', s) % 3 !== 0;
  const at = (text: string): string => (described ? text : '');
  return [
    figure1Id(s),
    at(String(hash('f1-offset', s) % 14)),
    at(pick(['M', 'F'], 'f1-sex', s)),
    at(pick(['33', '50+', '28', '42', '61'], 'f1-age', s)),
    n.native,
    '',
    at(hash('f1-t', s) % 2 === 0 ? '39.1' : ''),
    at(pick(['58', '90', '91-92', ''], 'f1-o2', s)),
    at(pick(['AP erect', 'PA', 'AP supine'], 'f1-view', s)),
    'X-ray',
    '',
    at(pick(['Post-intubation in the critical care setting', '42 year old patient, two day history of fever, "mild" shortness of breath.', ''], 'f1-notes', s)),
  ];
}
