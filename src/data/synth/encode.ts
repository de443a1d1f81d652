import sharp from 'sharp';
import type { RenderedImage } from './render.ts';

/**
 * 8-bit greyscale PNG. Fixed encoder settings (no adaptive filtering, no palette, no metadata)
 * so that the same pixels always give the same bytes. zlib level 1: the images carry sensor
 * noise, so harder compression gains little — measured on 256² phantoms, level 6 took about
 * twice the CPU of level 1 for files 16 % smaller (51 KB instead of 61 KB); adaptive filtering
 * would save more bytes (38 KB) at twice level 6's cost again.
 */
export async function encodePng(img: RenderedImage): Promise<Buffer> {
  return sharp(Buffer.from(img.pixels.buffer, img.pixels.byteOffset, img.pixels.byteLength), {
    raw: { width: img.width, height: img.height, channels: 1 },
  })
    .toColourspace('b-w')
    .png({ compressionLevel: 1, adaptiveFiltering: false, palette: false })
    .toBuffer();
}
