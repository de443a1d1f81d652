/** Two signature thumbnails side by side as one grey PNG (the report's near-duplicate pairs). */
import sharp from 'sharp';
import { THUMB_GRID } from './signature.ts';

const GAP = 4;

export async function pairImage(a: Uint8Array, b: Uint8Array): Promise<Buffer> {
  const n = THUMB_GRID;
  const width = 2 * n + GAP;
  const out = new Uint8Array(width * n).fill(255);
  for (let y = 0; y < n; y++) {
    out.set(a.subarray(y * n, (y + 1) * n), y * width);
    out.set(b.subarray(y * n, (y + 1) * n), y * width + n + GAP);
  }
  return sharp(Buffer.from(out), { raw: { width, height: n, channels: 1 } }).png().toBuffer();
}
