import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { isDicom, readVolumeReason, volumeReason } from '../../../src/data/dicom/index.ts';
import { writeDicom } from '../../../src/data/dicom/write.ts';
import { openPrepared, prepareImages } from '../../../src/data/prep-cache.ts';
import type { ResolvedImage } from '../../../src/dsl/resolved.ts';

const W = 16;
const H = 12;

function dirs(): { images: string; cache: string } {
  const root = mkdtempSync(join(tmpdir(), 'cvr-dicom-prep-'));
  return { images: root, cache: join(root, 'cache') };
}

/** A NIfTI-1 header (348 bytes + 4 of extension flag) for a dim[0]-D volume, then a few voxels. */
function nifti(dims: readonly number[]): Uint8Array {
  const out = new Uint8Array(352 + 16);
  const view = new DataView(out.buffer);
  view.setInt32(0, 348, true);
  view.setInt16(40, dims.length, true);
  dims.forEach((d, i) => view.setInt16(42 + 2 * i, d, true));
  out.set([0x6e, 0x2b, 0x31, 0], 344); // "n+1\0"
  return out;
}

const stored = Array.from({ length: W * H }, (_, i) => (i * 331) % 4096);

describe('DICOM in the prep path', () => {
  it('a .dcm and a 16-bit PNG of the same display values prepare to the same cached pixels', async () => {
    const d = dirs();
    // Display values, computed here: 12 stored bits, no window → s/4095 of the 16-bit range, MONOCHROME1 inverted.
    const display = Uint16Array.from(stored, (s) => 65535 - Math.round((s / 4095) * 65535));
    writeFileSync(join(d.images, 'a.dcm'), writeDicom({ rows: H, columns: W, bitsAllocated: 16, bitsStored: 12, photometric: 'MONOCHROME1', pixels: stored }));
    await sharp(display, { raw: { width: W, height: H, channels: 1 } }).toColourspace('grey16').png().toFile(join(d.images, 'a.png'));
    for (const resize of ['nearest', 'bilinear', 'area'] as const) {
      const image: ResolvedImage = { width: 8, height: 6, resize, channels: 1, normalize: 'unit' };
      const r = await prepareImages(
        [
          { id: 'dcm', path: join(d.images, 'a.dcm') },
          { id: 'png', path: join(d.images, 'a.png') },
        ],
        image,
        { cacheDir: d.cache },
      );
      if (!r.ok) throw new Error(JSON.stringify(r.diagnostics));
      const o = openPrepared(r.prepared);
      if (!o.ok) throw new Error('open failed');
      const dcm = o.source.read('dcm');
      expect(dcm).toBeInstanceOf(Uint16Array);
      expect(Array.from(dcm)).toEqual(Array.from(o.source.read('png')));
      o.source.close();
    }
  });

  it('`window: auto` in the prep settings stretches min–max and is part of the cache key', async () => {
    const d = dirs();
    const narrow = stored.map((s) => 1000 + (s % 500)); // 1000..1499 of 4095
    writeFileSync(join(d.images, 'n.dcm'), writeDicom({ rows: H, columns: W, bitsAllocated: 16, bitsStored: 12, pixels: narrow }));
    const image: ResolvedImage = { width: W, height: H, resize: 'nearest', channels: 1, normalize: 'unit' };
    const read = async (window: 'auto' | undefined): Promise<{ px: number[]; key: string }> => {
      const r = await prepareImages([{ id: 'n', path: join(d.images, 'n.dcm') }], image, { cacheDir: d.cache, ...(window === undefined ? {} : { window }) });
      if (!r.ok) throw new Error(JSON.stringify(r.diagnostics));
      const o = openPrepared(r.prepared);
      if (!o.ok) throw new Error('open failed');
      const px = Array.from(o.source.read('n'));
      o.source.close();
      return { px, key: r.prepared.shards[0]!.key };
    };
    const file = await read(undefined);
    const auto = await read('auto');
    const lo = Math.min(...narrow);
    const hi = Math.max(...narrow);
    expect(file.px).toEqual(narrow.map((s) => Math.round((s / 4095) * 65535)));
    expect(auto.px).toEqual(narrow.map((s) => Math.round(((s - lo) / (hi - lo)) * 65535)));
    expect(auto.key).not.toBe(file.key);
  });

  it('finds DICOM by its preamble when the name has no .dcm extension', async () => {
    const d = dirs();
    const bytes = writeDicom({ rows: H, columns: W, bitsAllocated: 8, pixels: stored.map((s) => s % 256) });
    writeFileSync(join(d.images, 'IM0001'), bytes);
    expect(isDicom('IM0001', bytes)).toBe(true);
    expect(isDicom('IM0001')).toBe(false);
    const image: ResolvedImage = { width: W, height: H, resize: 'nearest', channels: 3, normalize: 'unit' };
    const r = await prepareImages([{ id: 'x', path: join(d.images, 'IM0001') }], image, { cacheDir: d.cache });
    if (!r.ok) throw new Error(JSON.stringify(r.diagnostics));
    const o = openPrepared(r.prepared);
    if (!o.ok) throw new Error('open failed');
    const px = o.source.read('x');
    // 8-bit stored, no window: s × 257, grey copied to three channels.
    expect(Array.from(px.filter((_, i) => i % 3 === 0))).toEqual(stored.map((s) => (s % 256) * 257));
    o.source.close();
  });

  it('reports undecodable DICOM and volumes as coded diagnostics naming the file', async () => {
    const d = dirs();
    writeFileSync(join(d.images, 'ls.dcm'), writeDicom({ rows: H, columns: W, bitsAllocated: 16, transferSyntax: '1.2.840.10008.1.2.4.80', encapsulated: new Uint8Array([0xff, 0xd8, 0xff, 0xd9]) }));
    writeFileSync(join(d.images, 'ct.nii'), nifti([64, 64, 20]));
    writeFileSync(join(d.images, 'multi.dcm'), writeDicom({ rows: H, columns: W, bitsAllocated: 8, frames: 2, pixels: [...stored, ...stored].map((s) => s % 256) }));
    const image: ResolvedImage = { width: 4, height: 4, resize: 'nearest', channels: 1, normalize: 'unit' };
    const r = await prepareImages(
      ['ls.dcm', 'ct.nii', 'multi.dcm'].map((f) => ({ id: f, path: join(d.images, f) })),
      image,
      { cacheDir: d.cache },
    );
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.diagnostics.map((x) => [x.code, x.file])).toEqual([
      ['CVR560', join(d.images, 'ls.dcm')],
      ['CVR564', join(d.images, 'ct.nii')],
      ['CVR564', join(d.images, 'multi.dcm')],
    ]);
    expect(r.diagnostics[1]!.message).toContain('64×64×20');
  });
});

describe('volumes are told from 2-D images by their header', () => {
  it('NIfTI by header or name, multi-frame DICOM by Number of Frames; 2-D files are not volumes', async () => {
    const d = dirs();
    expect(volumeReason('scan.nii', nifti([512, 512, 120]))).toMatch(/NIfTI volume of 512×512×120/);
    expect(volumeReason('renamed.img', nifti([32, 32, 8]))).toMatch(/NIfTI/);
    expect(volumeReason('coronacases_org_001.nii.gz', gzipSync(nifti([512, 512, 301])))).toMatch(/NIfTI volume/);
    const multi = writeDicom({ rows: 4, columns: 4, bitsAllocated: 8, frames: 40, pixels: new Array(16 * 40).fill(1) });
    expect(volumeReason('series.dcm', multi)).toMatch(/multi-frame DICOM of 40 frames/);
    // Only the head is needed: the frame count sits in the header before the pixel data.
    expect(volumeReason('series.dcm', multi.subarray(0, 600))).toMatch(/40 frames/);
    expect(volumeReason('one.dcm', writeDicom({ rows: 4, columns: 4, bitsAllocated: 8, frames: 1, pixels: new Array(16).fill(1) }))).toBeNull();
    expect(volumeReason('one.dcm', writeDicom({ rows: 4, columns: 4, bitsAllocated: 8, pixels: new Array(16).fill(1) }))).toBeNull();
    const png = await sharp(Buffer.alloc(16), { raw: { width: 4, height: 4, channels: 1 } }).png().toBuffer();
    expect(volumeReason('a.png', png)).toBeNull();
    writeFileSync(join(d.images, 'series.dcm'), multi);
    expect(await readVolumeReason(join(d.images, 'series.dcm'))).toMatch(/40 frames/);
  });
});
