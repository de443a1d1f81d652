import type { ArtifactProfile, MarkerArtifact } from './artifacts.ts';
import { NO_ARTIFACTS } from './artifacts.ts';
import type { FindingClass } from './findings/types.ts';
import type { FileFormat } from './formats.ts';
import type { CidcKind } from './published.ts';
import { CIDC_HEADER, cidcPatient, cidcRow, FIGURE1_HEADER, figure1Id, figure1Row, NIH_HEADER, nihRow, RSNA_HEADER, rsnaPatientId, rsnaRows } from './published.ts';
import type { Modality } from './render.ts';

/** How one source looks: its modality and its scanner's artifacts. */
export interface SourceStyle {
  readonly modality: Modality;
  readonly profile: ArtifactProfile;
}

/** What identifies one image when its file name and manifest row are made. */
export type { ImageName } from './image-name.ts';
import type { ImageName } from './image-name.ts';

/** A native label and how many images carry it (at scale 1), drawn as a mix of finding classes. */
export interface LabelPlan {
  readonly native: string;
  readonly count: number;
  readonly mix: readonly (readonly [FindingClass, number])[];
}

/**
 * Where a source's images go. `file` is relative to the output directory. A manifest source
 * also contributes one row per image to `manifest` (several sources may share one file).
 */
export interface SourceLayout {
  readonly file: (n: ImageName) => string;
  /** How the image is written: PNG (default), DICOM, or a gzipped NIfTI volume made from it. */
  readonly format?: FileFormat;
  readonly manifest?: {
    readonly path: string;
    /** Column names, or null for a headerless list. */
    readonly header: readonly string[] | null;
    readonly separator: ',' | ' ';
    readonly row: (n: ImageName, file: string) => readonly string[];
    /** Further rows for the same image, right after its row (e.g. one per bounding box). */
    readonly extraRows?: (n: ImageName, file: string) => readonly (readonly string[])[];
  };
}

export interface SourcePlan {
  /** Random-stream key, unique within the preset. */
  readonly key: string;
  /** The source name a pipeline uses (several plans may share one, e.g. a train and a test list). */
  readonly source: string;
  readonly style: SourceStyle;
  readonly labels: readonly LabelPlan[];
  readonly layout: SourceLayout;
  /** Probabilities of a patient having 1, 2, 3 … images. */
  readonly imagesPerPatient: readonly number[];
  /** Severity range of the findings; a skew towards the low end makes some cases subtle. */
  readonly severity: readonly [number, number];
  /**
   * Radiographs of one patient are separate studies: inspiration, positioning and devices (ECG
   * leads, tubes) differ per image, as in real repeat studies (render.ts `studies`). The paper
   * preset says so; tiny and shortcut keep their images as they were.
   */
  readonly repeatStudies?: boolean;
}

export interface Preset {
  readonly name: PresetName;
  readonly description: string;
  readonly baseSize: number;
  readonly defaultScale: number;
  readonly sources: readonly SourcePlan[];
}

export type PresetName = 'tiny' | 'paper' | 'shortcut';
export const PRESET_NAMES: readonly PresetName[] = ['tiny', 'paper', 'shortcut'];

const pad = (n: number, width: number): string => String(n).padStart(width, '0');

function marker(text: string, corner: MarkerArtifact['corner'], height: number, extra: Partial<MarkerArtifact> = {}): MarkerArtifact {
  return { text, corner, height, value: 1, opacity: 0.95, plate: false, probability: 0.9, ...extra };
}

function style(modality: Modality, profile: Partial<ArtifactProfile>): SourceStyle {
  return { modality, profile: { ...NO_ARTIFACTS, ...profile } };
}

const ONE = [1] as const;
const SOME_REPEAT = [0.7, 0.2, 0.1] as const;
const CT_SLICES = [0.4, 0.35, 0.25] as const;
const DEFAULT_SEVERITY = [0.1, 1] as const;
/** Non-COVID labels of the CT and COVIDx sources cover normals and other pneumonias. */
const NON_COVID_MIX = [['NOR', 0.55], ['OBP', 0.25], ['OVP', 0.2]] as const;
const only = (c: FindingClass): readonly (readonly [FindingClass, number])[] => [[c, 1]];

/**
 * The paper's sources: the looks are invented, but each source differs from the others in the
 * ways real ones do (markers, curves, noise, resolution, borders, size), at moderate strength.
 */
export const PAPER_STYLES = {
  cxri: style('cxr', { marker: marker('R', 'top-left', 0.06), gamma: 1.1, contrast: 1.1, noise: 0.02, blur: 0.002 }),
  cidc: style('cxr', { marker: marker('PORTABLE', 'top-right', 0.035, { probability: 0.6 }), gamma: 0.85, noise: 0.015, resolution: 0.5, border: 0.03, borderValue: 1, size: 0.875 }),
  ccxri: style('cxr', { marker: marker('L', 'top-right', 0.05), contrast: 1.25, brightness: -0.05, resolution: 0.7, border: 0.02, size: 1.17 }),
  padchest: style('cxr', { marker: marker('AP', 'bottom-left', 0.04, { plate: true, value: 0, opacity: 0.9 }), gamma: 1.3, noise: 0.03, collimation: 0.05, size: 1.25 }),
  chestxray8: style('cxr', { gamma: 0.95, noise: 0.01, blur: 0.003 }),
  chexpert: style('cxr', { marker: marker('L', 'top-left', 0.05, { probability: 0.7 }), contrast: 0.9, brightness: 0.05, noise: 0.025, size: 0.75 }),
  scov: style('ct', { fieldOfView: 0.49, contrast: 1.05 }),
  mgc: style('ct', { marker: marker('FIG', 'bottom-right', 0.04, { probability: 0.5 }), resolution: 0.5, border: 0.04, borderValue: 1, size: 0.75 }),
  ccii: style('ct', { fieldOfView: 0.47, contrast: 1.2, noise: 0.02 }),
  ictcf: style('ct', { marker: marker('120KV', 'top-left', 0.035), gamma: 0.8, noise: 0.015 }),
  actmed: style('cxr', { marker: marker('ACT', 'top-left', 0.04), gamma: 1.15, noise: 0.02, size: 0.8 }),
  sirm: style('cxr', { marker: marker('SIRM', 'bottom-right', 0.035), contrast: 1.15, resolution: 0.6, border: 0.02 }),
  ricord: style('cxr', { gamma: 1.2, collimation: 0.04, noise: 0.015 }),
  rsna: style('cxr', { resolution: 0.8, noise: 0.012, contrast: 0.95 }),
} as const satisfies Record<string, SourceStyle>;

function folderSource(
  source: string,
  styleOf: SourceStyle,
  labels: readonly LabelPlan[],
  file: (n: ImageName) => string,
  extra: Partial<SourcePlan> = {},
): SourcePlan {
  return { key: source, source, style: styleOf, labels, layout: { file }, imagesPerPatient: ONE, severity: DEFAULT_SEVERITY, ...extra };
}

function covidxPlans(): SourcePlan[] {
  const plans: SourcePlan[] = [];
  const S = PAPER_STYLES;
  // cohen is the COVIDx name of the CIDC collection: same look
  // `spelled`: the source column as the list writes it (the published lists also say `rnsa`).
  const list = (partition: 'train' | 'test', source: string, styleOf: SourceStyle, positive: number, negative: number, spelled = source): SourcePlan => {
    const labels: LabelPlan[] = [];
    if (positive > 0) labels.push({ native: 'positive', count: positive, mix: only('CVP') });
    if (negative > 0) labels.push({ native: 'negative', count: negative, mix: NON_COVID_MIX });
    const name = (n: ImageName): string => `${spelled}-${partition}-${pad(n.serial, 5)}.png`;
    return {
      key: `covidx-${partition}-${spelled}`,
      source,
      style: styleOf,
      labels,
      imagesPerPatient: ONE,
      severity: DEFAULT_SEVERITY,
      layout: {
        file: (n) => `covidx/${partition}/${name(n)}`,
        manifest: {
          path: `covidx/${partition}.txt`,
          header: null,
          separator: ' ',
          row: (n) => [`${spelled}-${partition}-p${n.patient}`, name(n), n.native, spelled],
        },
      },
    };
  };
  plans.push(list('train', 'cohen', S.cidc, 400, 0));
  plans.push(list('train', 'actmed', S.actmed, 200, 0));
  plans.push(list('train', 'sirm', S.sirm, 400, 0));
  plans.push(list('train', 'ricord', S.ricord, 600, 0));
  // As published: 199 of the train list's RSNA rows spell the source `rnsa`.
  plans.push(list('train', 'rsna', S.rsna, 0, 7801));
  plans.push(list('train', 'rsna', S.rsna, 0, 199, 'rnsa'));
  plans.push(list('test', 'ricord', S.ricord, 200, 0));
  plans.push(list('test', 'rsna', S.rsna, 0, 200));
  return plans;
}

/** The sources of the paper's Table 1, exactly as docs/data-layout.md lays them out. */
function paperSources(): SourcePlan[] {
  return [...paperCxrSources(), ...paperCtSources(), ...covidxPlans(), figure1Plan(), rsnaPlan()].map((p) => ({ ...p, repeatStudies: true }));
}

/** Table 1's chest X-ray sources. */
function paperCxrSources(): SourcePlan[] {
  const S = PAPER_STYLES;
  return [
    folderSource(
      'cxri',
      S.cxri,
      [
        { native: 'NORMAL', count: 1583, mix: only('NOR') },
        { native: 'bacteria', count: 2780, mix: only('OBP') },
        { native: 'virus', count: 1493, mix: only('OVP') },
      ],
      (n) => (n.native === 'NORMAL' ? `cxri/NORMAL/IM-${pad(n.patient, 4)}-${pad(n.view, 4)}.png` : `cxri/PNEUMONIA/person${n.patient}_${n.native}_${n.serial}.png`),
      { imagesPerPatient: SOME_REPEAT },
    ),
    ...cidcPlans(),
    folderSource(
      'ccxri',
      S.ccxri,
      [
        { native: 'COVID', count: 3000, mix: only('CVP') },
        { native: 'Normal', count: 1000, mix: only('NOR') },
        { native: 'Viral Pneumonia', count: 322, mix: only('OVP') },
      ],
      (n) => `ccxri/${n.native}/${n.native}-${n.nth}.png`,
    ),
    {
      key: 'padchest',
      source: 'padchest',
      style: S.padchest,
      labels: [{ native: 'COVID 19', count: 515, mix: only('CVP') }],
      imagesPerPatient: SOME_REPEAT,
      severity: DEFAULT_SEVERITY,
      layout: {
        file: (n) => `padchest/images/${pad(n.patient * 7919, 8)}_${pad(n.view, 2)}.png`,
        manifest: {
          path: 'padchest/labels.csv',
          header: ['ImageID', 'PatientID', 'label'],
          separator: ',',
          row: (n) => [`${pad(n.patient * 7919, 8)}_${pad(n.view, 2)}.png`, `pc${pad(n.patient, 6)}`, n.native],
        },
      },
    },
    {
      key: 'chestxray8',
      source: 'chestxray8',
      style: S.chestxray8,
      labels: [
        { native: 'No Finding', count: 2008, mix: only('NOR') },
        // multi-valued labels, `|`-joined and sorted as published; none maps to a class of the paper
        { native: 'Cardiomegaly|Effusion', count: 150, mix: only('NOR') },
        { native: 'Infiltration', count: 150, mix: only('OBP') },
        { native: 'Atelectasis|Effusion|Infiltration', count: 100, mix: only('OBP') },
        { native: 'Nodule', count: 100, mix: only('NOR') },
      ],
      imagesPerPatient: SOME_REPEAT,
      severity: DEFAULT_SEVERITY,
      layout: {
        file: (n) => `chestxray8/images/${pad(n.patient, 8)}_${pad(n.view - 1, 3)}.png`,
        manifest: {
          path: 'chestxray8/Data_Entry_2017.csv',
          header: NIH_HEADER,
          separator: ',',
          row: (n) => nihRow(n, `${pad(n.patient, 8)}_${pad(n.view - 1, 3)}.png`),
        },
      },
    },
    folderSource('chexpert', S.chexpert, [{ native: 'normal', count: 1102, mix: only('NOR') }], (n) => `chexpert/normal/patient${pad(n.patient, 5)}_view${n.view}_frontal.png`, {
      imagesPerPatient: SOME_REPEAT,
    }),
    folderSource(
      'scov',
      S.scov,
      [
        { native: 'COVID', count: 1252, mix: only('CVP') },
        { native: 'non-COVID', count: 1227, mix: NON_COVID_MIX },
      ],
      (n) => (n.native === 'COVID' ? `scov/COVID/Covid (${n.nth}).png` : `scov/non-COVID/Non-Covid (${n.nth}).png`),
    ),
  ];
}

/** Table 1's CT sources. */
function paperCtSources(): SourcePlan[] {
  const S = PAPER_STYLES;
  return [
    folderSource(
      'mgc',
      S.mgc,
      [
        { native: 'CT_COVID', count: 349, mix: only('CVP') },
        { native: 'CT_NonCOVID', count: 397, mix: NON_COVID_MIX },
      ],
      (n) => `mgc/${n.native}/${n.native === 'CT_COVID' ? 'covid' : 'noncovid'}-${n.patient}-${n.view}.png`,
      { imagesPerPatient: CT_SLICES },
    ),
    folderSource(
      'ccii',
      S.ccii,
      [
        { native: 'NCP', count: 4000, mix: only('CVP') },
        { native: 'CP', count: 5000, mix: [['OBP', 0.5], ['OVP', 0.5]] },
        { native: 'Normal', count: 5000, mix: only('NOR') },
      ],
      (n) => `ccii/${n.native}/${n.patient}_${pad(n.view, 4)}.png`,
      { imagesPerPatient: CT_SLICES },
    ),
    {
      key: 'ictcf',
      source: 'ictcf',
      style: S.ictcf,
      labels: [
        { native: 'positive', count: 2123, mix: only('CVP') },
        { native: 'negative', count: 6219, mix: NON_COVID_MIX },
      ],
      imagesPerPatient: CT_SLICES,
      severity: DEFAULT_SEVERITY,
      layout: {
        file: (n) => `ictcf/images/Patient${n.patient}-${n.view}.png`,
        manifest: {
          path: 'ictcf/labels.csv',
          header: ['patient', 'image', 'label'],
          separator: ',',
          row: (n) => [`Patient ${n.patient}`, `Patient${n.patient}-${n.view}.png`, n.native],
        },
      },
    },
  ];
}

/**
 * The Figure 1 COVID-19 chest X-ray collection as published: metadata.csv without a file-name
 * column (the image is `images/<patientid>.png`; pipelines say `image "{patientid}.*"`),
 * `No finding` with a lower-case f, and many rows with an empty finding.
 */
function figure1Plan(): SourcePlan {
  return {
    key: 'figure1',
    source: 'figure1',
    style: style('cxr', { marker: marker('FIG1', 'top-right', 0.04, { probability: 0.5 }), gamma: 1.05, noise: 0.02, resolution: 0.7 }),
    labels: [
      { native: 'COVID-19', count: 35, mix: only('CVP') },
      { native: 'Pneumonia', count: 4, mix: [['OBP', 0.5], ['OVP', 0.5]] },
      { native: 'No finding', count: 4, mix: only('NOR') },
      { native: '', count: 15, mix: only('CVP') },
    ],
    imagesPerPatient: ONE,
    severity: DEFAULT_SEVERITY,
    layout: {
      file: (n) => `figure1/images/${figure1Id(n.serial)}.png`,
      manifest: { path: 'figure1/metadata.csv', header: FIGURE1_HEADER, separator: ',', row: (n) => figure1Row(n) },
    },
  };
}

/**
 * The COVID-19 image data collection as published: one metadata.csv for X-ray frontal views (the
 * paper's 500 COVID-19 images), lateral views of the same patients, CT slices, CT volumes
 * (`.nii.gz` in volumes/) and rows with an empty finding. A pipeline keeps the frontal X-rays with
 * `where modality == "X-ray" and view in ("PA", "AP", "AP Supine")` and drops `""`.
 */
function cidcPlans(): SourcePlan[] {
  const S = PAPER_STYLES;
  const manifest = (kind: CidcKind, file: (n: ImageName) => string) => ({
    path: 'cidc/metadata.csv',
    header: CIDC_HEADER,
    separator: ',' as const,
    row: (n: ImageName) => cidcRow(kind, n, file(n)),
  });
  const plan = (key: string, kind: CidcKind, styleOf: SourceStyle, labels: readonly LabelPlan[], file: (n: ImageName) => string, extra: Partial<SourcePlan> = {}): SourcePlan => ({
    key,
    source: 'cidc',
    style: styleOf,
    labels,
    imagesPerPatient: SOME_REPEAT,
    severity: DEFAULT_SEVERITY,
    ...extra,
    layout: { file: (n) => `cidc/${kind === 'volume' ? 'volumes' : 'images'}/${file(n)}`, manifest: manifest(kind, file), ...(kind === 'volume' ? { format: 'nifti' as const } : {}) },
  });
  const covid = (count: number): LabelPlan[] => [{ native: 'Pneumonia/Viral/COVID-19', count, mix: only('CVP') }];
  return [
    // the frontal X-rays keep the key and file names of the earlier layout
    plan('cidc', 'frontal', S.cidc, covid(500), (n) => `${n.patient}-${n.view}.png`),
    plan('cidc-lateral', 'lateral', S.cidc, covid(60), (n) => `${n.patient}-${n.view}-L.png`, { imagesPerPatient: ONE }),
    plan('cidc-ct', 'ct', style('ct', { fieldOfView: 0.48, resolution: 0.6 }), covid(80), (n) => `${cidcPatient('ct', n.patient)}-ct-${n.view}.png`, { imagesPerPatient: CT_SLICES }),
    plan('cidc-volumes', 'volume', style('ct', { fieldOfView: 0.48, size: 0.25 }), covid(20), (n) => `coronacases_${pad(n.patient, 3)}.nii.gz`, { imagesPerPatient: ONE }),
    plan('cidc-unlabelled', 'unlabelled', S.cidc, [{ native: '', count: 40, mix: only('NOR') }], (n) => `${cidcPatient('unlabelled', n.patient)}-${n.view}.png`),
  ];
}

/**
 * The DICOM source, laid out as the RSNA Pneumonia Detection Challenge publishes it: one
 * `<patientId>.dcm` per image and stage_2_train_labels.csv with one row per bounding box (so a
 * Target 1 image has one to three rows) and empty box columns for Target 0.
 */
function rsnaPlan(): SourcePlan {
  return {
    key: 'rsna',
    source: 'rsna',
    style: PAPER_STYLES.rsna,
    labels: [
      { native: '0', count: 400, mix: NON_COVID_MIX },
      { native: '1', count: 200, mix: [['OBP', 0.6], ['OVP', 0.4]] },
    ],
    imagesPerPatient: ONE,
    severity: DEFAULT_SEVERITY,
    layout: {
      file: (n) => `rsna/stage_2_train_images/${rsnaPatientId(n.serial)}.dcm`,
      format: 'dicom',
      manifest: {
        path: 'rsna/stage_2_train_labels.csv',
        header: RSNA_HEADER,
        separator: ',',
        row: (n) => rsnaRows(n)[0]!,
        extraRows: (n) => rsnaRows(n).slice(1),
      },
    },
  };
}

const TINY_LABELS: readonly LabelPlan[] = (['NOR', 'OBP', 'OVP', 'CVP'] as const).map((c) => ({ native: c, count: 4, mix: only(c) }));

/** Three small sources with the four leaf classes as native labels: two folders and one manifest. */
function tinySources(): SourcePlan[] {
  return [
    folderSource('alpha', style('cxr', { marker: marker('R', 'top-left', 0.12), gamma: 1.1, noise: 0.02 }), TINY_LABELS, (n) => `alpha/${n.native}/alpha-p${n.patient}-${n.view}.png`, {
      severity: [0.5, 1],
    }),
    folderSource('beta', style('cxr', { contrast: 1.2, blur: 0.01, border: 0.04 }), TINY_LABELS, (n) => `beta/${n.native}/beta-p${n.patient}-${n.view}.png`, {
      imagesPerPatient: [0.5, 0.5],
      severity: [0.5, 1],
    }),
    {
      key: 'gamma',
      source: 'gamma',
      style: style('cxr', { gamma: 0.85, noise: 0.03, collimation: 0.06 }),
      labels: TINY_LABELS,
      imagesPerPatient: ONE,
      severity: [0.5, 1],
      layout: {
        file: (n) => `gamma/images/g${pad(n.serial, 3)}.png`,
        manifest: {
          path: 'gamma/labels.csv',
          header: ['image', 'label', 'patient'],
          separator: ',',
          row: (n) => [`g${pad(n.serial, 3)}.png`, n.native, `gamma-p${n.patient}`],
        },
      },
    },
  ];
}

/**
 * The shortcut demonstration: CVP comes mostly from `marked`, whose images carry a large white
 * label plate and a harsher curve — far easier to see at 64 px than ground glass — while `clean`
 * supplies normals without marks. `external-a` and `external-b` have both classes and no marks.
 */
function shortcutSources(): SourcePlan[] {
  const severity = [0.6, 1] as const;
  const folder = (source: string, styleOf: SourceStyle, labels: readonly LabelPlan[]): SourcePlan =>
    folderSource(source, styleOf, labels, (n) => `${source}/${n.native}/${source}-p${pad(n.patient, 4)}-${n.view}.png`, {
      imagesPerPatient: SOME_REPEAT,
      severity,
    });
  return [
    folder('marked', style('cxr', { marker: marker('X', 'top-left', 0.16, { plate: true, value: 0, opacity: 1, probability: 1 }), gamma: 1.35, contrast: 1.2, noise: 0.03 }), [
      { native: 'CVP', count: 180, mix: only('CVP') },
      { native: 'NOR', count: 20, mix: only('NOR') },
    ]),
    folder('clean', style('cxr', { noise: 0.01 }), [{ native: 'NOR', count: 200, mix: only('NOR') }]),
    folder('mixed', style('cxr', { gamma: 0.95, noise: 0.015, blur: 0.004 }), [
      { native: 'NOR', count: 100, mix: only('NOR') },
      { native: 'CVP', count: 100, mix: only('CVP') },
    ]),
    folder('external-a', style('cxr', { contrast: 1.05, noise: 0.015 }), [
      { native: 'NOR', count: 60, mix: only('NOR') },
      { native: 'CVP', count: 60, mix: only('CVP') },
    ]),
    folder('external-b', style('cxr', { gamma: 1.1, noise: 0.02, collimation: 0.04 }), [
      { native: 'NOR', count: 60, mix: only('NOR') },
      { native: 'CVP', count: 60, mix: only('CVP') },
    ]),
  ];
}

export function getPreset(name: PresetName): Preset {
  switch (name) {
    case 'tiny':
      return { name, description: '48 images of 64×64 over 3 sources (2 folders, 1 manifest)', baseSize: 64, defaultScale: 1, sources: tinySources() };
    case 'paper':
      return { name, description: "the paper's Table 1 sources in the layout of docs/data-layout.md", baseSize: 256, defaultScale: 0.02, sources: paperSources() };
    case 'shortcut':
      return { name, description: 'one strongly marked source for CVP, unmarked external test sources', baseSize: 64, defaultScale: 1, sources: shortcutSources() };
    default: {
      const never: never = name;
      throw new Error(`internal error: unknown preset ${String(never)}`);
    }
  }
}
