// Renders a grid of phantom images so a person can look at them:
//   npx tsx scripts/contact-sheet.ts [--out docs/images/synth-contact-sheet.png] [--size 160] [--severity 0.9]
// Rows: the four classes as radiographs, the four as CT slices, then one radiograph per source
// style of the paper preset (artifacts). Columns: different patients.
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

async function main(argv: readonly string[]): Promise<void> {
  const out = option(argv, '--out', 'docs/images/synth-contact-sheet.png');
  const cell = Number(option(argv, '--size', '128'));
  const severity = Number(option(argv, '--severity', '0.9'));
  const cols = Number(option(argv, '--cols', '6'));
  const rows: { label: string; make: (col: number) => ReturnType<typeof renderImage> }[] = [];
  const plain: ArtifactProfile = { ...NO_ARTIFACTS };
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
  const gap = 4;
  const composites: sharp.OverlayOptions[] = [];
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
  await sharp({ create: { width: cols * (cell + gap) - gap, height: rows.length * (cell + gap) - gap, channels: 3, background: { r: 40, g: 40, b: 40 } } })
    .composite(composites)
    .grayscale()
    .png({ compressionLevel: 9 })
    .toFile(out);
  process.stdout.write(`${out}: ${rows.map((r) => r.label).join(' | ')}\n`);
}

await main(process.argv.slice(2));
