/**
 * The preprocessed-image cache: every image decoded and resized once with sharp and stored as
 * uint8 pixels (HWC) in shard files, so that training streams batches from disk and never holds a
 * dataset as float32. A 16-bit image (DICOM-derived PNGs often use 10–12 bits) keeps its values
 * until normalisation: a shard with any 16-bit member stores uint16 (8-bit members scaled by
 * 257, so 255 ↦ 65535), and batches read both onto the same 0..255 float scale.
 *
 * A shard holds up to `shardSize` images; its key is a hash of the preprocessing settings and of
 * its members' ids and file contents, so editing one image rebuilds only that image's shard, and a
 * changed setting never reads a stale entry.
 *
 * Shard file: 8-byte magic, uint32 LE header length, a JSON header, then `n × h × w × c` samples
 * of `depth` bits (little-endian).
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { openSync, readSync, closeSync, fstatSync } from 'node:fs';
import { join } from 'node:path';
import type { Diagnostic } from '../diag/index.ts';
import type { ResolvedImage } from '../dsl/index.ts';
import { writeFileAtomic } from './write-atomic.ts';
import { resizeArea } from './resize-area.ts';
import { imageInput } from './image-input.ts';
import { signaturesOfPixels, writeShardSignatures } from './dedupe/store.ts';
import type { Signature } from './dedupe/signature.ts';
import type { WindowMode } from './dicom/index.ts';

const MAGIC = Buffer.from('CVRPREP1', 'latin1');
/** sharp's own default: 0x3FFF × 0x3FFF pixels. */
export const DEFAULT_MAX_PIXELS = 268_402_689;
const DEFAULT_SHARD_SIZE = 256;
const DECODES_IN_FLIGHT = 4;
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
  /** DICOM VOI: the file's window (absent: the default) or `auto` (min–max). Not yet set by the DSL. */
  readonly window?: WindowMode;
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
  /** DICOM `window auto` (min–max); part of the cache key. Absent: each file's own window. */
  readonly window?: WindowMode;
  /** Write near-duplicate signatures beside each new shard (default true; the bench turns it off to compare). */
  readonly signatures?: boolean;
}

export type PrepResult =
  | { readonly ok: true; readonly prepared: PreparedImages; readonly decoded: number }
  /** `cancelled`: the signal was aborted; shards finished so far stay in the cache. */
  | { readonly ok: false; readonly diagnostics: readonly Diagnostic[]; readonly cancelled?: boolean };

export function prepSettings(image: ResolvedImage): PrepSettings {
  return { width: image.width, height: image.height, channels: image.channels, resize: image.resize };
}

const KERNELS = { nearest: 'nearest', bilinear: 'linear', bicubic: 'cubic' } as const;

export type Pixels = Uint8Array | Uint16Array;

type Decoded = { ok: true; pixels: Pixels } | { ok: false; diagnostic: Diagnostic };

function fileDiagnostic(code: Diagnostic['code'], file: string, message: string, hint: string): Diagnostic {
  return { code, severity: 'error', message, file, hint };
}

/** Decodes one image file's bytes into h × w × c pixels at the declared size (uint16 for 16-bit files). */
export async function decodeImage(path: string, bytes: Buffer, settings: PrepSettings, maxPixels: number): Promise<Decoded> {
  const { width, height, channels } = settings;
  // DICOM decodes to raw 16-bit grey here; other formats go to sharp as they are.
  const input = await imageInput(path, bytes, maxPixels, settings.window);
  if (!input.ok) return { ok: false, diagnostic: input.diagnostic };
  try {
    const meta = await input.open().metadata();
    const deep = meta.depth === 'ushort';
    let pipeline = input.open();
    if (settings.resize !== 'area') {
      pipeline = pipeline.resize(width, height, { fit: 'fill', kernel: KERNELS[settings.resize] });
    }
    if (channels === 1) pipeline = pipeline.toColourspace(deep ? 'grey16' : 'b-w');
    else pipeline = pipeline.removeAlpha().toColourspace(deep ? 'rgb16' : 'srgb');
    const { data, info } = await pipeline.raw({ depth: deep ? 'ushort' : 'uchar' }).toBuffer({ resolveWithObject: true });
    const samples: Pixels = deep
      ? new Uint16Array(data.buffer.slice(data.byteOffset, data.byteOffset + data.length))
      : new Uint8Array(data.buffer, data.byteOffset, data.length);
    // An alpha channel survives grey conversion; keep the first channel(s) only.
    let pixels = dropExtraChannels(samples, info.channels, channels);
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

function dropExtraChannels(data: Pixels, have: number, want: number): Pixels {
  if (have === want) return data;
  const n = data.length / have;
  const out = data instanceof Uint16Array ? new Uint16Array(n * want) : new Uint8Array(n * want);
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

function encodeShard(settings: PrepSettings, ids: readonly string[], hashes: readonly string[], pixels: readonly Pixels[]): Buffer {
  const depth = pixels.some((p) => p instanceof Uint16Array) ? 16 : 8;
  const data = pixels.map((p) => {
    const samples = depth === 16 && p instanceof Uint8Array ? Uint16Array.from(p, (v) => v * 257) : p;
    return Buffer.from(samples.buffer, samples.byteOffset, samples.byteLength);
  });
  // The pixels' digest makes a shard self-checking: a reused shard with flipped bits is rebuilt.
  const pixelsSha256 = data.reduce((h, d) => h.update(d), createHash('sha256')).digest('hex');
  const header = Buffer.from(JSON.stringify({ ...settings, depth, ids, hashes, pixelsSha256 }), 'utf8');
  const len = Buffer.alloc(4);
  len.writeUInt32LE(header.length);
  return Buffer.concat([MAGIC, len, header, ...data]);
}

interface ShardHeader {
  readonly width: number;
  readonly height: number;
  readonly channels: number;
  readonly depth: 8 | 16;
  readonly ids: readonly string[];
  readonly dataOffset: number;
  /** sha256 of the pixel data; absent in shards written before it was recorded. */
  readonly pixelsSha256?: string;
}

function parseShardHeader(head: Buffer, fileSize: number): ShardHeader | undefined {
  if (head.length < 12 || !head.subarray(0, 8).equals(MAGIC)) return undefined;
  const len = head.readUInt32LE(8);
  if (head.length < 12 + len) return undefined;
  try {
    const h = JSON.parse(head.subarray(12, 12 + len).toString('utf8')) as Omit<ShardHeader, 'dataOffset'>;
    const dataOffset = 12 + len;
    if (h.depth !== 8 && h.depth !== 16) return undefined;
    if (fileSize !== dataOffset + (h.ids.length * h.width * h.height * h.channels * h.depth) / 8) return undefined;
    return { ...h, dataOffset };
  } catch {
    return undefined;
  }
}

/** The magic, the header length and the header itself: the only bytes needed to check a shard. */
function readShardHead(fd: number): Buffer {
  const prefix = Buffer.alloc(12);
  if (readSync(fd, prefix, 0, 12, 0) < 12 || !prefix.subarray(0, 8).equals(MAGIC)) return prefix;
  const len = prefix.readUInt32LE(8);
  // A damaged length must not make us allocate gigabytes.
  if (12 + len > fstatSync(fd).size) return prefix;
  const head = Buffer.alloc(12 + len);
  prefix.copy(head);
  readSync(fd, head, 12, len, 12);
  return head;
}

async function shardIsValid(file: string, ids: readonly string[]): Promise<boolean> {
  let fd: number | undefined;
  try {
    fd = openSync(file, 'r');
    const h = parseShardHeader(readShardHead(fd), fstatSync(fd).size);
    if (h === undefined || h.ids.length !== ids.length || !h.ids.every((id, i) => id === ids[i]) || h.pixelsSha256 === undefined) return false;
    const data = await readFile(file);
    return createHash('sha256').update(data.subarray(h.dataOffset)).digest('hex') === h.pixelsSha256;
  } catch {
    return false;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/**
 * Decodes and resizes every image not yet in the cache. Bad files (unreadable, undecodable,
 * too many pixels) are all reported, each naming its file; shards already written stay valid,
 * so a rerun after fixing the files decodes only what is missing.
 */
export async function prepareImages(images: readonly PrepImage[], image: ResolvedImage, options: PrepOptions): Promise<PrepResult> {
  const settings: PrepSettings = options.window === undefined ? prepSettings(image) : { ...prepSettings(image), window: options.window };
  const shardSize = options.shardSize ?? DEFAULT_SHARD_SIZE;
  const maxPixels = options.maxPixels ?? DEFAULT_MAX_PIXELS;
  const diagnostics: Diagnostic[] = [];
  const shards: PrepShard[] = [];
  let decoded = 0;
  let done = 0;
  // The previous shard's signature file, still being written: awaiting it throws its error.
  let signaturesWritten: (() => Promise<void>) | undefined;
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
    const pixels: Pixels[] = [];
    // Near-duplicate signatures from the pixels in hand (docs/dedupe.md): no second decode. They
    // are computed on this thread while the next decodes run on libvips's threads, so they cost
    // little wall time (computed after the shard, they added about 20 % to prep).
    const withSignatures = options.signatures !== false;
    const signatures: Signature[] = [];
    // Signs the decoded images not signed yet (signatures[k] is pixels[k]'s).
    const sign = (): void => {
      if (withSignatures) signatures.push(...signaturesOfPixels(pixels.slice(signatures.length), settings.width, settings.height, settings.channels));
    };
    // A few decodes in flight keep libvips's threads busy: a new one starts as soon as the oldest
    // is taken (results are taken in member order), so the pool does not drain while this thread
    // resizes or signs, as it did when a batch of four waited for its slowest.
    const readable = members.map((_, at) => at).filter((at) => hashes[at] !== '');
    const inFlight: Promise<Decoded>[] = [];
    let launched = 0;
    const launch = (): void => {
      while (inFlight.length < DECODES_IN_FLIGHT && launched < readable.length) {
        const at = readable[launched++]!;
        inFlight.push(decodeImage(members[at]!.path, bytes[at] as Buffer, settings, maxPixels));
      }
    };
    launch();
    let taken = 0;
    while (inFlight.length > 0) {
      if (options.signal?.aborted) {
        // The decodes still running are left to finish; nothing reads them.
        void Promise.allSettled(inFlight);
        break;
      }
      const result = await (inFlight.shift() as Promise<Decoded>);
      launch();
      if (result.ok) pixels.push(result.pixels);
      else if (diagnostics.length < MAX_REPORTED) diagnostics.push(result.diagnostic);
      decoded++;
      done++;
      taken++;
      // Progress as often as before: every few images and at the shard's end.
      if (taken % DECODES_IN_FLIGHT === 0 || taken === readable.length) options.onProgress?.(done, images.length);
      sign();
    }
    if (pixels.length === members.length) {
      await writeFileAtomic(file, encodeShard(settings, ids, hashes, pixels));
      sign();
      // Written while the next shard decodes; awaited before the next one's (and at the end).
      await signaturesWritten?.();
      if (withSignatures) signaturesWritten = settleLater(writeShardSignatures(file, signatures));
      shards.push({ file, key, ids });
    }
  }
  await signaturesWritten?.();
  if (diagnostics.length > 0) return { ok: false, diagnostics };
  if (options.signal?.aborted) return { ok: false, diagnostics: [], cancelled: true };
  return { ok: true, prepared: { settings, shards }, decoded };
}

/**
 * A write left running: its failure is held (never an unhandled rejection, whatever fails in
 * the meantime) and thrown by the returned function, which waits for it.
 */
function settleLater(write: Promise<void>): () => Promise<void> {
  let failure: { error: unknown } | undefined;
  const settled = write.then(
    () => undefined,
    (error: unknown) => {
      failure = { error };
    },
  );
  return async () => {
    await settled;
    if (failure !== undefined) throw failure.error;
  };
}

/** Random access to cached pixels by image id, one positioned read per image. */
export interface ImageSource {
  readonly width: number;
  readonly height: number;
  readonly channels: 1 | 3;
  has(id: string): boolean;
  /** h × w × c samples, HWC order: uint8, or uint16 for images decoded from 16-bit files. */
  read(id: string): Pixels;
}

export type OpenResult =
  | { readonly ok: true; readonly source: ImageSource & { close(): void } }
  | { readonly ok: false; readonly diagnostics: readonly Diagnostic[] };

export function openPrepared(prepared: PreparedImages): OpenResult {
  const { width, height, channels } = prepared.settings;
  const samplesPerImage = width * height * channels;
  const fds: number[] = [];
  const where = new Map<string, { fd: number; offset: number; depth: 8 | 16; file: string }>();
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
    const h = parseShardHeader(readShardHead(fd), fstatSync(fd).size);
    if (h === undefined || h.width !== width || h.height !== height || h.channels !== channels || h.ids.length !== shard.ids.length) {
      closeAll();
      return { ok: false, diagnostics: [fileDiagnostic('CVR804', shard.file, 'preprocessed-image shard is damaged or has another shape', 'delete the file; the next run decodes its images again')] };
    }
    const bytesPerImage = (samplesPerImage * h.depth) / 8;
    h.ids.forEach((id, slot) => where.set(id, { fd, offset: h.dataOffset + slot * bytesPerImage, depth: h.depth, file: shard.file }));
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
        const out = at.depth === 16 ? new Uint16Array(samplesPerImage) : new Uint8Array(samplesPerImage);
        const bytes = new Uint8Array(out.buffer);
        const n = readSync(at.fd, bytes, 0, bytes.length, at.offset);
        if (n !== bytes.length) throw new Error(`Internal error: short read in ${at.file}`);
        return out;
      },
      close: closeAll,
    },
  };
}
