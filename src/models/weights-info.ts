/**
 * `cvr weights info FILE`: what a weight file holds (layers, shapes, parameters) and which model
 * of the registry it fits, at which width. The width, channels and class count are read off the
 * file (the first convolution's filters, its input channels, the classifier's units); the model is
 * then built at those settings (zero-initialised: no random draws) and matched layer by layer,
 * exactly as a load would.
 */
import type { Diagnostic } from '../diag/index.ts';
import { MODEL_NAMES, MODELS, buildModel, type ModelName } from './registry.ts';
import { matchWeights, readWeightsFiles, type FileLayer, type WeightsFile } from './weights.ts';

export interface WeightsFit {
  readonly model: ModelName;
  readonly width: number;
  readonly channels: number;
  readonly classes: number;
  /** Layers of the model the file fills, and those it leaves at their initialisation (a top, CVR-Net's heads…). */
  readonly loaded: number;
  readonly untouched: readonly string[];
  /** The file is one branch of this model (ResNet-50, Xception → CVR-Net), not the whole model. */
  readonly branchOf?: ModelName;
}

export interface WeightsInfo {
  readonly files: readonly { readonly path: string; readonly format: WeightsFile['format']; readonly backend?: string; readonly kerasVersion?: string }[];
  readonly layers: readonly { readonly name: string; readonly weights: readonly { readonly name: string; readonly shape: readonly number[] }[]; readonly parameters: number }[];
  readonly parameters: number;
  readonly fits: readonly WeightsFit[];
  /** The closest model when nothing fits: how many layers matched, and the first mismatches. */
  readonly closest?: { readonly model: ModelName; readonly width: number; readonly matched: number; readonly differing: readonly string[] };
}

export type WeightsInfoResult = { readonly ok: true; readonly info: WeightsInfo } | { readonly ok: false; readonly diagnostics: readonly Diagnostic[] };

/** The first convolution of each model and its filters at width 1: how the width is read off a file. */
const PROBE: Readonly<Record<ModelName, { layer: string | ((layers: readonly FileLayer[]) => FileLayer | undefined); filters: number; top: string }>> = {
  cvrnet: { layer: 'conv1_conv', filters: 64, top: 'p1_softmax' },
  resnet50: { layer: 'conv1_conv', filters: 64, top: 'predictions' },
  xception: { layer: 'block1_conv1', filters: 32, top: 'predictions' },
  vgg19: { layer: 'block1_conv1', filters: 64, top: 'predictions' },
  // Every conv of Inception-v3 has an automatic name: the lowest-numbered one is the first.
  inceptionv3: { layer: firstAuto('conv2d'), filters: 32, top: 'predictions' },
  densenet121: { layer: 'conv1_conv', filters: 64, top: 'predictions' },
  efficientnetb0: { layer: 'stem_conv', filters: 32, top: 'predictions' },
};

const BRANCHES: Readonly<Partial<Record<ModelName, ModelName>>> = { resnet50: 'cvrnet', xception: 'cvrnet' };

const COMMON_WIDTHS = [0.0625, 0.125, 0.1875, 0.25, 0.375, 0.5, 0.625, 0.75, 0.875, 1, 1.25, 1.5, 2, 3, 4];

export async function weightsInfo(path: string): Promise<WeightsInfoResult> {
  const read = await readWeightsFiles(path, '');
  if (!read.ok) return read;
  const layers = read.files.flatMap((f) => f.layers);
  const described = layers.map((l) => {
    const weights = [...l.weights].map(([name, w]) => ({ name, shape: w.shape }));
    return { name: l.name, weights, parameters: [...l.weights.values()].reduce((n, w) => n + w.data.length, 0) };
  });
  const fits: WeightsFit[] = [];
  let closest: WeightsInfo['closest'];
  for (const name of MODEL_NAMES) {
    const probe = PROBE[name];
    const first = typeof probe.layer === 'string' ? layers.find((l) => l.name === probe.layer) : probe.layer(layers);
    const kernel = first?.weights.get('kernel')?.shape;
    if (kernel === undefined || kernel.length !== 4) continue;
    const channels = kernel[2] as number;
    const out = kernel[3] as number;
    const classes = layers.find((l) => l.name === probe.top)?.weights.get('kernel')?.shape[1] ?? 2;
    for (const width of widthsFor(out, probe.filters)) {
      const size = inputSize(name, layers, width);
      const built = buildModel(name, { size, channels, classes, width, seed: 0, nodeKey: 'info', init: 'zeros' });
      if (!built.ok) continue;
      const match = matchWeights(built.model, read.files);
      const branchOf = BRANCHES[name];
      if (match.ok) {
        fits.push({ model: name, width, channels, classes, loaded: match.assignments.length, untouched: match.untouched, ...(branchOf !== undefined && { branchOf }) });
        built.model.dispose();
        break;
      }
      if (closest === undefined || match.matched > closest.matched) {
        closest = { model: name, width, matched: match.matched, differing: match.mismatches.slice(0, 5).map((m) => `${m.layer}: ${m.inFile} in the file, ${m.inModel} in the model`) };
      }
      built.model.dispose();
    }
  }
  // A ResNet-50 or Xception file also fills that branch of CVR-Net: say so once, on the branch.
  const shown = fits.some((f) => f.branchOf === 'cvrnet') ? fits.filter((f) => f.model !== 'cvrnet') : fits;
  return {
    ok: true,
    info: {
      files: read.files.map((f) => ({ path: f.path, format: f.format, ...(f.backend !== undefined && { backend: f.backend }), ...(f.kerasVersion !== undefined && { kerasVersion: f.kerasVersion }) })),
      layers: described,
      parameters: described.reduce((n, l) => n + l.parameters, 0),
      fits: shown,
      ...(fits.length === 0 && closest !== undefined && { closest }),
    },
  };
}

/** Widths whose channel count (`max(1, round(filters × w))`) gives `out`, the exact ratio first. */
function widthsFor(out: number, filters: number): number[] {
  const exact = out / filters;
  const ch = (w: number): number => Math.max(1, Math.round(filters * w));
  const all = [exact, ...COMMON_WIDTHS.filter((w) => ch(w) === out)].filter((w) => w > 0 && w <= 4);
  return [...new Set(all)];
}

/** VGG-19's top flattens the last map: its fc1 fixes the input size. Every other model takes its smallest. */
function inputSize(name: ModelName, layers: readonly FileLayer[], width: number): number {
  const fc1 = layers.find((l) => l.name === 'fc1')?.weights.get('kernel')?.shape[0];
  if (name === 'vgg19' && fc1 !== undefined) {
    const side = Math.sqrt(fc1 / Math.max(1, Math.round(512 * width)));
    if (Number.isInteger(side)) return Math.max(MODELS.vgg19.minSize, side * 32);
  }
  return MODELS[name].minSize;
}

function firstAuto(prefix: string): (layers: readonly FileLayer[]) => FileLayer | undefined {
  const re = new RegExp(`^${prefix}(?:_(\\d+))?$`);
  return (layers) => {
    let best: FileLayer | undefined;
    let bestN = Infinity;
    for (const l of layers) {
      const m = re.exec(l.name);
      if (m === null) continue;
      const n = m[1] === undefined ? 0 : Number(m[1]);
      if (n < bestN) {
        best = l;
        bestN = n;
      }
    }
    return best;
  };
}
