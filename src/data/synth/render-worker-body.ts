import { parentPort } from 'node:worker_threads';
import { encodePng } from './encode.ts';
import type { ImageRecipe } from './render.ts';
import { renderImage } from './render.ts';

/** Renders and encodes one image per message; answers with the PNG bytes and the size. */
parentPort?.on('message', (msg: { id: number; recipe: ImageRecipe }) => {
  const img = renderImage(msg.recipe);
  encodePng(img).then(
    (png) => parentPort?.postMessage({ id: msg.id, png, width: img.width }),
    (e: unknown) => parentPort?.postMessage({ id: msg.id, error: e instanceof Error ? e.message : String(e) }),
  );
});
