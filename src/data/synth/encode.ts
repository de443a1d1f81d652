import sharp from 'sharp';
import type { RenderedImage } from './render.ts';

/**
 * 8-bit greyscale PNG. Fixed encoder settings (no adaptive filtering, no palette, no metadata)
 * so that the same pixels always give the same bytes.
 */
export async function encodePng(img: RenderedImage): Promise<Buffer> {
  return sharp(Buffer.from(img.pixels.buffer, img.pixels.byteOffset, img.pixels.byteLength), {
    raw: { width: img.width, height: img.height, channels: 1 },
  })
    .toColourspace('b-w')
    .png({ compressionLevel: 6, adaptiveFiltering: false, palette: false })
    .toBuffer();
}
