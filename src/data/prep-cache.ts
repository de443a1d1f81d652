/**
 * The preprocessed-image cache: every image decoded and resized once with sharp and stored as
 * uint8 pixels (HWC) in shard files, so that training streams batches from disk and never holds a
 * dataset as float32. A 16-bit image keeps its full range: sharp scales 0..65535 onto 0..255.
 *
 * A shard holds up to `shardSize` images; its key is a hash of the preprocessing settings and of
 * its members' ids and file contents, so editing one image rebuilds only that image's shard, and a
 * changed setting never reads a stale entry.
 *
 * Shard file: 8-byte magic, uint32 LE header length, a JSON header, then `n × h × w × c` bytes.
 */
import { createHash } from 'node:crypto';
import { open, readFile, stat } from 'node:fs/promises';
import { openSync, readSync, closeSync, fstatSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import type { Diagnostic } from '../diag/index.ts';
import type { ResolvedImage } from '../dsl/resolved.ts';
import { writeFileAtomic } from './write-atomic.ts';
import { resizeArea } from './resize-area.ts';

const MAGIC = Buffer.from('CVRPREP1', 'latin1');
/** sharp's own default: 0x3FFF × 0x3FFF pixels. */
export const DEFAULT_MAX_PIXELS = 268_402_689;
const DEFAULT_SHARD_SIZE = 256;
/** More than this many bad files and the list is cut short; the user fixes these first. */
const MAX_REPORTED = 20;

export interface PrepImage {
  readonly id: string;
  /** Absolute path of the image file. */
  readonly path: string;
}

/** The part of `image` that decides the cached pixels (normalisation happens per batch). */
export interface PrepSettings {
  readonly width: number;
  readonly height: number;
  readonly channels: 1 | 3;
  readonly resize: ResolvedImage['resize'];
}

export interface PrepShard {
  readonly file: string;
  readonly key: string;
  readonly ids: readonly string[];
}

/** The output of preprocessing: JSON-serialisable, so the runner can cache it as a node output. */
export interface PreparedImages {
  readonly settings: PrepSettings;
  readonly shards: readonly PrepShard[];
}

export interface PrepOptions {
  readonly cacheDir: string;
  /** Images with more pixels than this are refused before decoding (decompression bombs). */
  readonly maxPixels?: number;
  readonly shardSize?: number;
  readonly onProgress?: (done: number, total: number) => void;
  readonly signal?: AbortSignal;
}

export type PrepResult =
  | { readonly ok: true; readonly prepared: PreparedImages; readonly decoded: number }
  | { readonly ok: false; readonly diagnostics: readonly Diagnostic[] };

export function prepSettings(image: ResolvedImage): PrepSettings {
  return { width: image.width, height: image.height, channels: image.channels, resize: image.resize };
}

const KERNELS = { nearest: 'nearest', bilinear: 'linear', bicubic: 'cubic' } as const;

type Decoded = { ok: true; pixels: Uint8Array } | { ok: false; diagnostic: Diagnostic };

function fileDiagnostic(code: Diagnostic['code'], file: string, message: string, hint: string): Diagnostic {
  return { code, severity: 'error', message, file, hint };
}

/** Decodes one image file's bytes into h × w × c uint8 pixels at the declared size. */
export async function decodeImage(path: string, bytes: Buffer, settings: PrepSettings, maxPixels: number): Promise<Decoded> {
  const { width, height, channels } = settings;
  try {
    let pipeline = sharp(bytes, { limitInputPixels: maxPixels });
    if (settings.resize !== 'area') {
      pipeline = pipeline.resize(width, height, { fit: 'fill', kernel: KERNELS[settings.resize] });
    }
    pipeline = channels === 1 ? pipeline.toColourspace('b-w') : pipeline.removeAlpha().toColourspace('srgb');
    const { data, info } = await pipeline.raw({ depth: 'uchar' }).toBuffer({ resolveWithObject: true });
    // An alpha channel survives b-w conversion; keep the first channel(s) only.
    let pixels = dropExtraChannels(new Uint8Array(data.buffer, data.byteOffset, data.length), info.channels, channels);
    if (settings.resize === 'area') pixels = resizeArea(pixels, info.width, info.height, channels, width, height);
    else if (info.width !== width || info.height !== height) {
      return {
        ok: false,
        diagnostic: fileDiagnostic('CVR802', path, `decoded to ${info.width}×${info.height}, expected ${width}×${height}`, 'report this image; it may be a multi-page or animated file'),
      };
    }
    if (pixels.length !== width * height * channels) {
      return {
        ok: false,
        diagnostic: fileDiagnostic('CVR802', path, `decoded to ${pixels.length} values, expected ${width}×${height}×${channels}`, 'check that the file is a single still image'),
      };
    }
    return { ok: true, pixels };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    if (/pixel limit/i.test(message)) {
      return {
        ok: false,
        diagnostic: fileDiagnostic('CVR801', path, `image exceeds the pixel limit of ${maxPixels} pixels (${message})`, 'a chest image this large is suspicious (a decompression bomb?); remove it or raise the limit'),
      };
    }
    return {
      ok: false,
      diagnostic: fileDiagnostic('CVR800', path, `image cannot be decoded: ${message}`, 'the file is corrupt or not an image; replace it or remove it from the source'),
    };
  }
}

function dropExtraChannels(data: Uint8Array, have: number, want: number): Uint8Array {
  if (have === want) return data;
  const n = data.length / have;
  const out = new Uint8Array(n * want);
  for (let i = 0; i < n; i++) for (let c = 0; c < want; c++) out[i * want + c] = data[i * have + Math.min(c, have - 1)] as number;
  return out;
}

function shardKey(settings: PrepSettings, ids: readonly string[], hashes: readonly string[]): string {
  const h = createHash('sha256');
  h.update(JSON.stringify({ v: 1, settings }));
  ids.forEach((id, i) => h.update(`\n${id}\t${hashes[i]}`));
  return h.digest('hex');
}

function shardPath(cacheDir: string, key: string): string {
  return join(cacheDir, 'prep', key.slice(0, 2), `${key}.shard`);
}

function encodeShard(settings: PrepSettings, ids: readonly string[], hashes: readonly string[], pixels: readonly Uint8Array[]): Buffer {
  const header = Buffer.from(JSON.stringify({ ...settings, ids, hashes }), 'utf8');
  const len = Buffer.alloc(4);
  len.writeUInt32LE(header.length);
  return Buffer.concat([MAGIC, len, header, ...pixels]);
}

interface ShardHeader {
  readonly width: number;
  readonly height: number;
  readonly channels: number;
  readonly ids: readonly string[];
  readonly dataOffset: number;
}

function parseShardHeader(head: Buffer, fileSize: number): ShardHeader | undefined {
  if (head.length < 12 || !head.subarray(0, 8).equals(MAGIC)) return undefined;
  const len = head.readUInt32LE(8);
  if (head.length < 12 + len) return undefined;
  try {
    const h = JSON.parse(head.subarray(12, 12 + len).toString('utf8')) as Omit<ShardHeader, 'dataOffset'>;
    const dataOffset = 12 + len;
    if (fileSize !== dataOffset + h.ids.length * h.width * h.height * h.channels) return undefined;
    return { ...h, dataOffset };
  } catch {
    return undefined;
  }
}

async function shardIsValid(file: string, ids: readonly string[]): Promise<boolean> {
  try {
    const size = (await stat(file)).size;
    const handle = await open(file, 'r');
    try {
      const head = Buffer.alloc(Math.min(size, 12 + 64 + ids.reduce((s, id) => s + id.length * 2 + 80, 0) + 4096));
      await handle.read(head, 0, head.length, 0);
      const h = parseShardHeader(head, size);
      return h !== undefined && h.ids.length === ids.length && h.ids.every((id, i) => id === ids[i]);
    } finally {
      await handle.close();
    }
  } catch {
    return false;
  }
}

/**
 * Decodes and resizes every image not yet in the cache. Bad files (unreadable, undecodable,
 * too many pixels) are all reported, each naming its file; shards already written stay valid,
 * so a rerun after fixing the files decodes only what is missing.
 */
export async function prepareImages(images: readonly PrepImage[], image: ResolvedImage, options: PrepOptions): Promise<PrepResult> {
  const settings = prepSettings(image);
  const shardSize = options.shardSize ?? DEFAULT_SHARD_SIZE;
  const maxPixels = options.maxPixels ?? DEFAULT_MAX_PIXELS;
  const diagnostics: Diagnostic[] = [];
  const shards: PrepShard[] = [];
  let decoded = 0;
  let done = 0;
  for (let start = 0; start < images.length; start += shardSize) {
    if (options.signal?.aborted) break;
    const members = images.slice(start, start + shardSize);
    const bytes: Buffer[] = [];
    const hashes: string[] = [];
    let unreadable = false;
    for (const m of members) {
      try {
        const b = await readFile(m.path);
        bytes.push(b);
        hashes.push(createHash('sha256').update(b).digest('hex'));
      } catch (error) {
        unreadable = true;
        bytes.push(Buffer.alloc(0));
        hashes.push('');
        const reason = (error as NodeJS.ErrnoException).code ?? String(error);
        if (diagnostics.length < MAX_REPORTED) {
          diagnostics.push(fileDiagnostic('CVR803', m.path, `image file cannot be read (${reason})`, 'the file was moved or deleted after scanning; rerun `cvr audit` or restore it'));
        }
      }
    }
    const ids = members.map((m) => m.id);
    const key = shardKey(settings, ids, hashes);
    const file = shardPath(options.cacheDir, key);
    if (!unreadable && (await shardIsValid(file, ids))) {
      shards.push({ file, key, ids });
      done += members.length;
      options.onProgress?.(done, images.length);
      continue;
    }
    const pixels: Uint8Array[] = [];
    for (let i = 0; i < members.length; i++) {
      const m = members[i] as PrepImage;
      if (hashes[i] === '') continue;
      const result = await decodeImage(m.path, bytes[i] as Buffer, settings, maxPixels);
      if (result.ok) pixels.push(result.pixels);
      else if (diagnostics.length < MAX_REPORTED) diagnostics.push(result.diagnostic);
      decoded++;
      done++;
      options.onProgress?.(done, images.length);
    }
    if (pixels.length === members.length) {
      await writeFileAtomic(file, encodeShard(settings, ids, hashes, pixels));
      shards.push({ file, key, ids });
    }
  }
  if (diagnostics.length > 0) return { ok: false, diagnostics };
  return { ok: true, prepared: { settings, shards }, decoded };
}

/** Random access to cached pixels by image id, one positioned read per image. */
export interface ImageSource {
  readonly width: number;
  readonly height: number;
  readonly channels: 1 | 3;
  has(id: string): boolean;
  /** h × w × c uint8, HWC order. */
  read(id: string): Uint8Array;
}

export type OpenResult =
  | { readonly ok: true; readonly source: ImageSource & { close(): void } }
  | { readonly ok: false; readonly diagnostics: readonly Diagnostic[] };

export function openPrepared(prepared: PreparedImages): OpenResult {
  const { width, height, channels } = prepared.settings;
  const bytesPerImage = width * height * channels;
  const fds: number[] = [];
  const where = new Map<string, { fd: number; offset: number; file: string }>();
  const closeAll = () => fds.forEach((fd) => closeSync(fd));
  for (const shard of prepared.shards) {
    let fd: number;
    try {
      fd = openSync(shard.file, 'r');
    } catch {
      closeAll();
      return { ok: false, diagnostics: [fileDiagnostic('CVR804', shard.file, 'preprocessed-image shard is missing', 'the cache was cleaned while a run used it; rerun and the images are decoded again')] };
    }
    fds.push(fd);
    const size = fstatSync(fd).size;
    const head = Buffer.alloc(Math.min(size, 1 << 22));
    readSync(fd, head, 0, head.length, 0);
    const h = parseShardHeader(head, size);
    if (h === undefined || h.width !== width || h.height !== height || h.channels !== channels || h.ids.length !== shard.ids.length) {
      closeAll();
      return { ok: false, diagnostics: [fileDiagnostic('CVR804', shard.file, 'preprocessed-image shard is damaged or has another shape', 'delete the file; the next run decodes its images again')] };
    }
    h.ids.forEach((id, slot) => where.set(id, { fd, offset: h.dataOffset + slot * bytesPerImage, file: shard.file }));
  }
  return {
    ok: true,
    source: {
      width,
      height,
      channels,
      has: (id) => where.has(id),
      read(id) {
        const at = where.get(id);
        // The caller asked for an id that was never prepared: a planning bug, not a user error.
        if (at === undefined) throw new Error(`Internal error: image ${id} is not in the prepared set`);
        const out = new Uint8Array(bytesPerImage);
        const n = readSync(at.fd, out, 0, bytesPerImage, at.offset);
        if (n !== bytesPerImage) throw new Error(`Internal error: short read in ${at.file}`);
        return out;
      },
      close: closeAll,
    },
  };
}
