/** SVG → PNG with sharp (librsvg): plots for report.md without a browser. */
import sharp from 'sharp';

export async function svgToPng(svg: string): Promise<Buffer> {
  return sharp(Buffer.from(svg), { density: 144 }).png({ compressionLevel: 9 }).toBuffer();
}
