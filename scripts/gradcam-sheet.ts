/**
 * `npx tsx scripts/gradcam-sheet.ts OUT.png RUN_DIR…`: one row per run folder, the GradCAM
 * overlays of its top-ranked image for the whole model and each CVR-Net head, enlarged 3×, for
 * the README.
 */
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';

const TARGETS = ['model', 'p1', 'p2', 'p3_resnet', 'p3_xception', 'p4', 'p5'];
const SCALE = 3;
const GAP = 4;

const [out, ...runs] = process.argv.slice(2);
if (out === undefined || runs.length === 0) {
  process.stderr.write('usage: tsx scripts/gradcam-sheet.ts OUT.png RUN_DIR…\n');
  process.exit(2);
}
const tiles: { input: Buffer; top: number; left: number }[] = [];
let side = 0;
for (const [row, run] of runs.entries()) {
  for (const [col, target] of TARGETS.entries()) {
    const dir = join(run, 'gradcam', 'cvrnet', target);
    if (!existsSync(dir)) continue;
    const first = readdirSync(dir).sort()[0];
    if (first === undefined) continue;
    const meta = await sharp(join(dir, first)).metadata();
    side = (meta.width ?? 64) * SCALE;
    const input = await sharp(join(dir, first)).resize(side, side, { kernel: 'nearest' }).png().toBuffer();
    tiles.push({ input, top: row * (side + GAP), left: col * (side + GAP) });
  }
}
await sharp({ create: { width: TARGETS.length * (side + GAP) - GAP, height: runs.length * (side + GAP) - GAP, channels: 3, background: '#ffffff' } })
  .composite(tiles)
  .png()
  .toFile(out);
process.stdout.write(`wrote ${out} (${tiles.length} tiles)\n`);
