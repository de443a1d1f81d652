/**
 * Constructed image sets whose answer is known, for the probes. 32 × 32 grey noise (a seeded
 * generator of the test's own); a planted signature marks the CVP images:
 * - `corner`: a white 6 × 6 square in the top-left corner, far outside the lung field;
 * - `lungs`: a white 4 × 7 patch inside the left lung ellipse of the default lung field.
 * With `sources`, the images are split over sources a and b (each with both classes); `offset`
 * brightens source b's pixels, so the sources differ in pixels exactly when it is non-zero.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';

export const SIZE = 32;

/** Park–Miller minimal standard generator: the test's own, independent of cvr's streams. */
export function lcg(seed: number): () => number {
  let s = seed % 2147483647 || 1;
  return () => (s = (s * 48271) % 2147483647) / 2147483647;
}

export type Plant = 'corner' | 'lungs' | 'none';

export function pixelsOf(plant: Plant, positive: boolean, next: () => number, offset = 0): Buffer {
  const px = Buffer.alloc(SIZE * SIZE);
  for (let i = 0; i < px.length; i++) px[i] = Math.min(255, 100 + Math.floor(next() * 40) + offset);
  if (positive && plant !== 'none') {
    const [x0, y0, w, h] = plant === 'corner' ? [0, 0, 6, 6] : [7, 11, 4, 7];
    for (let y = y0; y < y0 + h; y++) for (let x = x0; x < x0 + w; x++) px[y * SIZE + x] = 255;
  }
  return px;
}

export async function writePlanted(dir: string, plant: Plant, perClass: number, options: { sources?: boolean; offset?: number; seed?: number } = {}): Promise<void> {
  const next = lcg(options.seed ?? 11);
  for (const [label, positive] of [['normal', false], ['covid', true]] as const) {
    for (let i = 0; i < perClass; i++) {
      const source = options.sources === true && i % 2 === 1 ? 'b' : 'a';
      const folder = join(dir, 'data', source, label);
      mkdirSync(folder, { recursive: true });
      const px = pixelsOf(plant, positive, next, source === 'b' ? (options.offset ?? 0) : 0);
      await sharp(px, { raw: { width: SIZE, height: SIZE, channels: 1 } }).png().toFile(join(folder, `p${i}_img${i}.png`));
    }
  }
}

// 10 epochs: at 6 (lr 1e-3) the masked models were still learning on some seeds (the corner
// plant's periphery_only scored 0.8 at seeds 4 and 5, 1.0 at 1–3); at 10 it scored 1.0 at seeds
// 2, 4 and 5, with periphery_only on the lungs plant 0.25–0.6. A higher rate (3e-3) was unstable:
// the corner's periphery_only ended at 0.4 on seed 2 with 60 images a class.
export function plantedPipeline(probes: string, options: { sources?: boolean; epochs?: number; lr?: string } = {}): string {
  const sources = options.sources === true
    ? `source a { folder "data/a" map { "normal" -> NCV, "covid" -> CVP } }
  source b { folder "data/b" map { "normal" -> NCV, "covid" -> CVP } }`
    : `source a { folder "data/a" map { "normal" -> NCV, "covid" -> CVP } }`;
  return `pipeline planted {
  seed 5
  classes covid
  ${sources}
  task NCV vs CVP
  split holdout { test 25% stratified }
  image { size ${SIZE} x ${SIZE} channels 1 }
  model cvrnet { width 0.0625  bn_momentum 0.8 }
  train {
    batch 8
    epochs ${options.epochs ?? 10}
    optimizer adam lr ${options.lr ?? '1e-3'}
  }
  evaluate { metrics accuracy }
  probes { ${probes} }
}
`;
}
