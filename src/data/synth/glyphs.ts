import type { Raster } from './raster.ts';

/**
 * A 5×7 block font for burned-in markers and text (real radiographs carry "L"/"R" lead markers
 * and text such as "PORTABLE" from the modality). Each glyph: seven rows of five cells.
 */
const FONT: Readonly<Record<string, readonly string[]>> = {
  A: ['01110', '10001', '10001', '11111', '10001', '10001', '10001'],
  B: ['11110', '10001', '10001', '11110', '10001', '10001', '11110'],
  C: ['01111', '10000', '10000', '10000', '10000', '10000', '01111'],
  D: ['11110', '10001', '10001', '10001', '10001', '10001', '11110'],
  E: ['11111', '10000', '10000', '11110', '10000', '10000', '11111'],
  F: ['11111', '10000', '10000', '11110', '10000', '10000', '10000'],
  G: ['01111', '10000', '10000', '10011', '10001', '10001', '01111'],
  H: ['10001', '10001', '10001', '11111', '10001', '10001', '10001'],
  I: ['11111', '00100', '00100', '00100', '00100', '00100', '11111'],
  J: ['00111', '00010', '00010', '00010', '00010', '10010', '01100'],
  K: ['10001', '10010', '10100', '11000', '10100', '10010', '10001'],
  L: ['10000', '10000', '10000', '10000', '10000', '10000', '11111'],
  M: ['10001', '11011', '10101', '10101', '10001', '10001', '10001'],
  N: ['10001', '11001', '10101', '10011', '10001', '10001', '10001'],
  O: ['01110', '10001', '10001', '10001', '10001', '10001', '01110'],
  P: ['11110', '10001', '10001', '11110', '10000', '10000', '10000'],
  Q: ['01110', '10001', '10001', '10001', '10101', '10010', '01101'],
  R: ['11110', '10001', '10001', '11110', '10100', '10010', '10001'],
  S: ['01111', '10000', '10000', '01110', '00001', '00001', '11110'],
  T: ['11111', '00100', '00100', '00100', '00100', '00100', '00100'],
  U: ['10001', '10001', '10001', '10001', '10001', '10001', '01110'],
  V: ['10001', '10001', '10001', '10001', '10001', '01010', '00100'],
  W: ['10001', '10001', '10001', '10101', '10101', '10101', '01010'],
  X: ['10001', '10001', '01010', '00100', '01010', '10001', '10001'],
  Y: ['10001', '10001', '01010', '00100', '00100', '00100', '00100'],
  Z: ['11111', '00001', '00010', '00100', '01000', '10000', '11111'],
  '0': ['01110', '10001', '10011', '10101', '11001', '10001', '01110'],
  '1': ['00100', '01100', '00100', '00100', '00100', '00100', '01110'],
  '2': ['01110', '10001', '00001', '00010', '00100', '01000', '11111'],
  '3': ['11110', '00001', '00001', '01110', '00001', '00001', '11110'],
  '4': ['00010', '00110', '01010', '10010', '11111', '00010', '00010'],
  '5': ['11111', '10000', '11110', '00001', '00001', '10001', '01110'],
  '6': ['00110', '01000', '10000', '11110', '10001', '10001', '01110'],
  '7': ['11111', '00001', '00010', '00100', '01000', '01000', '01000'],
  '8': ['01110', '10001', '10001', '01110', '10001', '10001', '01110'],
  '9': ['01110', '10001', '10001', '01111', '00001', '00010', '01100'],
  '-': ['00000', '00000', '00000', '11111', '00000', '00000', '00000'],
  '.': ['00000', '00000', '00000', '00000', '00000', '01100', '01100'],
  ':': ['00000', '01100', '01100', '00000', '01100', '01100', '00000'],
  ' ': ['00000', '00000', '00000', '00000', '00000', '00000', '00000'],
};

export const GLYPH_WIDTH = 5;
export const GLYPH_HEIGHT = 7;

/** Width in cells of `text` (one blank column between glyphs). */
export function textCells(text: string): number {
  return text.length === 0 ? 0 : text.length * (GLYPH_WIDTH + 1) - 1;
}

/**
 * Burns `text` into the raster at pixel (x, y) with `cell` pixels per font cell, blending towards
 * `value` with `opacity`. Unknown characters draw as a filled block.
 */
export function drawText(img: Raster, text: string, x: number, y: number, cell: number, value: number, opacity: number): void {
  const { width: w, height: h, data } = img;
  const c = Math.max(1, Math.round(cell));
  let ox = Math.round(x);
  const oy = Math.round(y);
  for (const ch of text.toUpperCase()) {
    const glyph = FONT[ch];
    for (let gy = 0; gy < GLYPH_HEIGHT; gy++) {
      const row = glyph?.[gy] ?? '11111';
      for (let gx = 0; gx < GLYPH_WIDTH; gx++) {
        if (row[gx] !== '1') continue;
        for (let py = oy + gy * c; py < oy + (gy + 1) * c; py++) {
          if (py < 0 || py >= h) continue;
          for (let px = ox + gx * c; px < ox + (gx + 1) * c; px++) {
            if (px < 0 || px >= w) continue;
            const i = py * w + px;
            data[i] = data[i]! + (value - data[i]!) * opacity;
          }
        }
      }
    }
    ox += (GLYPH_WIDTH + 1) * c;
  }
}

/** Fills a rectangle, blending towards `value` with `opacity`. */
export function fillRect(img: Raster, x: number, y: number, rw: number, rh: number, value: number, opacity: number): void {
  const { width: w, height: h, data } = img;
  const x0 = Math.max(0, Math.round(x));
  const y0 = Math.max(0, Math.round(y));
  const x1 = Math.min(w, Math.round(x + rw));
  const y1 = Math.min(h, Math.round(y + rh));
  for (let py = y0; py < y1; py++) {
    for (let px = x0; px < x1; px++) {
      const i = py * w + px;
      data[i] = data[i]! + (value - data[i]!) * opacity;
    }
  }
}
