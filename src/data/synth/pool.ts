import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { packageRoot, runsCompiled } from '../../diag/index.ts';
import { encodePng } from './encode.ts';
import type { ImageRecipe, RenderedImage } from './render.ts';
import { renderImage } from './render.ts';

export interface EncodedImage {
  readonly png: Buffer;
  readonly width: number;
  /** The true lung field as a PNG (255 inside), when the renderer drew lungs. */
  readonly mask?: Buffer;
}

/** The image and its lung mask, both as PNG. */
export async function encodeRendered(img: RenderedImage, lungMask: boolean): Promise<EncodedImage> {
  const png = await encodePng(img);
  if (!lungMask || img.lungMask === undefined) return { png, width: img.width };
  return { png, width: img.width, mask: await encodePng({ width: img.width, height: img.height, pixels: img.lungMask }) };
}

/** Turns recipes into PNG bytes, in this thread or spread over worker threads. */
export interface RenderPool {
  readonly render: (recipe: ImageRecipe) => Promise<EncodedImage>;
  /** How many renders may usefully be in flight at once. */
  readonly capacity: number;
  readonly close: () => Promise<void>;
}

/** Workers pay a start-up cost (loading the TypeScript sources), worth it only for big batches. */
export const WORKER_MIN_IMAGES = 200;

/** On two cores the threads' start-up and contention cost more than they save (measured). */
export function defaultWorkers(images: number): number {
  const cores = availableParallelism();
  if (images < WORKER_MIN_IMAGES || cores < 4) return 0;
  return Math.min(4, cores - 1);
}

function inProcessPool(concurrency: number, lungMasks: boolean): RenderPool {
  return {
    capacity: concurrency,
    render: async (recipe) => encodeRendered(renderImage(recipe), lungMasks),
    close: async () => {},
  };
}

/**
 * `workers` = 0 renders in this thread (sharp still encodes on its own threads). Images do not
 * depend on which thread drew them: each one's randomness comes from its own derived streams.
 */
export function createRenderPool(workers: number, concurrency: number, lungMasks = false): RenderPool {
  if (workers <= 1) return inProcessPool(concurrency, lungMasks);
  type Pending = { resolve: (v: EncodedImage) => void; reject: (e: Error) => void };
  const pending = new Map<number, Pending>();
  const threads: Worker[] = [];
  const load: number[] = [];
  let nextId = 0;
  for (let w = 0; w < workers; w++) {
    const worker = new Worker(join(packageRoot(), runsCompiled() ? 'dist' : 'src', 'data', 'synth', 'render-worker.mjs'));
    worker.on('message', (msg: { id: number; png?: Uint8Array; mask?: Uint8Array; width?: number; error?: string }) => {
      const p = pending.get(msg.id);
      if (p === undefined) return;
      pending.delete(msg.id);
      load[w]!--;
      if (msg.error !== undefined || msg.png === undefined) p.reject(new Error(`render worker: ${msg.error ?? 'no image'}`));
      else {
        const bytes = (b: Uint8Array): Buffer => Buffer.from(b.buffer, b.byteOffset, b.byteLength);
        p.resolve({ png: bytes(msg.png), width: msg.width ?? 0, ...(msg.mask !== undefined && { mask: bytes(msg.mask) }) });
      }
    });
    worker.on('error', (e) => {
      for (const p of pending.values()) p.reject(e);
      pending.clear();
    });
    threads.push(worker);
    load.push(0);
  }
  return {
    capacity: workers * 2,
    render: (recipe) =>
      new Promise<EncodedImage>((resolve, reject) => {
        const id = nextId++;
        // the least busy worker: renders differ in cost (CT and findings take longer)
        let best = 0;
        for (let w = 1; w < threads.length; w++) if (load[w]! < load[best]!) best = w;
        load[best]!++;
        pending.set(id, { resolve, reject });
        threads[best]!.postMessage({ id, recipe, lungMasks });
      }),
    close: async () => {
      await Promise.all(threads.map((t) => t.terminate()));
    },
  };
}
