import { parentPort } from 'node:worker_threads';
import { encodeRendered } from './pool.ts';
import type { ImageRecipe } from './render.ts';
import { renderImage } from './render.ts';

/** Renders and encodes one image per message; answers with the PNG bytes (image, lung mask) and the size. */
parentPort?.on('message', (msg: { id: number; recipe: ImageRecipe; lungMasks?: boolean }) => {
  encodeRendered(renderImage(msg.recipe), msg.lungMasks === true).then(
    (e) => parentPort?.postMessage({ id: msg.id, png: e.png, width: e.width, ...(e.mask !== undefined && { mask: e.mask }) }),
    (e: unknown) => parentPort?.postMessage({ id: msg.id, error: e instanceof Error ? e.message : String(e) }),
  );
});
