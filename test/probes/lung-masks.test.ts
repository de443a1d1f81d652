/**
 * A declared mask folder (`probes { lung_field { masks "…" } }`): masks matched to images by
 * file stem (the synth layout masks/<source>/<class>/<stem>.png breaks ties), brought to the
 * prepared size; a missing, ambiguous or mis-sized mask is a diagnostic naming the file.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { loadLungMasks, maskedImages, type ImageSource } from '../../src/data/index.ts';
import { loadPipelines } from '../../src/dsl/index.ts';
import { buildPlan } from '../../src/plan/index.ts';
import { tempDir } from '../run/helpers.ts';

const { dir, dispose } = tempDir('lung-masks');
afterAll(() => dispose());

/** A w × h grey PNG: 255 where `inside(x, y)`, else 0. */
async function png(file: string, w: number, h: number, inside: (x: number, y: number) => boolean): Promise<void> {
  mkdirSync(join(file, '..'), { recursive: true });
  const px = Buffer.alloc(w * h);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) px[y * w + x] = inside(x, y) ? 255 : 0;
  await sharp(px, { raw: { width: w, height: h, channels: 1 } }).png().toFile(file);
}

describe('lung masks from a folder', () => {
  it('matches masks by stem, brings them to the prepared size, and names what is missing or wrong', async () => {
    const images = join(dir, 'data');
    const masks = join(dir, 'masks');
    // Three 16 × 8 images; their masks: the left half, the top half, and a mis-sized one.
    for (const name of ['a/NOR/p1.png', 'a/CVP/p2.png', 'b/NOR/p3.png', 'b/NOR/p4.png', 'b/CVP/p1.png']) await png(join(images, name), 16, 8, () => false);
    await png(join(masks, 'left/p1.png'), 16, 8, (x) => x < 8); // two masks named p1: the layout decides
    await png(join(masks, 'a/NOR/p1.png'), 16, 8, (x) => x < 8);
    await png(join(masks, 'b/CVP/p1.png'), 16, 8, (x) => x >= 8);
    await png(join(masks, 'deep/er/p2.png'), 16, 8, (_, y) => y < 4);
    await png(join(masks, 'p3.png'), 32, 8, () => true);
    const item = (source: string, id: string) => ({ key: `${source}:${id}`, id, absPath: join(images, source, id) });

    const ok = await loadLungMasks(masks, [item('a', 'NOR/p1.png'), item('a', 'CVP/p2.png'), item('b', 'CVP/p1.png')], 4, 2);
    expect(ok.ok).toBe(true);
    if (!ok.ok) return;
    // At 4 × 2 (row-major): left half, top half, right half.
    expect(Array.from(ok.masks.get('a:NOR/p1.png')!)).toEqual([1, 1, 0, 0, 1, 1, 0, 0]);
    expect(Array.from(ok.masks.get('a:CVP/p2.png')!)).toEqual([1, 1, 1, 1, 0, 0, 0, 0]);
    expect(Array.from(ok.masks.get('b:CVP/p1.png')!)).toEqual([0, 0, 1, 1, 0, 0, 1, 1]);

    const bad = await loadLungMasks(masks, [item('b', 'NOR/p3.png'), item('b', 'NOR/p4.png')], 4, 2);
    expect(bad.ok).toBe(false);
    if (bad.ok) return;
    expect(bad.diagnostics.map((d) => [d.code, d.file])).toEqual([
      ['CVR825', join(masks, 'p3.png')],
      ['CVR824', join(images, 'b/NOR/p4.png')],
    ]);
    expect(bad.diagnostics[0]!.message).toContain('32×8');
    expect(bad.diagnostics[0]!.message).toContain('16×8');
  });

  it('blanks each image by its own mask', () => {
    const source: ImageSource = { width: 2, height: 1, channels: 1, has: () => true, read: () => Uint8Array.from([9, 7]) };
    const masks: Record<string, Uint8Array> = { x: Uint8Array.from([1, 0]), y: Uint8Array.from([0, 1]) };
    const periphery = maskedImages(source, 'periphery', (id) => masks[id]!);
    const lung = maskedImages(source, 'lung', (id) => masks[id]!);
    expect(Array.from(periphery.read('x'))).toEqual([0, 7]);
    expect(Array.from(periphery.read('y'))).toEqual([9, 0]);
    expect(Array.from(lung.read('x'))).toEqual([9, 0]);
    expect(Array.from(lung.read('y'))).toEqual([0, 7]);
  });

  it('puts a declared lung field into the keys of the masked and GradCAM nodes only', async () => {
    const file = (field: string) => `pipeline p {
  seed 1
  source a { folder "data/a" map { "normal" -> NCV, "covid" -> CVP } }
  task NCV vs CVP
  split kfold 2 { stratified }
  image { size 16 x 16 channels 1 }
  model cvrnet { width 0.0625 }
  train { epochs 1 }
  probes { ${field} periphery_only gradcam_in_lungs source_probe }
}
`;
    const keys = async (field: string, name: string) => {
      const { writeFileSync } = await import('node:fs');
      writeFileSync(join(dir, name), file(field));
      const loaded = await loadPipelines([join(dir, name)]);
      expect(loaded.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
      return new Map(buildPlan(loaded.pipelines[0]!).nodes.map((n) => [n.id, n.key]));
    };
    const plain = await keys('', 'plain.cvr');
    const ellipses = await keys('lung_field { ellipse 0.3 0.4 0.1 0.2 }', 'ellipses.cvr');
    const folder = await keys('lung_field { masks "masks" }', 'masks.cvr');
    for (const other of [ellipses, folder]) {
      for (const [id, key] of plain) {
        // Those nodes, and the report that reads them.
        const changes = /^(train|predict):periphery_only|^probe:(periphery_only|gradcam_in_lungs)$|^report$/.test(id);
        expect(other.get(id) !== key, id).toBe(changes);
      }
    }
    expect(ellipses.get('train:periphery_only:0')).not.toBe(folder.get('train:periphery_only:0'));
  });
});
