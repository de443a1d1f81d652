// Renders a grid of phantom images so a person can look at them:
//   npx tsx scripts/contact-sheet.ts [--out docs/images/synth-contact-sheet.png] [--size 128] [--severity 0.9] [--cols 6]
// Rows: the four classes as radiographs, the four as CT slices, then one radiograph per source
// style of the paper preset (artifacts). Columns: different patients.
//   npx tsx scripts/contact-sheet.ts --dir data/shortcut --out /tmp/sheet.png
// instead shows what `cvr synth` wrote: one row per folder (source and label), first images.
import { readdir } from 'node:fs/promises';
import { join, relative } from 'node:path';
import sharp from 'sharp';
import { renderImage } from '../src/data/synth/render.ts';
import { NO_ARTIFACTS } from '../src/data/synth/artifacts.ts';
import type { ArtifactProfile } from '../src/data/synth/artifacts.ts';
import { FINDING_CLASSES } from '../src/data/synth/findings/types.ts';
import { PAPER_STYLES } from '../src/data/synth/presets.ts';

function option(argv: readonly string[], name: string, fallback: string): string {
  const i = argv.indexOf(name);
  return i >= 0 && argv[i + 1] !== undefined ? argv[i + 1]! : fallback;
}

/** Composites the cells, then stores one grey channel (the sheet is committed: keep it small). */
async function writeSheet(width: number, height: number, composites: sharp.OverlayOptions[], out: string): Promise<void> {
  const rgb = await sharp({ create: { width, height, channels: 3, background: { r: 40, g: 40, b: 40 } } })
    .composite(composites)
    .removeAlpha()
    .extractChannel(0)
    .raw()
    .toBuffer();
  await sharp(rgb, { raw: { width, height, channels: 1 } })
    .toColourspace('b-w')
    .png({ compressionLevel: 9 })
    .toFile(out);
}

async function main(argv: readonly string[]): Promise<void> {
  const out = option(argv, '--out', 'docs/images/synth-contact-sheet.png');
  const cell = Number(option(argv, '--size', '128'));
  const severity = Number(option(argv, '--severity', '0.9'));
  const cols = Number(option(argv, '--cols', '6'));
  const dir = argv.includes('--dir') ? option(argv, '--dir', '.') : null;
  const gap = 4;
  const composites: sharp.OverlayOptions[] = [];
  if (dir !== null) {
    const entries = await readdir(dir, { recursive: true, withFileTypes: true });
    const groups = new Map<string, string[]>();
    for (const e of entries) {
      if (!e.isFile() || !e.name.endsWith('.png')) continue;
      const folder = relative(dir, e.parentPath);
      groups.set(folder, [...(groups.get(folder) ?? []), join(e.parentPath, e.name)]);
    }
    const folders = [...groups.keys()].sort();
    for (let r = 0; r < folders.length; r++) {
      const images = groups.get(folders[r]!)!.sort().slice(0, cols);
      for (let c = 0; c < images.length; c++) {
        try {
          const png = await sharp(images[c]!).resize(cell, cell, { fit: 'fill' }).png().toBuffer();
          composites.push({ input: png, left: c * (cell + gap), top: r * (cell + gap) });
        } catch {
          // a planted bad input: leave its cell empty
        }
      }
    }
    await writeSheet(cols * (cell + gap) - gap, folders.length * (cell + gap) - gap, composites, out);
    process.stdout.write(`${out}: ${folders.join(' | ')}\n`);
        return;
  }
  const rows: { label: string; make: (col: number) => ReturnType<typeof renderImage> }[] = [];
  // no sensor noise in the class rows: the sheet is committed and noise does not compress
  const plain: ArtifactProfile = { ...NO_ARTIFACTS, noise: 0 };
  for (const modality of ['cxr', 'ct'] as const) {
    for (const finding of FINDING_CLASSES) {
      rows.push({
        label: `${modality} ${finding}`,
        make: (col) =>
          renderImage({ seed: 7, source: 'sheet', patient: `${modality}${finding}${col}`, index: col, modality, finding, severity, profile: plain, baseSize: cell }),
      });
    }
  }
  const styles = Object.entries(PAPER_STYLES);
  rows.push({
    label: 'sources',
    make: (col) => {
      const [name, style] = styles[col % styles.length]!;
      return renderImage({ seed: 7, source: name, patient: `s${col}`, index: col, modality: style.modality, finding: 'NOR', severity: 0, profile: { ...style.profile, size: 1 }, baseSize: cell });
    },
  });
  for (let r = 0; r < rows.length; r++) {
    for (let c = 0; c < cols; c++) {
      const img = rows[r]!.make(c);
      const png = await sharp(Buffer.from(img.pixels), { raw: { width: img.width, height: img.height, channels: 1 } })
        .resize(cell, cell, { fit: 'fill' })
        .png()
        .toBuffer();
      composites.push({ input: png, left: c * (cell + gap), top: r * (cell + gap) });
    }
  }
  await writeSheet(cols * (cell + gap) - gap, rows.length * (cell + gap) - gap, composites, out);
  process.stdout.write(`${out}: ${rows.map((r) => r.label).join(' | ')}\n`);
}

await main(process.argv.slice(2));
