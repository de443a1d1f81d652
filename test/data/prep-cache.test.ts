import { describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { openPrepared, prepareImages, type PrepImage } from '../../src/data/prep-cache.ts';
import type { ResolvedImage } from '../../src/dsl/resolved.ts';
import { makeBatch } from '../../src/data/batches.ts';
import { errnoError, setWriteFault } from '../../src/data/write-atomic.ts';
import { preparedSignatures } from '../../src/data/dedupe/read.ts';
import { signatureOf } from '../../src/data/dedupe/signature.ts';

const GREY: ResolvedImage = { width: 4, height: 4, resize: 'nearest', channels: 1, normalize: 'unit' };

async function greyPng(file: string, width: number, height: number, value: (x: number, y: number) => number): Promise<void> {
  const px = new Uint8Array(width * height);
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) px[y * width + x] = value(x, y);
  await sharp(px, { raw: { width, height, channels: 1 } }).png().toFile(file);
}

function dirs() {
  const root = mkdtempSync(join(tmpdir(), 'cvr-prep-'));
  return { images: root, cache: join(root, 'cache') };
}

describe('prepareImages', () => {
  it('decodes, resizes nearest and reads back uint8 pixels by id', async () => {
    const d = dirs();
    // 8×8 with 2×2 blocks of value 10·(bx + 4·by): nearest to 4×4 picks one pixel per block.
    await greyPng(join(d.images, 'a.png'), 8, 8, (x, y) => 10 * (Math.floor(x / 2) + 4 * Math.floor(y / 2)));
    await greyPng(join(d.images, 'b.png'), 4, 4, () => 200);
    const r = await prepareImages(
      [
        { id: 'a', path: join(d.images, 'a.png') },
        { id: 'b', path: join(d.images, 'b.png') },
      ],
      GREY,
      { cacheDir: d.cache },
    );
    if (!r.ok) throw new Error(JSON.stringify(r.diagnostics));
    expect(r.decoded).toBe(2);
    const opened = openPrepared(r.prepared);
    if (!opened.ok) throw new Error('open failed');
    expect(Array.from(opened.source.read('a'))).toEqual(Array.from({ length: 16 }, (_, i) => 10 * i));
    expect(Array.from(opened.source.read('b'))).toEqual(new Array(16).fill(200));
    opened.source.close();
  });

  it('keeps the values of a 16-bit PNG until normalisation and makes 3 channels from grey', async () => {
    const d = dirs();
    const raw = new Uint16Array([0, 256, 4095, 65535]);
    await sharp(raw, { raw: { width: 4, height: 1, channels: 1 } }).toColourspace('grey16').png().toFile(join(d.images, 'deep.png'));
    const image: ResolvedImage = { width: 4, height: 1, resize: 'nearest', channels: 3, normalize: 'unit' };
    const r = await prepareImages([{ id: 'd', path: join(d.images, 'deep.png') }], image, { cacheDir: d.cache });
    if (!r.ok) throw new Error(JSON.stringify(r.diagnostics));
    const o = openPrepared(r.prepared);
    if (!o.ok) throw new Error('open failed');
    expect(Array.from(o.source.read('d'))).toEqual([0, 0, 0, 256, 256, 256, 4095, 4095, 4095, 65535, 65535, 65535]);
    // A batch sees them on the 0..255 scale with their precision: 4095 is not rounded to 16.
    const batch = makeBatch([{ id: 'd', classIndex: 0 }], { source: o.source, normalize: 'none', classes: 1 });
    expect(batch.x[6]).toBeCloseTo(4095 / 257, 4);
    expect(batch.x[9]).toBeCloseTo(255, 6);
    o.source.close();
  });

  it('stores a shard with 8- and 16-bit members as uint16, 8-bit values scaled by 257', async () => {
    const d = dirs();
    await sharp(new Uint16Array([1000, 2000, 3000, 4000]), { raw: { width: 2, height: 2, channels: 1 } }).toColourspace('grey16').png().toFile(join(d.images, 'deep.png'));
    await greyPng(join(d.images, 'flat.png'), 2, 2, () => 200);
    const image: ResolvedImage = { width: 2, height: 2, resize: 'nearest', channels: 1, normalize: 'unit' };
    const r = await prepareImages([{ id: 'deep', path: join(d.images, 'deep.png') }, { id: 'flat', path: join(d.images, 'flat.png') }], image, { cacheDir: d.cache });
    if (!r.ok) throw new Error(JSON.stringify(r.diagnostics));
    const o = openPrepared(r.prepared);
    if (!o.ok) throw new Error('open failed');
    expect(Array.from(o.source.read('deep'))).toEqual([1000, 2000, 3000, 4000]);
    expect(Array.from(o.source.read('flat'))).toEqual([200 * 257, 200 * 257, 200 * 257, 200 * 257]);
    const batch = makeBatch([{ id: 'flat', classIndex: 0 }], { source: o.source, normalize: 'none', classes: 1 });
    expect(Array.from(batch.x)).toEqual([200, 200, 200, 200]);
    o.source.close();
  });

  it('reuses shards, and rebuilds only the shard of a changed image', async () => {
    const d = dirs();
    const list: PrepImage[] = [];
    for (let i = 0; i < 4; i++) {
      await greyPng(join(d.images, `${i}.png`), 4, 4, () => i * 20);
      list.push({ id: `i${i}`, path: join(d.images, `${i}.png`) });
    }
    const first = await prepareImages(list, GREY, { cacheDir: d.cache, shardSize: 2 });
    const again = await prepareImages(list, GREY, { cacheDir: d.cache, shardSize: 2 });
    expect(first.ok && first.decoded).toBe(4);
    expect(again.ok && again.decoded).toBe(0);
    await greyPng(join(d.images, '3.png'), 4, 4, () => 99);
    const changed = await prepareImages(list, GREY, { cacheDir: d.cache, shardSize: 2 });
    if (!changed.ok) throw new Error('prep failed');
    expect(changed.decoded).toBe(2);
    const o = openPrepared(changed.prepared);
    if (!o.ok) throw new Error('open failed');
    expect(o.source.read('i3')[0]).toBe(99);
    expect(o.source.read('i0')[0]).toBe(0);
    o.source.close();
    // Other settings never read a stale entry.
    const wider = await prepareImages(list, { ...GREY, width: 2 }, { cacheDir: d.cache, shardSize: 2 });
    expect(wider.ok && wider.decoded).toBe(4);
    // No temporary files are left behind.
    const leftovers = readdirSync(join(d.cache, 'prep'), { recursive: true }).map(String).filter((f) => f.endsWith('.tmp'));
    expect(leftovers).toEqual([]);
  });

  it('names every bad file: undecodable, missing, and beyond the pixel limit', async () => {
    const d = dirs();
    await greyPng(join(d.images, 'good.png'), 4, 4, () => 1);
    writeFileSync(join(d.images, 'broken.png'), Buffer.from('\x89PNG\r\n\x1a\nnot really a png'));
    await greyPng(join(d.images, 'huge.png'), 64, 64, () => 1);
    const r = await prepareImages(
      [
        { id: 'g', path: join(d.images, 'good.png') },
        { id: 'x', path: join(d.images, 'broken.png') },
        { id: 'm', path: join(d.images, 'missing.png') },
        { id: 'h', path: join(d.images, 'huge.png') },
      ],
      GREY,
      { cacheDir: d.cache, maxPixels: 1000 },
    );
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.diagnostics.map((x) => [x.code, x.file])).toEqual([
      ['CVR803', join(d.images, 'missing.png')],
      ['CVR800', join(d.images, 'broken.png')],
      ['CVR801', join(d.images, 'huge.png')],
    ]);
  });

  it('stops when cancelled, says so, and keeps the shards already written', async () => {
    const d = dirs();
    const list: PrepImage[] = [];
    for (let i = 0; i < 6; i++) {
      await greyPng(join(d.images, `${i}.png`), 4, 4, () => i);
      list.push({ id: `i${i}`, path: join(d.images, `${i}.png`) });
    }
    const controller = new AbortController();
    const r = await prepareImages(list, GREY, {
      cacheDir: d.cache,
      shardSize: 2,
      signal: controller.signal,
      onProgress: (done) => done >= 2 && controller.abort(),
    });
    expect(r.ok === false && r.cancelled).toBe(true);
    const again = await prepareImages(list, GREY, { cacheDir: d.cache, shardSize: 2 });
    expect(again.ok && again.decoded).toBe(4);
  });

  it("a shard's signature file is written while the next shard decodes; its failure still fails the prep, and nothing is left unhandled", async () => {
    const d = dirs();
    const list: PrepImage[] = [];
    for (let i = 0; i < 6; i++) {
      await greyPng(join(d.images, `${i}.png`), 8, 8, (x, y) => (x * 31 + y * 7 + i * 40) % 256);
      list.push({ id: `i${i}`, path: join(d.images, `${i}.png`) });
    }
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown): void => void unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    try {
      // The first shard's signatures fail to write (a full disk), while the second shard decodes.
      let sigWrites = 0;
      setWriteFault((op, path) => {
        if (op === 'write' && path.endsWith('.sig') && sigWrites++ === 0) throw errnoError('ENOSPC', path, 'write');
      });
      await expect(prepareImages(list, GREY, { cacheDir: d.cache, shardSize: 2 })).rejects.toMatchObject({ code: 'ENOSPC' });
      expect(sigWrites).toBeGreaterThanOrEqual(1);
      setWriteFault(undefined);
      // A rerun reuses what was written; the missing signatures are computed from the pixels.
      const again = await prepareImages(list, GREY, { cacheDir: d.cache, shardSize: 2 });
      expect(again.ok).toBe(true);
      if (!again.ok) return;
      const sigs = await preparedSignatures(again.prepared);
      expect(sigs.size).toBe(6);
      const opened = openPrepared(again.prepared);
      if (!opened.ok) throw new Error('not opened');
      for (const { id } of list) expect(Buffer.from(sigs.get(id)!.thumb)).toEqual(Buffer.from(signatureOf(opened.source.read(id), 4, 4, 1).thumb));
      opened.source.close();
      await new Promise((r) => setTimeout(r, 20));
      expect(unhandled).toEqual([]);
    } finally {
      setWriteFault(undefined);
      process.off('unhandledRejection', onUnhandled);
    }
  });

  it('reports a damaged or deleted shard instead of reading garbage', async () => {
    const d = dirs();
    await greyPng(join(d.images, 'a.png'), 4, 4, () => 5);
    const r = await prepareImages([{ id: 'a', path: join(d.images, 'a.png') }], GREY, { cacheDir: d.cache });
    if (!r.ok) throw new Error('prep failed');
    const shard = r.prepared.shards[0]!.file;
    writeFileSync(shard, Buffer.from('CVRPREP1garbage'));
    const damaged = openPrepared(r.prepared);
    expect(!damaged.ok && damaged.diagnostics[0]!.code).toBe('CVR804');
    rmSync(shard);
    const gone = openPrepared(r.prepared);
    expect(!gone.ok && gone.diagnostics[0]!.code).toBe('CVR804');
  });

  it('area resize averages the covered pixels', async () => {
    const d = dirs();
    // 4×4 → 2×2: each output pixel is the mean of a 2×2 block.
    await greyPng(join(d.images, 'a.png'), 4, 4, (x, y) => (x + y) % 2 === 0 ? 100 : 200);
    const r = await prepareImages([{ id: 'a', path: join(d.images, 'a.png') }], { ...GREY, width: 2, height: 2, resize: 'area' }, { cacheDir: d.cache });
    if (!r.ok) throw new Error('prep failed');
    const o = openPrepared(r.prepared);
    if (!o.ok) throw new Error('open failed');
    expect(Array.from(o.source.read('a'))).toEqual([150, 150, 150, 150]);
    o.source.close();
  });
});
